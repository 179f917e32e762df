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
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

STAMP_SIZE = 8  # points


def render_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """One WeasyPrint render of a print template (``templates/pdf/``)."""
    return weasyprint.HTML(string=html, base_url=base_url).write_pdf(pdf_variant="pdf/ua-1")


def _pdf_text(text: str) -> bytes:
    """``text`` as a PDF string literal in WinAnsi (Latin-1 names print as they are)."""
    raw = text.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _stamp_page(width: float, height: float, text: str):
    writer = PdfWriter()
    page = writer.add_blank_page(width=width, height=height)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/ConferStamp"): writer._add_object(font)})}
    )
    # Top left, above the running header's baseline area; grey; an artifact for PDF/UA.
    x, y = 42.0, height - 16.0
    content = DecodedStreamObject()
    content.set_data(
        b"/Artifact BMC q 0.3 g BT /ConferStamp %d Tf 1 0 0 1 %.1f %.1f Tm %s Tj ET Q EMC"
        % (STAMP_SIZE, x, y, _pdf_text(text))
    )
    page[NameObject("/Contents")] = writer._add_object(content)
    return page


def stamp(pdf: bytes, text: str) -> bytes:
    """The same PDF with ``text`` on every page (a recipient's "Copy for …")."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    overlays: dict[tuple[float, float], object] = {}
    for page in writer.pages:
        size = (float(page.mediabox.width), float(page.mediabox.height))
        if size not in overlays:
            overlays[size] = _stamp_page(*size, text)
        page.merge_page(overlays[size])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
