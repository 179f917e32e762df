"""Agency reports before a meeting: submitted by invited professionals, shared with the
family when the author agrees, and checked against the working-day deadline for sharing."""

from __future__ import annotations

from datetime import date, datetime

import pypdf
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from meetings import timescales
from meetings.enums import InvitationRole, MeetingKind
from meetings.errors import MeetingError
from meetings.guards import lock_meeting, require_action
from meetings.models import Meeting, Report


def share_deadline(meeting: Meeting) -> date:
    """The last day a report can reach the family: 3 working days before an initial
    conference, 5 before a review (settings)."""
    t = timescales.timescales(meeting.kind)
    days = t.reports_initial_working_days if meeting.kind == MeetingKind.ICPC else t.reports_review_working_days
    return timescales.add_working_days(meeting.local_date, -days)


def reached_family_in_time(report: Report) -> bool:
    return report.share_with_family and timezone.localtime(report.submitted_at).date() <= share_deadline(report.meeting)


def validate_pdf(upload) -> None:
    """Only real PDFs up to the size limit: checked by name, signature, and by opening it."""
    limit = settings.CONFER_REPORT_MAX_BYTES
    if not upload.name.lower().endswith(".pdf"):
        raise MeetingError("The file must be a PDF.", field="file")
    if upload.size > limit:
        raise MeetingError(f"The file must be smaller than {limit // (1024 * 1024)} MB.", field="file")
    upload.seek(0)
    if upload.read(5) != b"%PDF-":
        raise MeetingError("The file must be a PDF.", field="file")
    upload.seek(0)
    try:
        pages = len(pypdf.PdfReader(upload).pages)
    except Exception as exc:
        raise MeetingError(
            "The PDF could not be opened. Save it again as a PDF and upload that.", field="file"
        ) from exc
    if pages == 0:
        raise MeetingError("The PDF has no pages.", field="file")
    upload.seek(0)


@transaction.atomic
def report_submit(
    *, meeting: Meeting, actor, text: str, file=None, share_with_family: bool, now: datetime | None = None
) -> Report:
    """Submit or replace the actor's report. Replacing keeps the earlier version in history."""
    now = now or timezone.now()
    meeting = lock_meeting(meeting.pk)
    require_action(actor, "report", meeting)
    invitation = meeting.invitations.get(person__user=actor, role=InvitationRole.PROFESSIONAL)
    if not text.strip() and file is None:
        raise MeetingError("Write the report or upload it as a PDF.")
    if file is not None:
        validate_pdf(file)
    report = Report.objects.filter(meeting=meeting, author=invitation.person).first() or Report(
        meeting=meeting, author=invitation.person
    )
    replacing = report.pk is not None
    report.agency = invitation.agency or invitation.person.agency
    report.text = text.strip()
    report.share_with_family = share_with_family
    report.submitted_at = now
    if file is not None:
        report.file.save("report.pdf", file, save=False)
    report.save()
    audit_record(
        actor=actor,
        code="report.replaced" if replacing else "report.submitted",
        obj=meeting,
        now=now,
        detail={
            "report": report.pk,
            "shared": share_with_family,
            "file": bool(report.file),
            "in_time_for_family": reached_family_in_time(report),
        },
    )
    return report
