"""A meeting's life as a line of steps, for the meeting page: scheduled, held, draft
shared, comments closed, approved, distributed.

Each step says in words whether it is done (and when), due (and by when) or late, so the
picture reads without colour and to a screen reader as an ordered list. The due dates are
the ones fixed when the meeting was held (``Meeting.draft_due_on`` and
``distribution_due_on``); comments close when the chair shared the draft said they would.
It lives with the minutes because most of its steps are theirs; the meeting page shows it
through the ``meeting_timeline`` template tag, so the meetings app needs nothing from here.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

from django.utils import timezone

from meetings.enums import MeetingStatus
from meetings.models import Meeting
from minutes.models import Minutes


@dataclasses.dataclass(frozen=True)
class Step:
    label: str
    state: str  # "done", "late", "due" (to come, with a date) or "waiting" (no date yet)
    on: date | None  # when it was done, or when it is due
    due_word: str = "by"  # "by" a deadline, "on" the meeting's own date

    @property
    def words(self) -> str:
        return {"done": "Done", "late": "Late", "due": "To come", "waiting": "To come"}[self.state]


def _day(moment: datetime | None) -> date | None:
    return timezone.localtime(moment).date() if moment else None


def _step(label: str, done: date | None, due: date | None, today: date, due_word: str = "by") -> Step:
    if done is not None:
        return Step(label, "done", done)
    if due is None:
        return Step(label, "waiting", None)
    return Step(label, "late" if today > due else "due", due, due_word)


def timeline(meeting: Meeting, minutes: Minutes | None, now: datetime) -> list[Step]:
    """The steps of a meeting that is not cancelled (a cancelled one has no timeline)."""
    today = timezone.localtime(now).date()
    held = meeting.local_date if meeting.status in (MeetingStatus.HELD, MeetingStatus.MINUTED) else None
    closes = _day(minutes.comment_deadline) if minutes else None
    closed = closes if closes is not None and today > closes else None
    approved, sent = (_day(minutes.approved_at), _day(minutes.distributed_at)) if minutes else (None, None)
    return [
        Step("Meeting scheduled", "done", _day(meeting.created_at)),
        _step("Meeting held", held, meeting.local_date, today, "on"),
        _step(
            "Draft minutes shared with the family",
            _day(minutes.shared_at) if minutes else None,
            meeting.draft_due_on,
            today,
        ),
        _step("Comments on the draft close", closed, closes, today),
        _step("Minutes approved", approved, meeting.distribution_due_on, today),
        _step("Final minutes sent", sent, meeting.distribution_due_on, today),
    ]
