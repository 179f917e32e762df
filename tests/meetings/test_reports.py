"""Agency reports: PDF checks, who sees them, and whether they reached the family in time."""

import io

import pypdf
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEvent
from meetings.enums import InvitationRole, MeetingKind
from meetings.errors import MeetingError
from meetings.reports import report_submit, share_deadline
from tests import factories
from tests.factories import local, pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return factories.PersonFactory(
        full_name="Pat Constable", user=factories.UserFactory(), agency=factories.AgencyFactory(name="Police")
    )


@pytest.fixture
def meeting(administrator, chair, family, parent, officer):
    m = factories.schedule(administrator=administrator, chair=chair, family=family, starts_at=local(2027, 1, 13, 10))
    factories.invite(m, administrator, parent)
    factories.invite(m, administrator, officer, InvitationRole.PROFESSIONAL)
    return m


def upload(content=None, name="report.pdf"):
    return SimpleUploadedFile(name, pdf_bytes(2) if content is None else content, content_type="application/pdf")


def test_deadline_is_three_working_days_before_an_initial_conference_and_five_before_a_review(
    meeting, administrator, chair, family
):
    # Wed 13 Jan 2027: -1 Tue 12, -2 Mon 11, -3 Fri 8 Jan.
    assert share_deadline(meeting).isoformat() == "2027-01-08"
    review = factories.schedule(
        administrator=administrator, chair=chair, family=family, kind=MeetingKind.CIN, starts_at=local(2027, 1, 13)
    )
    # -5 working days from Wed 13 Jan: Tue 12, Mon 11, Fri 8, Thu 7, Wed 6 Jan.
    assert share_deadline(review).isoformat() == "2027-01-06"


def test_a_professional_submits_a_pdf_and_the_family_sees_it_with_its_timeliness(
    client, meeting, officer, parent, chair, time_machine
):
    time_machine.move_to(local(2027, 1, 8, 16))
    client.force_login(officer.user)
    response = client.post(
        reverse("meetings:report", args=[meeting.pk]),
        {"text": "Two call-outs since October.", "file": upload(), "share_with_family": "on"},
    )
    assert response.status_code == 302
    report = meeting.reports.get()
    assert report.file.name.startswith(f"reports/{meeting.pk}/") and "report" not in report.file.name.split("/")[-1]
    assert AuditEvent.objects.get(code="report.submitted").detail["in_time_for_family"] is True

    client.force_login(parent.user)
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "Two call-outs since October." in page
    download = client.get(reverse("meetings:report_file", args=[meeting.pk, report.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"] == f'attachment; filename="report-{meeting.reference}-{report.pk}.pdf"'
    assert len(pypdf.PdfReader(io.BytesIO(b"".join(download.streaming_content))).pages) == 2
    assert AuditEvent.objects.filter(code="report.downloaded", actor=parent.user).count() == 1

    client.force_login(chair.user)
    assert "In time" in client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()


def test_a_report_after_the_deadline_is_marked_late(client, meeting, officer, chair, time_machine):
    time_machine.move_to(local(2027, 1, 11, 9))
    report_submit(meeting=meeting, actor=officer.user, text="Late report", share_with_family=True)
    client.force_login(chair.user)
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert 'govuk-tag--red">Late' in page


def test_a_report_not_to_be_shared_is_invisible_to_the_family(client, meeting, officer, parent, time_machine):
    time_machine.move_to(local(2027, 1, 5))
    report = report_submit(
        meeting=meeting,
        actor=officer.user,
        text="Third-party intelligence Leakname",
        share_with_family=False,
        file=upload(),
    )
    client.force_login(parent.user)
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "Third-party intelligence" not in page
    assert "No reports yet." in page
    assert client.get(reverse("meetings:report_file", args=[meeting.pk, report.pk])).status_code == 404


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (SimpleUploadedFile("r.docx", b"PK\x03\x04", content_type="application/pdf"), "must be a PDF"),
        (SimpleUploadedFile("r.pdf", b"<html>not a pdf</html>", content_type="application/pdf"), "must be a PDF"),
        (SimpleUploadedFile("r.pdf", b"%PDF-1.7 broken", content_type="application/pdf"), "could not be opened"),
    ],
)
def test_only_real_pdfs_are_accepted_and_the_text_is_kept(client, meeting, officer, file, message, time_machine):
    time_machine.move_to(local(2027, 1, 5))
    client.force_login(officer.user)
    page = client.post(
        reverse("meetings:report", args=[meeting.pk]), {"text": "Keep this text", "file": file}
    ).content.decode()
    assert message in page
    assert "Keep this text" in page
    assert not meeting.reports.exists()


def test_a_file_over_the_limit_is_refused(meeting, officer, settings, time_machine):
    time_machine.move_to(local(2027, 1, 5))
    settings.CONFER_REPORT_MAX_BYTES = 1024 * 1024
    big = upload(pdf_bytes(1) + b"%" + b"x" * (1024 * 1024))
    with pytest.raises(MeetingError, match="smaller than 1 MB"):
        report_submit(meeting=meeting, actor=officer.user, text="", file=big, share_with_family=False)


def test_resubmitting_replaces_the_report_and_parents_cannot_submit(meeting, officer, parent, time_machine):
    time_machine.move_to(local(2027, 1, 5))
    report_submit(meeting=meeting, actor=officer.user, text="First", share_with_family=False)
    report_submit(meeting=meeting, actor=officer.user, text="Second", share_with_family=True)
    assert list(meeting.reports.values_list("text", flat=True)) == ["Second"]
    assert meeting.reports.get().history.count() == 2

    with pytest.raises(PermissionDenied):
        report_submit(meeting=meeting, actor=parent.user, text="x", share_with_family=True)
