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
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, IndirectObject, NameObject

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


def _serialised(obj) -> bytes:
    out = io.BytesIO()
    obj.write_to_stream(out)
    return out.getvalue()


def _stream(data: bytes) -> DecodedStreamObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    return stream


def stamp(pdf: bytes, text: str) -> bytes:
    """The same PDF with ``text`` on every page (a recipient's "Copy for …").

    Written as an incremental update (PDF 1.7, 7.5.6): the rendered bytes are kept as
    they are, followed by the new objects (a font, the stamp's content streams), each page
    dictionary again with the stamp added to its contents, and a cross-reference stream
    pointing back to the original's. Only the page tree is read, never the document's
    structure tree, so stamping costs a small fraction of a render.
    """
    reader = PdfReader(io.BytesIO(pdf))
    trailer = reader.trailer
    next_id = int(trailer["/Size"])
    written: dict[int, bytes] = {}

    def add(obj) -> IndirectObject:
        nonlocal next_id
        ref = IndirectObject(next_id, 0, reader)
        written[next_id] = _serialised(obj)
        next_id += 1
        return ref

    font = add(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
                NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
            }
        )
    )
    save, restore = add(_stream(b"q")), add(_stream(b"Q"))
    rewritten: dict[int, DictionaryObject] = {}
    for page in reader.pages:
        new_page = DictionaryObject(dict.items(page))
        contents = dict.get(page, NameObject("/Contents"))
        original = list(contents.get_object()) if isinstance(contents.get_object(), ArrayObject) else [contents]
        stamped = add(_stream(_stamp_content(float(page.mediabox.height), text)))
        # The page's own drawing is wrapped in q … Q, so the stamp starts from a clean state.
        new_page[NameObject("/Contents")] = ArrayObject([save, *original, restore, stamped])
        new_page[NameObject("/Resources")] = _with_stamp_font(dict.get(page, NameObject("/Resources")), font, rewritten)
        rewritten[page.indirect_reference.idnum] = new_page
    for idnum, obj in rewritten.items():
        written[idnum] = _serialised(obj)
    return _append_update(pdf, written, trailer, next_id)


def _with_stamp_font(resources, font: IndirectObject, rewritten: dict[int, DictionaryObject]):
    """The page's resources with the stamp's font added: an indirect resources (or fonts)
    dictionary is rewritten once under its own number, shared pages and all."""
    if isinstance(resources, IndirectObject):
        if resources.idnum not in rewritten:
            rewritten[resources.idnum] = _with_stamp_font(resources.get_object(), font, rewritten)
        return resources
    copy = DictionaryObject(dict.items(resources)) if resources is not None else DictionaryObject()
    fonts = dict.get(copy, NameObject("/Font"))
    if isinstance(fonts, IndirectObject):
        if fonts.idnum not in rewritten:
            table = DictionaryObject(dict.items(fonts.get_object()))
            table[NameObject("/ConferStamp")] = font
            rewritten[fonts.idnum] = table
    else:
        table = DictionaryObject(dict.items(fonts)) if fonts is not None else DictionaryObject()
        table[NameObject("/ConferStamp")] = font
        copy[NameObject("/Font")] = table
    return copy


def _append_update(pdf: bytes, written: dict[int, bytes], trailer, next_id: int) -> bytes:
    previous = int(pdf[pdf.rindex(b"startxref") + len(b"startxref") :].split()[0])
    out = bytearray(pdf if pdf.endswith(b"\n") else pdf + b"\n")
    offsets = {}
    for idnum in sorted(written):
        offsets[idnum] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (idnum, written[idnum])
    xref_id, xref_at = next_id, len(out)
    offsets[xref_id] = xref_at
    ids = sorted(offsets)
    rows = b"".join(b"\x01" + offsets[i].to_bytes(4, "big") + b"\x00\x00" for i in ids)
    index = " ".join(f"{i} 1" for i in ids)
    head = f"<< /Type /XRef /Size {xref_id + 1} /W [1 4 2] /Index [{index}] /Prev {previous}"
    for key in ("/Root", "/Info"):
        if key in trailer:
            ref = dict.get(trailer, NameObject(key))
            head += f" {key} {ref.idnum} {ref.generation} R"
    if "/ID" in trailer:
        head += " /ID " + _serialised(trailer["/ID"]).decode("latin-1")
    head += f" /Length {len(rows)} >>"
    out += b"%d 0 obj\n%s\nstream\n%s\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % (
        xref_id,
        head.encode("latin-1"),
        rows,
        xref_at,
    )
    return bytes(out)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
