"""Distributing approved minutes: every reader entitled to them gets their own copy.

Each recipient's copy is their reader's copy (``minutes.copies``) as a PDF, rendered once
per distinct redaction profile and stamped with their name on every page. Distributing
moves the minutes to *distributed* and the meeting to *minuted*, in one transaction with
the audit events and the emails (which link to the copy behind sign-in; the PDF itself
does not leave Confer by email).

Deadlines are enforced here, not just shown: nothing goes out while the family's comment
window is open unless every invited family member has answered the draft as last shared,
and distributing after the due date (15 working days after the meeting by default) needs
the reason it is late, which is kept and audited.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from audit.services import audit_record
from core import limits
from meetings import timescales
from meetings.enums import InvitationRole
from meetings.models import Invitation, Meeting
from meetings.services import meeting_mark_minuted
from minutes import copies, pdf, redaction
from minutes.enums import MinutesStatus
from minutes.errors import MinutesError
from minutes.models import Distribution, Minutes, Version
from minutes.services.common import (
    family_invitations,
    has_answered,
    in_words,
    lock_minutes,
    require,
    state_refusal,
)
from notifications.links import absolute_url
from notifications.services import outbox_enqueue


def distribution_due(meeting: Meeting) -> date:
    """The last day the minutes may go out on time, fixed when the meeting was held."""
    return meeting.distribution_due_on


def recipients(meeting: Meeting) -> list[Invitation]:
    """Everyone sent a copy (``InvitationRole.receives_minutes``), in a stable order."""
    invitations = meeting.invitations.select_related("person").order_by("role", "id")
    return [inv for inv in invitations if inv.role_enum.receives_minutes]


def copy_html(minutes: Minutes, version: Version, copy: redaction.ReaderCopy, *, plain: bool) -> str:
    """A reader's copy in the print design (A4, running header, page x of y, hash)."""
    return render_to_string(
        "pdf/minutes.html",
        {"meeting": minutes.meeting, "minutes": minutes, "version": version, "copy": copy, "plain": plain},
    )


def distribution_summary(made: list[Distribution]) -> str:
    """What the chair is told after distributing: how many copies were emailed, and who has
    no email address, so must be given or posted their copy. A copy is never called sent
    when no email went."""
    emailed = [d for d in made if d.person.email]
    by_hand = [d.person.full_name for d in made if not d.person.email]
    said = f"Each of {len(made)} people has their own copy. {len(emailed)} emailed."
    if by_hand:
        said += f" Not emailed, as they have no email address: {', '.join(by_hand)}."
    return said


def stamp_text(invitation: Invitation) -> str:
    return f"OFFICIAL-SENSITIVE - copy for {invitation.person.full_name} - do not share"


def _profile(key: tuple) -> str:
    return hashlib.sha256(repr(key).encode()).hexdigest()


def _refuse_while_family_may_answer(minutes: Minutes, now: datetime) -> None:
    if minutes.comment_deadline is None or now > minutes.comment_deadline:
        return
    if minutes.comments_closed_early_at is not None:
        return  # the chair closed the family's time early when approving, with a reason they were shown
    waiting = [inv for inv in family_invitations(minutes.meeting) if not has_answered(minutes, inv)]
    if waiting:
        raise MinutesError(
            f"The family has until the end of {in_words(minutes.comment_deadline)} to comment, and "
            f"{len(waiting)} of them {'has' if len(waiting) == 1 else 'have'} not answered the draft yet. "
            "The minutes can go out once they all have, or the window has closed."
        )


def _email(minutes: Minutes, invitation: Invitation, distribution: Distribution, *, now: datetime) -> None:
    meeting = minutes.meeting
    title = f"{meeting.get_kind_display()} {meeting.reference}"
    link = absolute_url(reverse("minutes:copy", args=[meeting.pk]))
    attach = settings.CONFER_ATTACH_MINUTES_PDF
    where = "Your copy is attached. You can also read it" if attach else "Read and download your copy"
    outbox_enqueue(
        attachment=distribution.file.name if attach else "",
        attachment_name=f"minutes-{meeting.reference}.pdf" if attach else "",
        key=f"minutes:{minutes.pk}:distributed:{invitation.person_id}",
        to_email=invitation.person.email,
        recipient=invitation.person,
        subject=f"Final minutes: {title}",
        body=(
            f"Hello,\n\nThe final minutes of the {meeting.get_kind_display().lower()} {meeting.reference} "
            f"are ready.\n\n{where} at {link} (you need to sign in).\n\n"
            "Your copy has your name on every page. Please keep it safe and do not share it.\n"
        ),
        obj=meeting,
        now=now,
    )


@transaction.atomic
def minutes_distribute(
    *, minutes: Minutes, actor, late_reason: str = "", now: datetime | None = None
) -> list[Distribution]:
    """Send the approved minutes to everyone entitled, each their own stamped copy."""
    now = now or timezone.now()
    minutes = lock_minutes(minutes)
    require(actor, "distribute", minutes)
    if minutes.status == MinutesStatus.DISTRIBUTED:
        raise MinutesError(f"These minutes were already distributed on {in_words(minutes.distributed_at)}.")
    if minutes.status != MinutesStatus.APPROVED:
        raise state_refusal(minutes, "they can be distributed only once approved")
    _refuse_while_family_may_answer(minutes, now)
    meeting = minutes.meeting
    due = distribution_due(meeting)
    late = timezone.localtime(now).date() > due
    late_reason = limits.enforce(late_reason, limits.REASON, "The reason they are late", MinutesError)
    if late and not late_reason.strip():
        raise MinutesError(
            f"The minutes were due to be distributed by {date_format(due, 'l j F Y')}. "
            "Give the reason they are late: it is kept and reported.",
            field="late_reason",
        )
    version = minutes.versions.order_by("-number").first()
    contents = copies.load(minutes)
    readers = copies.readers_of(meeting)
    renders: dict[str, bytes] = {}
    made = []
    for invitation in recipients(meeting):
        copy = copies.copy_for(contents, readers[invitation.pk])
        plain = invitation.role == InvitationRole.YOUNG_PERSON
        profile = _profile((redaction.profile_key(copy), plain))
        if profile not in renders:
            renders[profile] = pdf.render_pdf(copy_html(minutes, version, copy, plain=plain))
        data = pdf.stamp(renders[profile], stamp_text(invitation))
        distribution = Distribution(
            minutes=minutes,
            version=version,
            invitation=invitation,
            person=invitation.person,
            profile=profile,
            sha256=pdf.sha256(data),
            sent_at=now,
        )
        distribution.file.save("copy.pdf", ContentFile(data), save=False)
        distribution.save()
        made.append(distribution)
        if invitation.person.email:
            _email(minutes, invitation, distribution, now=now)
    minutes.mark_distributed(now=now)
    minutes.working_days_to_distribution = timescales.working_days_between(
        meeting.local_date, timezone.localtime(now).date()
    )
    minutes.distribution_late_reason = late_reason.strip() if late else ""
    minutes.save()
    meeting_mark_minuted(meeting=meeting, actor=actor, now=now)
    audit_record(
        actor=actor,
        code="minutes.distributed",
        obj=meeting,
        now=now,
        detail={
            "version": version.number,
            "due_on": due.isoformat(),
            "late_reason": minutes.distribution_late_reason,
            "renders": len(renders),
            "copies": [{"person": d.person_id, "profile": d.profile[:12], "sha256": d.sha256} for d in made],
        },
    )
    return made
