from __future__ import annotations

import dataclasses
from datetime import date, datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from meetings.enums import MeetingStatus
from meetings.models import Meeting
from minutes.enums import MinutesStatus
from minutes.models import Minutes

# --- the chair's work ------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ChairStep:
    """What the chair has to do next for a meeting, and by when."""

    meeting: Meeting
    action: str
    due_on: date
    overdue: bool


def chair_workload(user) -> QuerySet[Meeting]:
    """The meetings this chair still has something to do for, soonest first: scheduled,
    or held and not yet minuted. Each carries its minutes (or None) and how many of the
    family's comments wait for an answer, in one query."""
    unanswered = Count(
        "minutes__comments",
        filter=Q(minutes__comments__withdrawn_at__isnull=True, minutes__comments__response__isnull=True),
    )
    return (
        Meeting.objects.filter(chair__user=user, status__in=[MeetingStatus.SCHEDULED, MeetingStatus.HELD])
        .select_related("chair", "minutes")
        .annotate(unanswered=unanswered)
        .order_by("starts_at", "id")
    )


def _minutes_of(meeting: Meeting) -> Minutes | None:
    try:
        return meeting.minutes
    except Minutes.DoesNotExist:
        return None


def chair_step(meeting: Meeting, now: datetime) -> ChairStep:
    """The next step from the meeting's and its minutes' state (no queries: the meeting
    comes from ``chair_workload``). The dates follow the timescales: draft shared within
    10 working days of the meeting, minutes distributed within 15."""
    today = timezone.localtime(now).date()

    def step(action: str, due_on: date) -> ChairStep:
        return ChairStep(meeting, action, due_on, due_on < today)

    if meeting.status == MeetingStatus.SCHEDULED:
        if meeting.starts_at <= now:
            return step("Record the meeting as held", meeting.local_date)
        return ChairStep(meeting, "Hold the meeting", meeting.local_date, False)
    # Fixed when the meeting was held (``timescales.due_after``).
    share_by, distribute_by = meeting.draft_due_on, meeting.distribution_due_on
    minutes = _minutes_of(meeting)
    unanswered = getattr(meeting, "unanswered", 0)
    if minutes is None:
        return step("Write the minutes", share_by)
    if minutes.status == MinutesStatus.DRAFT:
        if minutes.share_count:
            return step("Share the changed draft with the family again", distribute_by)
        return step("Finish the draft and share it with the family", share_by)
    if minutes.status == MinutesStatus.SHARED:
        if unanswered:
            return step(f"Answer the family's comments ({unanswered} waiting)", distribute_by)
        if now <= minutes.comment_deadline:
            deadline = timezone.localtime(minutes.comment_deadline).date()
            return ChairStep(meeting, "Wait for the family's comments, then approve", deadline, False)
        return step("Approve the minutes", distribute_by)
    return step("Distribute the minutes", distribute_by)
