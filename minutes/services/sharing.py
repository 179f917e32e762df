"""Sharing the draft with the family, taking it back, and giving them more time."""

from __future__ import annotations

from datetime import datetime, time

from django.db import transaction
from django.utils import timezone
from django_fsm import can_proceed

from audit.services import audit_record
from core import limits
from meetings import timescales
from meetings.invites import meeting_url
from minutes.enums import MinutesStatus
from minutes.errors import MinutesError
from minutes.models import Minutes
from minutes.services.common import family_readers, in_words, lock_minutes, require, state_refusal
from notifications.services import outbox_enqueue


def comment_deadline_from(now: datetime, kind: str) -> datetime:
    """The end of the Nth working day after ``now`` (the window is never cut short)."""
    days = timescales.timescales(kind).comment_window_working_days
    last_day = timescales.add_working_days(timezone.localdate(now), days)
    return timezone.make_aware(datetime.combine(last_day, time(23, 59, 59)))


def _notify_family(minutes: Minutes, *, kind: str, now: datetime, extra: str = "") -> int:
    meeting = minutes.meeting
    title = f"{meeting.get_kind_display()} {meeting.reference}"
    subject, opening = {
        "shared": (
            f"Draft minutes ready for your comments: {title}",
            f"The draft minutes of the {meeting.get_kind_display().lower()} {meeting.reference} are ready "
            "for you to read and comment on.",
        ),
        "reopened": (
            f"More time to comment on the draft minutes: {title}",
            f"The chair has reopened the comment window for the draft minutes of {meeting.reference}.",
        ),
    }[kind]
    body = (
        f"Hello,\n\n{opening}\n\nSend your comments by {in_words(minutes.comment_deadline)}.{extra}\n\n"
        f"Read them at {meeting_url(meeting)}minutes/ (you need to sign in).\n"
    )
    sent = 0
    # One message per sharing (a draft shared again is news, even on the same day) and per
    # new deadline when the window is reopened.
    occasion = minutes.share_count if kind == "shared" else minutes.comment_deadline.isoformat()
    for inv in family_readers(meeting):
        if inv.person.email:
            outbox_enqueue(
                key=f"minutes:{minutes.pk}:{kind}:{occasion}:{inv.pk}",
                to_email=inv.person.email,
                recipient=inv.person,
                subject=subject,
                body=body,
                obj=meeting,
                now=now,
            )
            sent += 1
    return sent


@transaction.atomic
def minutes_share(*, minutes: Minutes, actor, now: datetime | None = None) -> Minutes:
    now = now or timezone.now()
    minutes = lock_minutes(minutes)
    require(actor, "share", minutes)
    if minutes.status == MinutesStatus.SHARED:
        raise MinutesError(f"The draft was already shared on {in_words(minutes.shared_at)}.")
    if not can_proceed(minutes.share):
        raise state_refusal(minutes, "they cannot be shared")
    # Sharing again after a withdrawal never shortens the window the family was given.
    deadline = comment_deadline_from(now, minutes.meeting.kind)
    if minutes.comment_deadline and minutes.comment_deadline > deadline:
        deadline = minutes.comment_deadline
    minutes.share(now=now, deadline=deadline)
    minutes.save()
    notified = _notify_family(minutes, kind="shared", now=now)
    audit_record(
        actor=actor,
        code="minutes.shared",
        obj=minutes.meeting,
        now=now,
        detail={"deadline": deadline.isoformat(), "notified": notified, "round": minutes.share_count},
    )
    return minutes


@transaction.atomic
def minutes_withdraw(*, minutes: Minutes, actor, reason: str, now: datetime | None = None) -> Minutes:
    now = now or timezone.now()
    minutes = lock_minutes(minutes)
    require(actor, "withdraw", minutes)
    if not can_proceed(minutes.withdraw):
        raise state_refusal(minutes, "they cannot be withdrawn")
    limits.enforce(reason, limits.REASON, "The reason", MinutesError)
    if not reason.strip():
        raise MinutesError("Give the reason for withdrawing the draft.")
    minutes.withdraw()
    minutes.save()
    audit_record(actor=actor, code="minutes.withdrawn", obj=minutes.meeting, now=now, detail={"reason": reason.strip()})
    return minutes


@transaction.atomic
def window_reopen(*, minutes: Minutes, actor, reason: str, now: datetime | None = None) -> Minutes:
    """The chair gives the family a fresh comment window (reason recorded, family told)."""
    now = now or timezone.now()
    minutes = lock_minutes(minutes)
    require(actor, "reopen", minutes)
    if minutes.status != MinutesStatus.SHARED:
        raise MinutesError("The comment window can be reopened only while the draft is shared.")
    limits.enforce(reason, limits.REASON, "The reason", MinutesError)
    if not reason.strip():
        raise MinutesError("Give the reason for reopening the comment window.")
    previous = minutes.comment_deadline
    minutes.comment_deadline = max(previous, comment_deadline_from(now, minutes.meeting.kind))
    minutes.save(update_fields=["comment_deadline"])
    _notify_family(minutes, kind="reopened", now=now)
    audit_record(
        actor=actor,
        code="minutes.window_reopened",
        obj=minutes.meeting,
        now=now,
        detail={"reason": reason.strip(), "from": previous.isoformat(), "to": minutes.comment_deadline.isoformat()},
    )
    return minutes
