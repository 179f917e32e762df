"""Timeliness: how many meetings, drafts, letters and minutes were on time, for managers.

For the meetings held in a period (optionally one chair's), each row says whether each
step met its timescale (``docs/domain.md``): the meeting itself against its statutory due
date (initial conferences from the strategy discussion, reviews from the one before, CLA
reviews from the start of care), the draft shared within 10 working days, the decision
letter the next working day (conferences), the minutes distributed within 15, and the
working days the minutes took. A step not yet taken and not yet due counts as neither.
Totals come per month, for the chart and the CSV.

The page's cost must not grow with the period: totals and months are counted by the
database in one grouped query (local dates by ``TruncDate`` in the site's time zone), the
working days to distribution were stored when the minutes went out, and only the rows
the page lists are loaded as objects. The CSV export loads every row (``rows_for``).

That grouped query still reads every meeting of the period (a year of a large service is
tens of thousands), and managers open the page far more often than the figures change. So
its result is kept in the cache under the generations of meetings, people and minutes
(``config.fragments``: each moves on when a change to it commits), and under the day, since
a step becomes late by the date passing. Entries also expire after ``SUMMARY_SECONDS``.

The rest of the page (the form with its chairs, the feedback and quality figures, the
rows and the open overdue deadlines) is the same for every manager and as costly to
build, so the view keeps the rendered figures the same way (``fragments.kept``) under the
day and the query. What is kept is a page only managers reach, identical for each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.cache import cache
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from config import fragments
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
    rows: list[Row]  # the first ``ROWS_SHOWN`` (all of them from ``rows_for``)
    totals: dict[str, Tally]
    months: list[tuple[date, dict[str, Tally]]]
    median_days_to_distribution: float | None
    meetings: int = 0
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


ROWS_SHOWN = 25


def row_for(meeting: Meeting, today: date) -> Row:
    held_on = meeting.local_date
    minutes, letter = _minutes_of(meeting), _letter_of(meeting)
    results: dict[str, bool | None] = {}
    if meeting.kind in (MeetingKind.ICPC, MeetingKind.RCPC, MeetingKind.CLA) and meeting.due_on:
        results[meeting.kind] = held_on <= meeting.due_on
    results["draft"] = _on_time(_local(minutes.shared_at) if minutes else None, meeting.draft_due_on, today)
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
        days_to_distribution=minutes.working_days_to_distribution if minutes else None,
    )


def held_in(start: date, end: date, *, chair_id: int | None = None) -> QuerySet[Meeting]:
    """The meetings held from ``start`` to ``end`` (local dates, inclusive)."""
    zone = timezone.get_current_timezone()
    meetings = Meeting.objects.filter(
        status__in=[MeetingStatus.HELD, MeetingStatus.MINUTED],
        starts_at__gte=datetime.combine(start, time.min, tzinfo=zone),
        starts_at__lt=datetime.combine(end, time.max, tzinfo=zone),
    )
    return meetings.filter(chair_id=chair_id) if chair_id else meetings


def _step(done: str, due: str, today: date) -> tuple[Q, Q]:
    """(on time, late) for one step: done by its due date; or done after it, or not done
    and the date passed. Neither while not done and not yet due (as ``_on_time``)."""
    on_time = Q(**{f"{done}__isnull": False, f"{done}__lte": F(due)})
    late = Q(**{f"{done}__gt": F(due)}) | Q(**{f"{done}__isnull": True, f"{due}__lt": today})
    return on_time, late


def _measures(today: date) -> dict[str, tuple[Q, Q]]:
    measures = {
        kind: (Q(kind=kind, held_on__lte=F("due_on")), Q(kind=kind, held_on__gt=F("due_on")))
        for kind in (MeetingKind.ICPC, MeetingKind.RCPC, MeetingKind.CLA)
    }
    measures["draft"] = _step("draft_on", "draft_due_on", today)
    on_time, late = _step("letter_on", "letter_due_on", today)
    letter_due = Q(letter_due_on__isnull=False)
    measures["letter"] = (on_time & letter_due, late & letter_due)
    measures["distributed"] = _step("distributed_on", "distribution_due_on", today)
    return measures


SUMMARY_SECONDS = 300
TOPICS = ("meetings", "people", "minutes")  # what the figures show

# The grouped counts in plain values: per measure, (on time, late). The key's "v2" changes
# with this shape, so an entry written by an older release is never read by a newer one.
Counts = dict[str, tuple[int, int]]


@dataclass(frozen=True)
class Summary:
    months: list[tuple[date, Counts]]
    days: list[tuple[int, int]]  # (working days to distribution, how many minutes took them)
    meetings: int
    first: list[int]  # the ids of the rows the page lists (finding them sorts the whole period)


def _summary(meetings: QuerySet[Meeting], today: date) -> Summary:
    counts = {}
    for key, (on_time, late) in _measures(today).items():
        counts[f"{key}_on_time"] = Count("id", filter=on_time)
        counts[f"{key}_late"] = Count("id", filter=late)
    grouped = (
        meetings.annotate(
            held_on=TruncDate("starts_at"),
            draft_on=TruncDate("minutes__shared_at"),
            letter_on=TruncDate("decision_letter__sent_at"),
            distributed_on=TruncDate("minutes__distributed_at"),
            month=TruncMonth("starts_at"),
            days=F("minutes__working_days_to_distribution"),
        )
        .values("month", "days")
        .annotate(meetings=Count("id"), **counts)
        .order_by("month")
    )
    by_month: dict[date, dict[str, tuple[int, int]]] = {}
    days: list[tuple[int, int]] = []
    total = 0
    for group in grouped:
        month = group["month"].date() if isinstance(group["month"], datetime) else group["month"]
        counted = by_month.setdefault(month, {key: (0, 0) for key, _label in MEASURES})
        for key, _label in MEASURES:
            on_time, late = counted[key]
            counted[key] = (on_time + group[f"{key}_on_time"], late + group[f"{key}_late"])
        if group["days"] is not None:
            days.append((group["days"], group["meetings"]))
        total += group["meetings"]
    first = list(meetings.order_by("starts_at", "id").values_list("id", flat=True)[:ROWS_SHOWN])
    return Summary(months=sorted(by_month.items()), days=days, meetings=total, first=first)


def _cached_summary(start: date, end: date, chair_id: int | None, today: date) -> Summary:
    key = f"timeliness:v3:{fragments.generations(TOPICS)}:{start}:{end}:{chair_id or ''}:{today}"
    summary = cache.get(key)
    if summary is None:
        summary = _summary(held_in(start, end, chair_id=chair_id), today)
        cache.set(key, summary, SUMMARY_SECONDS)
    return summary


def _median(counted: list[tuple[int, int]]) -> float | None:
    """The median of values given with how many times each occurs."""
    total = sum(times for _value, times in counted)
    if not total:
        return None
    ordered = sorted(counted)

    def nth(n: int) -> int:  # the n-th value (from 0) in order
        for value, times in ordered:
            if n < times:
                return value
            n -= times
        raise IndexError(n)

    middle = total // 2
    return nth(middle) if total % 2 else (nth(middle - 1) + nth(middle)) / 2


def timeliness(start: date, end: date, *, chair_id: int | None = None, now: datetime | None = None) -> Report:
    """Totals per measure and month for the meetings held in the period, and how many
    minutes took each number of working days to go out (for the median): one query,
    grouped by month and days, a few hundred rows however many meetings the period holds,
    kept in the cache until the figures change, with the ids of the first rows, which the
    page then loads by primary key."""
    today = timezone.localtime(now or timezone.now()).date()
    summary = _cached_summary(start, end, chair_id, today)
    totals = {key: Tally() for key, _label in MEASURES}
    months = []
    counted_by_month = dict(summary.months)
    for month in _months_between(start, end):
        # Every month of the period, those with no meeting too: a gap shows as a gap.
        counted = counted_by_month.get(month, {})
        tallies = {key: Tally(*counted.get(key, (0, 0))) for key, _label in MEASURES}
        for key, _label in MEASURES:
            totals[key].on_time += tallies[key].on_time
            totals[key].late += tallies[key].late
        months.append((month, tallies))
    return Report(
        rows=[row_for(meeting, today) for meeting in _with_rows(Meeting.objects.filter(pk__in=summary.first))],
        totals=totals,
        months=months,
        median_days_to_distribution=_median(summary.days),
        meetings=summary.meetings,
    )


def _with_rows(meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
    return (
        meetings.select_related("chair", "minutes", "decision_letter")
        .prefetch_related("children")
        .order_by("starts_at", "id")
    )


def rows_for(start: date, end: date, *, chair_id: int | None = None, now: datetime | None = None) -> list[Row]:
    """Every row of the period, for the CSV export."""
    today = timezone.localtime(now or timezone.now()).date()
    return [row_for(meeting, today) for meeting in _with_rows(held_in(start, end, chair_id=chair_id))]


def _months_between(start: date, end: date) -> list[date]:
    """The first day of every month from ``start``'s to ``end``'s."""
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


BAR_WIDTH, BAR_GAP = 56, 16
BAR_SPACING = BAR_WIDTH + BAR_GAP


def chart_bars(report: Report, key: str = "distributed") -> list[dict]:
    """The per-month bars of one measure, laid out for the server-rendered SVG: each bar
    carries its own text label, so the chart reads without colour."""
    bars = []
    height = 160
    for i, (month, tallies) in enumerate(report.months):
        tally = tallies[key]
        percent = tally.percent
        bar = round(height * (percent or 0) / 100)
        bars.append(
            {
                "x": 40 + i * BAR_SPACING,
                "centre": 40 + i * BAR_SPACING + BAR_WIDTH // 2,
                "y": 20 + height - bar,
                "width": BAR_WIDTH,
                "height": bar,
                "label": f"{percent}%" if percent is not None else "none",
                "count": f"{tally.on_time} of {tally.total}",
                "month": month,
            }
        )
    return bars
