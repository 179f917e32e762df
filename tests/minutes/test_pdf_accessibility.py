"""Every kind of PDF Confer makes (a reader's copy of the minutes, the decision letter, the
subject access export) passes the machine-checkable PDF/UA-1 rules that pdfua implements,
embeds every font it uses, and names its reader exactly, whatever their alphabet."""

from __future__ import annotations

import io
from pathlib import Path

import pypdf
import pytest
from pdfua import validate
from pdfua.model import Severity

from minutes import pdf, services
from minutes.models import DecisionLetterCopy, Distribution
from tests.factories import local

NAMES = {
    "Polish": "Łukasz Wiśniewski",
    "Portuguese": "João Conceição",
    "Welsh": "Siân Llŷr ap Dafydd",
    "Irish": "Seán Ó Súilleabháin",
    "Romanian": "Ștefan Țăranu",
    "Arabic": "فاطمة الزهراء",
}


def fonts_of(reader: pypdf.PdfReader) -> list[tuple[str, bool]]:
    """(font name, embedded?) for every font any page draws with, forms included."""
    found: dict[int, tuple[str, bool]] = {}

    def walk(resources) -> None:
        resources = resources.get_object() if resources is not None else {}
        for ref in (resources.get("/Font") or {}).values():
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            described = descendants[0].get_object() if descendants else font
            descriptor = described.get("/FontDescriptor")
            embedded = descriptor is not None and any(
                key in descriptor.get_object() for key in ("/FontFile", "/FontFile2", "/FontFile3")
            )
            found[id(font)] = (str(font.get("/BaseFont")), embedded)
        for ref in (resources.get("/XObject") or {}).values():
            xobject = ref.get_object()
            if xobject.get("/Subtype") == "/Form":
                walk(xobject.get("/Resources"))

    for page in reader.pages:
        walk(page.get("/Resources"))
    return list(found.values())


def check(data: bytes, name: str, tmp_path: Path) -> None:
    reader = pypdf.PdfReader(io.BytesIO(data))
    fonts = fonts_of(reader)
    assert fonts and all(embedded for _, embedded in fonts), fonts
    text = " ".join(page.extract_text() for page in reader.pages)
    assert name in text and "?" not in name
    path = tmp_path / "checked.pdf"
    path.write_bytes(data)
    report = validate(str(path))
    errors = [(f.rule_id, f.message) for f in report.findings if f.severity >= Severity.WARNING]
    assert errors == []


@pytest.mark.django_db
def test_every_kind_of_pdf_is_accessible_and_names_its_reader(
    approved, chair, parent, officer, manager, family, tmp_path
):
    parent.full_name, officer.full_name = NAMES["Polish"], NAMES["Welsh"]
    parent.save()
    officer.save()
    services.minutes_distribute(minutes=approved, actor=chair.user, now=local(2027, 1, 8, 10))
    copies = {d.invitation.person_id: d for d in Distribution.objects.filter(minutes=approved)}
    for person in (parent, officer):
        with copies[person.pk].file.open("rb") as f:
            check(f.read(), person.full_name, tmp_path)
    services.decision_letter_send(
        meeting=approved.meeting,
        actor=chair.user,
        lead_social_worker="Sam Worker",
        late_reason="Chair unwell",
        now=local(2027, 1, 8, 11),
    )
    with DecisionLetterCopy.objects.get(person=parent).file.open("rb") as f:
        check(f.read(), parent.full_name, tmp_path)
    export = services.subject_access_export(child=family.children.get(), requester=parent, actor=manager.user)
    with export.file.open("rb") as f:
        check(f.read(), parent.full_name, tmp_path)


@pytest.fixture(scope="module")
def record() -> bytes:
    html = (
        "<!doctype html><html lang='en-GB'><head><meta charset='utf-8'><title>Minutes</title>"
        "<style>@page { size: A4 }</style></head><body><h1>Minutes</h1><p>What was decided.</p>"
        "<p style='break-before: page'>Next steps.</p></body></html>"
    )
    return pdf.render_pdf(html)


@pytest.mark.parametrize("language", NAMES)
def test_a_copy_is_stamped_with_its_readers_name_in_any_alphabet(record, language, tmp_path):
    name = NAMES[language]
    stamped = pdf.stamp(record, f"OFFICIAL-SENSITIVE - copy for {name}")
    assert stamped.startswith(record)  # an incremental update: the record's bytes unchanged
    reader = pypdf.PdfReader(io.BytesIO(stamped))
    assert all(f"copy for {name}" in page.extract_text() for page in reader.pages)
    check(stamped, name, tmp_path)
