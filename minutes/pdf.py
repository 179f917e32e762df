"""PDFs of the minutes: HTML → PDF with WeasyPrint, and a recipient's name stamped on
every page with pypdf. Pure: bytes in, bytes out, no database.

Rendering is the slow part (about half a second for a conference record), so a
distribution renders once per redaction profile and stamps that render for each reader
who shares it: fifteen recipients with two profiles cost two renders.

The render is a tagged PDF/UA-1 document (structure, language and title), so screen
readers can read it; the stamp is marked as an artifact, outside the document's structure,
and drawn in an embedded Unicode font like the rest.
"""

from __future__ import annotations

import hashlib
import io
from html import escape

import pydyf
import weasyprint
from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    EncodedStreamObject,
    FloatObject,
    IndirectObject,
    NameObject,
    StreamObject,
)

STAMP_SIZE = 8  # points


def render_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """One WeasyPrint render of a print template (``templates/pdf/``)."""
    return weasyprint.HTML(string=html, base_url=base_url).write_pdf(
        pdf_variant="pdf/ua-1", finisher=_table_header_scopes
    )


def _table_header_scopes(document, pdf) -> None:
    """Give each table header cell its /Scope, which WeasyPrint's tagging leaves out (so a
    screen reader could not tell which cells a header names): a header in the table's head
    names a column, any other a row, as ``<th scope="col">`` and ``scope="row"`` do in our
    print templates."""
    elements = {obj.reference: obj for obj in pdf.objects if isinstance(obj, pydyf.Dictionary)}
    for element in elements.values():
        if element.get("S") != "/TH":
            continue
        row = elements.get(element.get("P"))
        section = elements.get(row.get("P")) if row is not None else None
        attributes = element.get("A") or pydyf.Dictionary({"O": "/Table"})
        attributes["Scope"] = "/Column" if section is not None and section.get("S") == "/THead" else "/Row"
        element["A"] = attributes


# The stamp's own print design: the body's fonts, so every name prints in the same embedded
# Unicode font as the record (Łukasz, Siân, Ó Súilleabháin, and right-to-left scripts,
# shaped by the same engine). Placed top left, in the margin above the running header.
_STAMP_HTML = """<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><style>
@page {{ size: {width}pt {height}pt; margin: 0 }}
body {{ margin: 0 }}
p {{ position: absolute; top: 9pt; left: 42pt; right: 42pt; margin: 0; white-space: nowrap; overflow: hidden;
     font: {size}pt "Liberation Sans", Arial, "DejaVu Sans", "Noto Sans", "Noto Sans Arabic", sans-serif;
     color: #4d4d4d; unicode-bidi: plaintext; text-align: left }}
</style></head><body><p>{text}</p></body></html>"""


