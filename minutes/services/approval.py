"""Approving the minutes: the conditions, and the immutable version with its SHA-256."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django_fsm import can_proceed

from audit.services import audit_record
from minutes import copies, document, redaction
from minutes.enums import MinutesStatus
from minutes.errors import MinutesError
from minutes.models import Minutes, Version
from minutes.services.common import family_invitations, has_answered, in_words, lock_minutes, require


def full_document(minutes: Minutes) -> str:
    """The full record as plain text: what an approved version stores and hashes."""
    title = f"Minutes: {minutes.meeting.get_kind_display()} {minutes.meeting.reference}"
    return document.full_text(title, copies.reader_copy(minutes, redaction.Reader.staff()))


@transaction.atomic
def minutes_approve(*, minutes: Minutes, actor, now: datetime | None = None) -> Version:
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
    if now <= minutes.comment_deadline:
        waiting = [inv for inv in family_invitations(minutes.meeting) if not has_answered(minutes, inv)]
        if waiting:
            raise MinutesError(
                f"The family has until the end of {in_words(minutes.comment_deadline)} to comment, and "
                f"{len(waiting)} of them {'has' if len(waiting) == 1 else 'have'} not answered yet."
            )
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
    minutes.save()
    audit_record(
        actor=actor,
        code="minutes.approved",
        obj=minutes.meeting,
        now=now,
        detail={"version": number, "sha256": version.sha256},
    )
    return version
