"""The deadline sweep: lateness made visible before anyone has to complain.

Run by ``manage.py sweep_deadlines`` (and the ``sweep_deadlines`` task) every working day.
For every open deadline it finds —

* **decision letter**: a held conference whose letter to the parents has not been sent
  (due 1 working day after it);
* **draft**: a held meeting whose draft has not been shared (due 10 working days after
  the meeting); overdue, this is "no minutes produced", listed for managers;
* **comments**: shared minutes with family comments not answered (due with distribution);
* **distribution**: minutes shared or approved and not yet distributed (15 working days);
* **next meeting**: a next statutory meeting due soon with none scheduled —

it reminds the chair a few working days before the due date
(``CONFER_REMINDER_WORKING_DAYS``), and once the date has passed tells the chair and every
manager (administrators too, for a meeting to schedule). Administrators hear of a next
meeting ``CONFER_NEXT_MEETING_NOTICE_WORKING_DAYS`` before it is due.

Idempotent: each (meeting, deadline, due date, stage) is recorded once as a
``DeadlineNotice``, so a second run tells nobody anything twice. Set-based: a fixed number
of queries whatever the number of items (candidates are filtered in SQL, notices and
emails written in bulk), and each person gets one email a run listing what is new for them.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from audit.services import audit_record
from meetings import timescales
from meetings.enums import MeetingKind, MeetingStatus
from meetings.models import Meeting
from minutes.enums import MinutesStatus
from minutes.models import Comment, DeadlineNotice, DecisionLetter
from notifications.links import absolute_url
from notifications.models import OutboundEmail
from notifications.services import outbox_enqueue_many
from participants.enums import StaffRole
from participants.models import Person

Kind, Stage = DeadlineNotice.Kind, DeadlineNotice.Stage
LISTED_PER_EMAIL = 50


@dataclass(frozen=True)
class Due:
    """One deadline to tell someone about. Plain values, not model instances: a sweep may
    hold a hundred thousand of them."""

    meeting_id: int
    reference: str
    meeting_kind: str
    next_kind: str
    chair_id: int
    chair_email: str
    kind: str
    due_on: date
    stage: str


# What each deadline query reads of a meeting (and whether it was reminded already).
FIELDS = ("pk", "reference", "kind", "next_kind", "chair_id", "chair__email", "starts_at", "next_due_on", "reminded")


def _due_item(row: tuple, kind: str, due_on: date, stage: str) -> Due:
    pk, reference, meeting_kind, next_kind, chair_id, chair_email = row[:6]
    return Due(pk, reference, meeting_kind, next_kind, chair_id, chair_email, kind, due_on, stage)


@lru_cache(maxsize=4096)
def _working_days_after(day: date, days: int, territory: str) -> date:
    # Meetings share dates; the sweep asks the same sums thousands of times.
    return timescales.add_working_days(day, days, territory)


def _due(day: date, days: int) -> date:
    return _working_days_after(day, days, settings.CONFER_TERRITORY)


def _stage(due_on: date, today: date, notice_days: int) -> str | None:
    if today > due_on:
        return Stage.OVERDUE
    if today >= _due(due_on, -notice_days):
        return Stage.REMINDER
    return None


def _notice(kind: str, stage: str):
    return DeadlineNotice.objects.filter(meeting=OuterRef("pk"), kind=kind, stage=stage)


def _with_notices(meetings, kind: str):
    """Meetings not yet told about at the overdue stage, each knowing if it was reminded."""
    return meetings.annotate(reminded=Exists(_notice(kind, Stage.REMINDER))).exclude(
        Exists(_notice(kind, Stage.OVERDUE))
    )


def _minutes_items(today: date, remind: int) -> list[Due]:
    """Draft, comments and distribution deadlines of held meetings (three queries)."""
    held = Meeting.objects.filter(status=MeetingStatus.HELD)
    unanswered = Comment.objects.filter(
        minutes__meeting=OuterRef("pk"), withdrawn_at__isnull=True, response__isnull=True
    )
    queries = {
        Kind.DRAFT: held.filter(
            Q(minutes__isnull=True) | Q(minutes__status=MinutesStatus.DRAFT, minutes__share_count=0)
        ),
        Kind.COMMENTS: held.filter(minutes__status=MinutesStatus.SHARED).filter(Exists(unanswered)),
        Kind.DISTRIBUTION: held.filter(
            Q(minutes__status=MinutesStatus.APPROVED) | Q(minutes__status=MinutesStatus.SHARED)
        ).exclude(Exists(unanswered)),
    }
    in_force = {k: timescales.timescales(k) for k in MeetingKind.values}
    items = []
    for kind, meetings in queries.items():
        for row in _with_notices(meetings, kind).values_list(*FIELDS).iterator(chunk_size=5000):
            t = in_force[row[2]]
            days = t.draft_share_working_days if kind == Kind.DRAFT else t.distribution_working_days
            due_on = _due(timezone.localtime(row[6]).date(), days)
            stage = _stage(due_on, today, remind)
            if stage is not None and not (stage == Stage.REMINDER and row[8]):
                items.append(_due_item(row, kind, due_on, stage))
    return items


def _letter_items(today: date, remind: int) -> list[Due]:
    """Held conferences whose decision letter has not been sent (one query)."""
    conferences = Meeting.objects.filter(
        kind__in=[k.value for k in MeetingKind if k.is_conference],
        status__in=[MeetingStatus.HELD, MeetingStatus.MINUTED],
    ).exclude(Exists(DecisionLetter.objects.filter(meeting=OuterRef("pk"))))
    in_force = {k: timescales.timescales(k) for k in MeetingKind.values}
    items = []
    for row in _with_notices(conferences, Kind.DECISION_LETTER).values_list(*FIELDS).iterator(chunk_size=5000):
        due_on = _due(timezone.localtime(row[6]).date(), in_force[row[2]].decision_letter_working_days)
        stage = _stage(due_on, today, remind)
        if stage is not None and not (stage == Stage.REMINDER and row[8]):
            items.append(_due_item(row, Kind.DECISION_LETTER, due_on, stage))
    return items


def _next_meeting_items(today: date, notice_days: int) -> list[Due]:
    """Held meetings whose next statutory meeting is due soon and not scheduled (one query)."""
    horizon = _due(today, notice_days)
    followed = Meeting.objects.filter(previous=OuterRef("pk")).exclude(status=MeetingStatus.CANCELLED)
    meetings = _with_notices(
        Meeting.objects.filter(
            status__in=[MeetingStatus.HELD, MeetingStatus.MINUTED], next_due_on__isnull=False, next_due_on__lte=horizon
        ).exclude(Exists(followed)),
        Kind.NEXT_MEETING,
    )
    items = []
    for row in meetings.values_list(*FIELDS).iterator(chunk_size=5000):
        stage = _stage(row[7], today, notice_days)
        if stage is not None and not (stage == Stage.REMINDER and row[8]):
            items.append(_due_item(row, Kind.NEXT_MEETING, row[7], stage))
    return items


def _line(item: Due) -> str:
    what = {
        Kind.DECISION_LETTER: "send the decision letter to the parents",
        Kind.DRAFT: "share the draft minutes",
        Kind.COMMENTS: "answer the family's comments",
        Kind.DISTRIBUTION: "distribute the minutes",
        Kind.NEXT_MEETING: f"schedule the next {MeetingKind(item.next_kind or item.meeting_kind).label.lower()}",
    }[item.kind]
    when = date_format(item.due_on, "l j F Y")
    state = "OVERDUE, was due" if item.stage == Stage.OVERDUE else "due"
    link = absolute_url(reverse("meetings:detail", args=[item.meeting_id]))
    return f"- {item.reference} ({MeetingKind(item.meeting_kind).label}): {what}, {state} {when}. {link}"


def _digest(person_id: int, email: str, items: list[Due], now: datetime) -> OutboundEmail:
    overdue = sum(1 for item in items if item.stage == Stage.OVERDUE)
    lines = [_line(item) for item in items[:LISTED_PER_EMAIL]]
    if len(items) > LISTED_PER_EMAIL:
        lines.append(f"... and {len(items) - LISTED_PER_EMAIL} more: see your start page in Confer.")
    ids = ",".join(f"{i.meeting_id}:{i.kind}:{i.due_on}:{i.stage}" for i in items)
    return OutboundEmail(
        key=f"deadlines:{person_id}:{hashlib.sha256(ids.encode()).hexdigest()[:24]}",
        created_at=now,
        to_email=email,
        recipient_id=person_id,
        subject=f"Deadlines: {len(items)} to act on" + (f", {overdue} overdue" if overdue else ""),
        body="Hello,\n\nThese deadlines need you:\n\n" + "\n".join(lines) + "\n\n(You need to sign in.)\n",
    )


@dataclass(frozen=True)
class SweepResult:
    reminders: int
    overdue: int
    emails: int


@transaction.atomic
def deadlines_sweep(*, now: datetime | None = None) -> SweepResult:
    """Record and send every reminder and escalation that is due and not yet sent."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    items = _minutes_items(today, settings.CONFER_REMINDER_WORKING_DAYS)
    items += _letter_items(today, settings.CONFER_REMINDER_WORKING_DAYS)
    items += _next_meeting_items(today, settings.CONFER_NEXT_MEETING_NOTICE_WORKING_DAYS)
    DeadlineNotice.objects.bulk_create(
        [
            DeadlineNotice(meeting_id=i.meeting_id, kind=i.kind, due_on=i.due_on, stage=i.stage, created_at=now)
            for i in items
        ],
        batch_size=10_000,
    )
    staff = Person.objects.filter(
        user__is_active=True, user__groups__name__in=[StaffRole.MANAGER, StaffRole.ADMINISTRATOR]
    ).exclude(email="")
    managers, administrators = [], []
    for person in staff.select_related("user").prefetch_related("user__groups").distinct():
        roles = {group.name for group in person.user.groups.all()}
        if StaffRole.MANAGER in roles:
            managers.append(person)
        if StaffRole.ADMINISTRATOR in roles:
            administrators.append(person)
    # Each person's list: the chair's own deadlines; every overdue one for managers; the
    # meetings to schedule for administrators.
    told: dict[tuple[int, str], list[Due]] = defaultdict(list)
    for item in items:
        if item.chair_email:
            told[(item.chair_id, item.chair_email)].append(item)
    overdue = [item for item in items if item.stage == Stage.OVERDUE]
    to_schedule = [item for item in items if item.kind == Kind.NEXT_MEETING]
    for manager in managers:
        told[(manager.pk, manager.email)] += overdue
    for administrator in administrators:
        told[(administrator.pk, administrator.email)] += to_schedule
    emails = outbox_enqueue_many(
        [
            _digest(person_id, email, list(dict.fromkeys(found)), now)
            for (person_id, email), found in told.items()
            if found
        ]
    )
    result = SweepResult(
        reminders=sum(1 for i in items if i.stage == Stage.REMINDER),
        overdue=sum(1 for i in items if i.stage == Stage.OVERDUE),
        emails=len(emails),
    )
    audit_record(actor=None, system_label="deadline sweep", code="deadlines.swept", now=now, detail=result.__dict__)
    return result


def no_minutes_produced():
    """Held meetings whose draft was not shared by its due date, oldest first: the sweep
    flagged them, and they stay listed until the draft is shared."""
    return (
        DeadlineNotice.objects.filter(kind=Kind.DRAFT, stage=Stage.OVERDUE, meeting__status=MeetingStatus.HELD)
        .filter(Q(meeting__minutes__isnull=True) | Q(meeting__minutes__share_count=0))
        .select_related("meeting", "meeting__chair")
        .order_by("due_on", "id")
    )
