"""PDFs of the minutes: HTML → PDF with WeasyPrint, and a recipient's name stamped on
every page with pypdf. Pure: bytes in, bytes out, no database.

Rendering is the slow part (about half a second for a conference record), so a
distribution renders once per redaction profile and stamps that render for each reader
who shares it: fifteen recipients with two profiles cost two renders.

The render is a tagged PDF/UA-1 document (structure, language and title), so screen
readers can read it; the stamp is marked as an artifact, outside the document's structure.
"""

from __future__ import annotations

import hashlib
import io

import weasyprint
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject

STAMP_SIZE = 8  # points


def render_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """One WeasyPrint render of a print template (``templates/pdf/``)."""
    return weasyprint.HTML(string=html, base_url=base_url).write_pdf(pdf_variant="pdf/ua-1")


def _pdf_text(text: str) -> bytes:
    """``text`` as a PDF string literal in WinAnsi (Latin-1 names print as they are)."""
    raw = text.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _stamp_content(height: float, text: str) -> bytes:
    # Top left, in the margin above the running header; grey; an artifact for PDF/UA.
    return b"/Artifact BMC q 0.3 g BT /ConferStamp %d Tf 1 0 0 1 42.0 %.1f Tm %s Tj ET Q EMC" % (
        STAMP_SIZE,
        height - 16.0,
        _pdf_text(text),
    )


def _stream(writer: PdfWriter, data: bytes):
    stream = DecodedStreamObject()
    stream.set_data(data)
    return writer._add_object(stream)


def stamp(pdf: bytes, text: str) -> bytes:
    """The same PDF with ``text`` on every page (a recipient's "Copy for …").

    Written as an incremental update that adds a content stream to each page, rather than
    parsing and merging the pages' content: the rendered document is left byte for byte as
    it was, and stamping costs a small fraction of a render.
    """
    writer = PdfWriter(io.BytesIO(pdf), incremental=True)
    font = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
                NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
            }
        )
    )
    save, restore = _stream(writer, b"q"), _stream(writer, b"Q")
    for page in writer.pages:
        contents = page[NameObject("/Contents")]
        original = list(contents) if isinstance(contents.get_object(), ArrayObject) else [contents]
        height = float(page.mediabox.height)
        # The page's own drawing is wrapped in q … Q, so the stamp starts from a clean state.
        page[NameObject("/Contents")] = ArrayObject(
            [save, *original, restore, _stream(writer, _stamp_content(height, text))]
        )
        resources = page[NameObject("/Resources")].get_object()
        fonts = resources.get(NameObject("/Font"))
        if fonts is None:
            resources[NameObject("/Font")] = DictionaryObject({NameObject("/ConferStamp"): font})
        else:
            fonts.get_object()[NameObject("/ConferStamp")] = font
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