def _stamp_page(text: str, width: float, height: float):
    """``text`` laid out by WeasyPrint alone on a page the size of the record's: its
    content and its embedded font subset, to draw on each page of the record."""
    html = _STAMP_HTML.format(width=width, height=height, size=STAMP_SIZE, text=escape(text))
    return PdfReader(io.BytesIO(weasyprint.HTML(string=html).write_pdf())).pages[0]


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

    The stamp is laid out by WeasyPrint, as the record is, so any name prints in an
    embedded Unicode font (a standard PDF font would print Łukasz as "?ukasz", and is not
    embedded, which PDF/UA forbids). Its page becomes one form XObject, drawn on every page
    of the record as an artifact, outside the document's structure.

    Written as an incremental update (PDF 1.7, 7.5.6): the rendered bytes are kept as
    they are, followed by the new objects (the stamp's form and font, a q/Q pair), each
    page dictionary again with the stamp added to its contents, and a cross-reference
    stream pointing back to the original's. Only the page tree is read, never the
    document's structure tree.
    """
    reader = PdfReader(io.BytesIO(pdf))
    trailer = reader.trailer
    next_id = int(trailer["/Size"])
    written: dict[int, bytes] = {}

    def reserve() -> IndirectObject:
        nonlocal next_id
        ref = IndirectObject(next_id, 0, reader)
        next_id += 1
        return ref

    def add(obj) -> IndirectObject:
        ref = reserve()
        written[ref.idnum] = _serialised(obj)
        return ref

    first = reader.pages[0]
    width, height = float(first.mediabox.width), float(first.mediabox.height)
    stamp_page = _stamp_page(text, width, height)
    copied: dict[int, IndirectObject] = {}

    def copy(obj):
        """An object of the stamp's PDF, and everything it refers to, as new objects here."""
        if isinstance(obj, IndirectObject):
            if obj.idnum not in copied:
                copied[obj.idnum] = ref = reserve()
                written[ref.idnum] = _serialised(copy(obj.get_object()))
            return copied[obj.idnum]
        if isinstance(obj, StreamObject):
            clone = EncodedStreamObject() if isinstance(obj, EncodedStreamObject) else DecodedStreamObject()
            clone._data = obj._data
            for key, value in obj.items():
                clone[NameObject(key)] = copy(value)
            return clone
        if isinstance(obj, DictionaryObject):
            return DictionaryObject({NameObject(key): copy(value) for key, value in obj.items()})
        if isinstance(obj, ArrayObject):
            return ArrayObject(copy(item) for item in obj)
        return obj

    contents = stamp_page.get_contents()
    form = _stream(contents.get_data() if contents is not None else b"")
    form.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject(FloatObject(v) for v in (0, 0, width, height)),
            NameObject("/Resources"): copy(dict.get(stamp_page, NameObject("/Resources"), DictionaryObject())),
        }
    )
    form_ref = add(form)
    save, restore = add(_stream(b"q")), add(_stream(b"Q"))
    # An artifact for PDF/UA; scaled to each page, which is the record's size in practice.
    rewritten: dict[int, DictionaryObject] = {}
    for page in reader.pages:
        new_page = DictionaryObject(dict.items(page))
        contents = dict.get(page, NameObject("/Contents"))
        original = list(contents.get_object()) if isinstance(contents.get_object(), ArrayObject) else [contents]
        draw = b"/Artifact BMC q /ConferStamp Do Q EMC"
        stamped = add(_stream(draw))
        # The page's own drawing is wrapped in q … Q, so the stamp starts from a clean state.
        new_page[NameObject("/Contents")] = ArrayObject([save, *original, restore, stamped])
        new_page[NameObject("/Resources")] = _with_stamp(dict.get(page, NameObject("/Resources")), form_ref, rewritten)
        rewritten[page.indirect_reference.idnum] = new_page
    for idnum, obj in rewritten.items():
        written[idnum] = _serialised(obj)
    return _append_update(pdf, written, trailer, next_id)


def _with_stamp(resources, form: IndirectObject, rewritten: dict[int, DictionaryObject]):
    """The page's resources with the stamp's form XObject added: an indirect resources (or
    XObject) dictionary is rewritten once under its own number, shared pages and all."""
    if isinstance(resources, IndirectObject):
        if resources.idnum not in rewritten:
            rewritten[resources.idnum] = _with_stamp(resources.get_object(), form, rewritten)
        return resources
    copy = DictionaryObject(dict.items(resources)) if resources is not None else DictionaryObject()
    xobjects = dict.get(copy, NameObject("/XObject"))
    if isinstance(xobjects, IndirectObject):
        if xobjects.idnum not in rewritten:
            table = DictionaryObject(dict.items(xobjects.get_object()))
            table[NameObject("/ConferStamp")] = form
            rewritten[xobjects.idnum] = table
    else:
        table = DictionaryObject(dict.items(xobjects)) if xobjects is not None else DictionaryObject()
        table[NameObject("/ConferStamp")] = form
        copy[NameObject("/XObject")] = table
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
