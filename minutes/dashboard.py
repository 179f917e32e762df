"""Timeliness: how many meetings, drafts, letters and minutes were on time, for managers.

For the meetings held in a period (optionally one chair's), each row says whether each
step met its timescale (``docs/domain.md``): the meeting itself against its statutory due
date (initial conferences from the strategy discussion, reviews from the one before, CLA
reviews from the start of care), the draft shared within 10 working days, the decision
letter the next working day (conferences), the minutes distributed within 15, and the
working days the minutes took. A step not yet taken and not yet due counts as neither.
Totals come per month, for the chart and the CSV.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.utils import timezone

from meetings import timescales
from meetings.enums import MeetingKind, MeetingStatus
from meetings.models import Meeting
from minutes.models import DecisionLetter, Minutes

MEASURES = [
    ("icpc", "Initial conferences within 15 working days of the strategy discussion"),
    ("rcpc", "Review conferences on time"),
    ("cla", "CLA reviews on time"),
    ("draft", "Drafts shared within 10 working days"),
    ("letter", "Decision letters the next working day"),
    ("distributed", "Minutes distributed within 15 working days"),
]


def _local(moment: datetime | None) -> date | None:
    return timezone.localtime(moment).date() if moment else None


def _on_time(done: date | None, due: date, today: date) -> bool | None:
    """True/False once decided; None while not done and not yet due."""
    if done is not None:
        return done <= due
    return False if today > due else None


@dataclass
class Row:
    meeting: Meeting
    children: str
    chair: str
    held_on: date
    results: dict[str, bool | None]
    days_to_distribution: int | None


@dataclass
class Tally:
    on_time: int = 0
    late: int = 0

    def add(self, result: bool | None) -> None:
        if result is True:
            self.on_time += 1
        elif result is False:
            self.late += 1

    @property
    def total(self) -> int:
        return self.on_time + self.late

    @property
    def percent(self) -> int | None:
        return round(100 * self.on_time / self.total) if self.total else None


@dataclass
class Report:
    rows: list[Row]
    totals: dict[str, Tally]
    months: list[tuple[date, dict[str, Tally]]]
    median_days_to_distribution: float | None
    overdue: list = field(default_factory=list)


def _minutes_of(meeting: Meeting) -> Minutes | None:
    try:
        return meeting.minutes
    except Minutes.DoesNotExist:
        return None


def _letter_of(meeting: Meeting) -> DecisionLetter | None:
    try:
        return meeting.decision_letter
    except DecisionLetter.DoesNotExist:
        return None


def row_for(meeting: Meeting, today: date) -> Row:
    held_on = meeting.local_date
    minutes, letter = _minutes_of(meeting), _letter_of(meeting)
    results: dict[str, bool | None] = {}
    if meeting.kind in (MeetingKind.ICPC, MeetingKind.RCPC, MeetingKind.CLA) and meeting.due_on:
        results[meeting.kind] = held_on <= meeting.due_on
    results["draft"] = _on_time(
        _local(minutes.shared_at) if minutes else None,
        meeting.draft_due_on,
        today,
    )
    if meeting.letter_due_on is not None:
        results["letter"] = _on_time(_local(letter.sent_at) if letter else None, meeting.letter_due_on, today)
    distributed = _local(minutes.distributed_at) if minutes else None
    results["distributed"] = _on_time(distributed, meeting.distribution_due_on, today)
    return Row(
        meeting=meeting,
        children=", ".join(child.identifier for child in meeting.children.all()),
        chair=meeting.chair.full_name,
        held_on=held_on,
        results=results,
        days_to_distribution=timescales.working_days_between(held_on, distributed) if distributed else None,
    )


def timeliness(start: date, end: date, *, chair_id: int | None = None, now: datetime | None = None) -> Report:
    """Every meeting held from ``start`` to ``end`` (local dates, inclusive); three queries."""
    zone = timezone.get_current_timezone()
    meetings = (
        Meeting.objects.filter(
            status__in=[MeetingStatus.HELD, MeetingStatus.MINUTED],
            starts_at__gte=datetime.combine(start, time.min, tzinfo=zone),
            starts_at__lt=datetime.combine(end, time.max, tzinfo=zone),
        )
        .select_related("chair", "minutes", "decision_letter")
        .prefetch_related("children")
        .order_by("starts_at", "id")
    )
    if chair_id:
        meetings = meetings.filter(chair_id=chair_id)
    today = timezone.localtime(now or timezone.now()).date()
    rows = [row_for(meeting, today) for meeting in meetings]
    totals = {key: Tally() for key, _label in MEASURES}
    by_month: dict[date, dict[str, Tally]] = defaultdict(lambda: {key: Tally() for key, _label in MEASURES})
    for row in rows:
        month = row.held_on.replace(day=1)
        for key, result in row.results.items():
            totals[key].add(result)
            by_month[month][key].add(result)
    days = [row.days_to_distribution for row in rows if row.days_to_distribution is not None]
    return Report(
        rows=rows,
        totals=totals,
        months=sorted(by_month.items()),
        median_days_to_distribution=statistics.median(days) if days else None,
    )


def chart_bars(report: Report, key: str = "distributed") -> list[dict]:
    """The per-month bars of one measure, laid out for the server-rendered SVG: each bar
    carries its own text label, so the chart reads without colour."""
    bars = []
    width, gap, height = 48, 16, 160
    for i, (month, tallies) in enumerate(report.months):
        tally = tallies[key]
        percent = tally.percent
        bar = round(height * (percent or 0) / 100)
        bars.append(
            {
                "x": 40 + i * (width + gap),
                "y": 20 + height - bar,
                "width": width,
                "height": bar,
                "label": f"{percent}%" if percent is not None else "none",
                "count": f"{tally.on_time} of {tally.total}",
                "month": month,
            }
        )
    return bars
