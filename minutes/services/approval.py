"""Approving the minutes: the conditions, and the immutable version with its SHA-256."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django_fsm import can_proceed

from audit.services import audit_record
from core import limits
from minutes import copies, document, redaction
from minutes.enums import MinutesStatus
from minutes.errors import MinutesError
from minutes.models import Minutes, Version
from minutes.services.common import family_invitations, has_finished, in_words, lock_minutes, require


def full_document(minutes: Minutes) -> str:
    """The full record as plain text: what an approved version stores and hashes."""
    title = f"Minutes: {minutes.meeting.get_kind_display()} {minutes.meeting.reference}"
    return document.full_text(title, copies.reader_copy(minutes, redaction.Reader.staff()))


@transaction.atomic
def minutes_approve(*, minutes: Minutes, actor, close_early_reason: str = "", now: datetime | None = None) -> Version:
    """Approve the record. Before the family's time for comments is up, every family member
    must have said they have finished; otherwise the chair closes it early only with a
    reason, which is recorded, audited and shown to the family."""
    now = now or timezone.now()
    minutes = lock_minutes(minutes)
    require(actor, "approve", minutes)
    if minutes.status in (MinutesStatus.APPROVED, MinutesStatus.DISTRIBUTED):
        raise MinutesError(f"These minutes were already approved on {in_words(minutes.approved_at)}.")
    if not can_proceed(minutes.approve):
        raise MinutesError("Share the draft with the family for comment before approving it.")
    unanswered = minutes.comments.filter(withdrawn_at__isnull=True, response__isnull=True).count()
    if unanswered:
        raise MinutesError(f"Answer every comment from the family first ({unanswered} not answered).")
    close_early_reason = limits.enforce(close_early_reason, limits.REASON, "The reason", MinutesError)
    closes_early = False
    if now <= minutes.comment_deadline:
        waiting = [inv for inv in family_invitations(minutes.meeting) if not has_finished(minutes, inv)]
        if waiting and not close_early_reason:
            after = timezone.localtime(minutes.comment_deadline).date() + timedelta(days=1)
            raise MinutesError(
                f"The family has until the end of {in_words(minutes.comment_deadline)} to comment, and "
                f"{len(waiting)} of them {'has' if len(waiting) == 1 else 'have'} not said they have finished. "
                f"You can approve from {date_format(after, 'l j F')}, or give the reason for closing the time "
                "for comments early: the family will read it.",
                field="close_early_reason",
            )
        closes_early = bool(waiting)
    content = full_document(minutes)
    number = minutes.versions.count() + 1
    version = Version.objects.create(
        minutes=minutes,
        number=number,
        created_at=now,
        created_by=actor,
        content=content,
        sha256=document.sha256(content),
    )
    minutes.approve(now=now, user=actor)
    if closes_early:
        minutes.comments_closed_early_at, minutes.comments_closed_early_reason = now, close_early_reason
        audit_record(
            actor=actor,
            code="minutes.comments_closed_early",
            obj=minutes.meeting,
            now=now,
            detail={"reason": close_early_reason, "deadline": minutes.comment_deadline.isoformat()},
        )
    minutes.save()
    audit_record(
        actor=actor,
        code="minutes.approved",
        obj=minutes.meeting,
        now=now,
        detail={"version": number, "sha256": version.sha256},
    )
    return version
