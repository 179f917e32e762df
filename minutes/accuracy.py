"""The professionals' accuracy check: before the family sees the draft, the chair may send
it to the professionals who attended to check what it says of their own contributions.

The chair sets a deadline no later than the draft's own due date (10 working days after
the meeting), so the check never delays the family's draft. Each professional who
attended is emailed a link (never the content). They propose corrections section by
section; each is kept as a suggestion against the version of the section they read, and
the draft does not change. The chair sees each suggestion as a word-by-word change and
accepts it (the section takes the text, as a tracked save by the chair) or declines it
with a reason. A suggestion against a section changed since is not applied: the chair
re-reads it. Once the draft is shared with the family, suggestions are closed.
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from audit.services import audit_record
from meetings.enums import Attendance, InvitationRole
from minutes import copies
from minutes.enums import MinutesStatus
from minutes.errors import MinutesError
from minutes.models import AccuracyCheck, Minutes, Section, Suggestion
from minutes.services.common import lock_minutes, require
from minutes.services.writing import section_save
from notifications.links import absolute_url
from notifications.services import outbox_enqueue

Decision = Suggestion.Decision


def checkers(minutes: Minutes) -> list:
    """The professionals who attended (invited as professionals, marked as attended)."""
    return list(
        minutes.meeting.invitations.filter(role=InvitationRole.PROFESSIONAL, attendance=Attendance.ATTENDED)
        .select_related("person")
        .order_by("id")
    )


def is_open(check: AccuracyCheck | None, now: datetime) -> bool:
    """Suggestions are taken until the deadline's end, while the draft is not yet shared."""
    if check is None:
        return False
    minutes = check.minutes
    return (
        minutes.status == MinutesStatus.DRAFT
        and minutes.share_count == 0
        and timezone.localtime(now).date() <= check.deadline
    )


@transaction.atomic
def accuracy_check_send(*, minutes: Minutes, actor, deadline: date, now: datetime | None = None) -> AccuracyCheck:
    """Send the draft to the professionals who attended, to check by ``deadline``."""
    now = now or timezone.now()
    minutes = lock_minutes(minutes)
    require(actor, "share", minutes)  # the chair, who shares the draft
    if minutes.status != MinutesStatus.DRAFT or minutes.share_count:
        raise MinutesError("The accuracy check comes before the family sees the draft.")
    if AccuracyCheck.objects.filter(minutes=minutes).exists():
        raise MinutesError("The draft has already been sent for an accuracy check.")
    today, due = timezone.localtime(now).date(), minutes.meeting.draft_due_on
    if deadline < today or (due and deadline > due):
        raise MinutesError(
            f"Choose a date from today to {date_format(due, 'l j F Y')}, when the draft is due to the family."
            if due
            else "Choose a date from today."
        )
    people = checkers(minutes)
    if not people:
        raise MinutesError("No professional is recorded as having attended, so there is no one to check it.")
    check = AccuracyCheck.objects.create(minutes=minutes, sent_by=actor, sent_at=now, deadline=deadline)
    meeting = minutes.meeting
    link = absolute_url(reverse("minutes:accuracy", args=[meeting.pk]))
    for invitation in people:
        if invitation.person.email:
            outbox_enqueue(
                key=f"accuracy:{check.pk}:{invitation.pk}",
                to_email=invitation.person.email,
                recipient=invitation.person,
                subject=f"Please check the draft minutes of {meeting.reference}",
                body=(
                    f"Hello,\n\nThe chair asks you to check what the draft minutes of {meeting.reference} say of "
                    f"your contribution, by {date_format(deadline, 'l j F Y')}, before the family sees them. "
                    f"Suggest corrections at {link} (you need to sign in).\n"
                ),
                obj=meeting,
                now=now,
            )
    audit_record(
        actor=actor,
        code="minutes.accuracy_check_sent",
        obj=meeting,
        now=now,
        detail={"check": check.pk, "deadline": deadline.isoformat(), "to": [i.pk for i in people]},
    )
    return check


@transaction.atomic
def suggestion_add(*, section: Section, actor, text: str, note: str = "", now: datetime | None = None) -> Suggestion:
    """A professional who attended proposes new text for a section. The draft is unchanged."""
    now = now or timezone.now()
    minutes = lock_minutes(section.minutes)
    check = AccuracyCheck.objects.filter(minutes=minutes).first()
    invitation = copies.invitation_of(minutes.meeting, actor)
    if invitation is None or invitation.pk not in {i.pk for i in checkers(minutes)}:
        raise PermissionDenied("Only the professionals who attended check the draft.")
    if check is None:
        raise MinutesError("The chair has not asked for an accuracy check of this draft.")
    check.minutes = minutes
    if not is_open(check, now):
        raise MinutesError("The accuracy check has closed: the chair can still be told directly.")
    section = Section.objects.get(pk=section.pk, minutes=minutes)
    text = text.strip()
    if not text or text == section.text.strip():
        raise MinutesError("Change the text to suggest a correction.")
    suggestion = Suggestion.objects.create(
        accuracy_check=check,
        section=section,
        author=invitation,
        base_version=section.version,
        base_text=section.text,
        text=text,
        note=note.strip(),
        created_at=now,
    )
    audit_record(
        actor=actor,
        code="minutes.suggestion_added",
        obj=minutes.meeting,
        now=now,
        detail={"suggestion": suggestion.pk, "section": section.pk},
    )
    return suggestion


@transaction.atomic
def suggestion_decide(
    *, suggestion: Suggestion, actor, accept: bool, reason: str = "", now: datetime | None = None
) -> Suggestion:
    """The chair's decision. Accepting saves the suggested text as the chair's change to
    the section; a section changed since the suggestion was made is not overwritten."""
    now = now or timezone.now()
    suggestion = (
        Suggestion.objects.select_for_update().select_related("section", "accuracy_check").get(pk=suggestion.pk)
    )
    minutes = lock_minutes(suggestion.section.minutes)
    require(actor, "share", minutes)
    if suggestion.decision:
        raise MinutesError("This suggestion has already been decided.")
    if accept:
        section = suggestion.section
        if section.version != suggestion.base_version:
            raise MinutesError(
                "The section has changed since this suggestion was made: read both and change the section yourself."
            )
        section_save(section=section, actor=actor, text=suggestion.text, version=section.version, now=now)
    elif not reason.strip():
        raise MinutesError("Give the reason for not accepting it: it is kept.")
    suggestion.decision = Decision.ACCEPTED if accept else Decision.DECLINED
    suggestion.reason, suggestion.decided_at, suggestion.decided_by = reason.strip(), now, actor
    suggestion.save()
    audit_record(
        actor=actor,
        code="minutes.suggestion_decided",
        obj=minutes.meeting,
        now=now,
        detail={"suggestion": suggestion.pk, "accepted": accept},
    )
    return suggestion
