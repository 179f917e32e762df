"""Text a browser sends must be UTF-8, or it is refused whole.

Django decodes form fields and query strings leniently: bytes that are not UTF-8 become
U+FFFD replacement characters, and the record is saved with "ï¿½" where a name should be,
with no one told. Every page of Confer's is served as UTF-8 and every browser sends forms
back in it, so text that does not decode was garbled on the way or forged: it is refused
with a 400 page saying so, before any view runs, and nothing is written.

Checked here: the query string, an urlencoded body, and the text fields of a multipart
body (uploaded files are bytes and are checked by their content elsewhere).
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from django.core.exceptions import BadRequest

REPLACEMENT = "\ufffd"


def _strictly_utf8(encoded: bytes) -> bool:
    for pair in encoded.split(b"&"):
        for part in pair.split(b"=", 1):
            try:
                unquote_to_bytes(part.replace(b"+", b" ")).decode("utf-8")
            except UnicodeDecodeError:
                return False
    return True


class RefuseUndecodableText:
    """Middleware: a 400 for a request whose text is not UTF-8 (see the module)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _strictly_utf8(request.META.get("QUERY_STRING", "").encode("latin-1", "replace")):
            raise BadRequest("The address holds characters that are not UTF-8.")
        if request.method == "POST":
            content_type = request.META.get("CONTENT_TYPE", "")
            if content_type.startswith("application/x-www-form-urlencoded"):
                if not _strictly_utf8(request.body):
                    raise BadRequest("The form sent text that is not UTF-8.")
            elif content_type.startswith("multipart/form-data") and any(
                # Django has decoded each text part with replacement characters by now.
                REPLACEMENT in value
                for _name, values in request.POST.lists()
                for value in values
            ):
                raise BadRequest("The form sent text that is not UTF-8.")
        return self.get_response(request)
