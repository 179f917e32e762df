"""Statutory timescales: pure date arithmetic, no database.

The rules (docs/domain.md says where they come from):

* "N working days after D" counts from the day after D: it is the Nth day after D that is
  neither a weekend nor a public holiday of the territory. D itself never counts.
* "Within N working days of D" means on or before that date.
* Months are calendar months: the same day of the month, or the month's last day when it
  has no such day (31 January + 1 month = 28 or 29 February).

Every number is a setting (``CONFER_TIMESCALES``), because areas differ; an area can also
override a number for one meeting kind under ``"by_kind": {"cin": {...}}``.
"""

from __future__ import annotations

import calendar
import dataclasses
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

import holidays
from django.conf import settings
from django.utils.formats import date_format

from core import limits
from meetings.enums import MeetingKind
from meetings.errors import MeetingError

# Territory code -> (holidays country, subdivision). Wales shares England's bank holidays.
TERRITORIES: dict[str, tuple[str, str | None]] = {
    "JE": ("JE", None),
    "GB-ENG": ("GB", "ENG"),
    "GB-SCT": ("GB", "SCT"),
    "GG": ("GG", None),
}


@dataclasses.dataclass(frozen=True)
class Timescales:
    icpc_working_days: int = 15
    rcpc_first_months: int = 3
    rcpc_later_months: int = 6
    cla_first_working_days: int = 20
    cla_second_months: int = 3
    cla_later_months: int = 6
    cin_review_weeks: int = 12
    decision_letter_working_days: int = 1
    reports_initial_working_days: int = 3
    reports_review_working_days: int = 5
    draft_share_working_days: int = 10
    comment_window_working_days: int = 5
    distribution_working_days: int = 15

    @classmethod
    def from_mapping(cls, overrides: Mapping[str, Any], kind: str | None = None) -> Timescales:
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in overrides.items() if k != "by_kind"}
        if kind is not None:
            values.update(overrides.get("by_kind", {}).get(kind, {}))
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"Unknown timescale setting(s): {', '.join(sorted(unknown))}")
        for name, value in values.items():
            if not isinstance(value, int) or value < 0:
                raise ValueError(f"Timescale {name} must be a whole number of zero or more, not {value!r}")
        return cls(**values)


def timescales(kind: str | None = None) -> Timescales:
    """The timescales in force (from settings), optionally for one meeting kind."""

    return Timescales.from_mapping(settings.CONFER_TIMESCALES, kind)


def default_territory() -> str:

    return settings.CONFER_TERRITORY


@lru_cache(maxsize=8)
def _holidays(territory: str) -> holidays.HolidayBase:
    try:
        country, subdiv = TERRITORIES[territory]
    except KeyError:
        raise ValueError(f"Unknown territory {territory!r}; choose one of {', '.join(TERRITORIES)}") from None
    return holidays.country_holidays(country, subdiv=subdiv)


def is_working_day(day: date, territory: str | None = None) -> bool:
    return day.weekday() < 5 and day not in _holidays(territory or default_territory())


def in_range(day: date, what: str = "The date") -> date:
    """``day``, when it is one a person could mean; otherwise a message saying so. Every
    date this module counts from passes here, so arithmetic never runs off the calendar."""
    if not limits.EARLIEST <= day <= limits.LATEST:
        raise MeetingError(
            f"{what} must be between {date_format(limits.EARLIEST, 'j F Y')} and {date_format(limits.LATEST, 'j F Y')}."
        )
    return day


def ends_after(starts_at: datetime, minutes: int) -> datetime:
    """When a meeting of ``minutes`` that starts at ``starts_at`` ends: counted in real time,
    so a three-hour meeting across the clocks going forward or back still lasts three hours
    (adding to the local time would make it two or four)."""
    in_range(starts_at.date(), "The meeting's date")
    return (starts_at.astimezone(UTC) + timedelta(minutes=minutes)).astimezone(starts_at.tzinfo)


def add_working_days(start: date, n: int, territory: str | None = None) -> date:
    """The Nth working day after ``start`` (before it when N is negative); N=0 is ``start``."""
    in_range(start)
    territory = territory or default_territory()
    step = 1 if n >= 0 else -1
    day, remaining = start, abs(n)
    while remaining:
        day += timedelta(days=step)
        if is_working_day(day, territory):
            remaining -= 1
    return day


def working_days_between(start: date, end: date, territory: str | None = None) -> int:
    """How many working days after ``start`` ``end`` is (negative when ``end`` is earlier)."""
    territory = territory or default_territory()
    if end < start:
        return -working_days_between(end, start, territory)
    return sum(1 for i in range(1, (end - start).days + 1) if is_working_day(start + timedelta(days=i), territory))


def add_months(start: date, n: int) -> date:
    in_range(start)
    month_index = start.month - 1 + n
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def initial_conference_due(strategy_discussion_on: date, territory: str | None = None) -> date:
    return add_working_days(strategy_discussion_on, timescales(MeetingKind.ICPC).icpc_working_days, territory)


def first_cla_review_due(looked_after_since: date, territory: str | None = None) -> date:
    return add_working_days(looked_after_since, timescales(MeetingKind.CLA).cla_first_working_days, territory)


@dataclasses.dataclass(frozen=True)
class NextMeeting:
    kind: MeetingKind
    due_on: date


def next_meeting_after(
    kind: MeetingKind, held_on: date, *, continues: bool, earlier_in_track: int
) -> NextMeeting | None:
    """The meeting that must follow one held on ``held_on``, or None when the plan ended.

    ``earlier_in_track`` counts the meetings of the same track held before this one, which
    decides whether this was the first review (a shorter gap follows it).
    """
    if not continues:
        return None
    t = timescales(kind)
    kind = MeetingKind(kind)
    if kind == MeetingKind.ICPC:
        return NextMeeting(MeetingKind.RCPC, add_months(held_on, t.rcpc_first_months))
    if kind == MeetingKind.RCPC:
        return NextMeeting(MeetingKind.RCPC, add_months(held_on, t.rcpc_later_months))
    if kind == MeetingKind.CLA:
        months = t.cla_second_months if earlier_in_track == 0 else t.cla_later_months
        return NextMeeting(MeetingKind.CLA, add_months(held_on, months))
    return NextMeeting(MeetingKind.CIN, held_on + timedelta(weeks=t.cin_review_weeks))


def due_after(meeting) -> tuple[date | None, date, date]:
    """What is due after a meeting is held: the decision letter (conferences only), the
    draft shared, the minutes distributed, each N working days after the meeting's day."""
    t = timescales(meeting.kind)
    day = meeting.local_date
    letter = add_working_days(day, t.decision_letter_working_days) if MeetingKind(meeting.kind).is_conference else None
    return letter, add_working_days(day, t.draft_share_working_days), add_working_days(day, t.distribution_working_days)
