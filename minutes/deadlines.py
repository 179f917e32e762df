"""The deadline sweep: lateness made visible before anyone has to complain.

Run by ``manage.py sweep_deadlines`` (and the ``sweep_deadlines`` task) every working day.
For every open deadline it finds —

* **decision letter**: a held conference whose letter to the parents has not been sent
  (due 1 working day after it);
* **draft**: a held meeting whose draft has not been shared (due 10 working days after
  the meeting); overdue, this is "no minutes produced", listed for managers;
* **comments**: shared minutes with family comments not answered (due with distribution);
* **distribution**: minutes shared or approved and not yet distributed (15 working days);
* **next meeting**: a next statutory meeting due soon with none scheduled;
* **feedback**: a family's complaint or comment not answered (``minutes.feedback``; the
  earliest date of a meeting's open ones) —

it reminds the chair a few working days before the due date
(``CONFER_REMINDER_WORKING_DAYS``), and once the date has passed tells the chair and every
manager (administrators too, for a meeting to schedule). Feedback goes to managers only:
a complaint may be about the chair. Administrators hear of a next
meeting ``CONFER_NEXT_MEETING_NOTICE_WORKING_DAYS`` before it is due.

Idempotent, under repetition and concurrency: each (meeting, deadline, due date, stage)
is recorded once as a ``DeadlineNotice``, so a second run tells nobody anything twice,
even at the same clock time; a run emails only about the notices it wrote itself; and two
runs at once both finish, the second writing and sending nothing the first did. Set-based: the due dates
were stored on the meeting when it was held, so each (deadline, stage) is one
``INSERT … SELECT`` of the notices not yet written, and each person's email is built from
aggregate queries (a count, and the first few lines); the number of queries is the same
for ten items or a hundred thousand.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, DateTimeField, Exists, F, OuterRef, Q, QuerySet, Subquery, UUIDField, Value, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from audit.services import audit_record
from config import fragments
from meetings import timescales
from meetings.enums import MeetingKind, MeetingStatus
from meetings.models import Meeting
from minutes.enums import MinutesStatus
from minutes.models import Comment, DeadlineNotice, DecisionLetter, Feedback
from notifications.links import absolute_url
from notifications.models import OutboundEmail
from notifications.services import outbox_enqueue_many
from participants.enums import StaffRole
from participants.models import Person

Kind, Stage = DeadlineNotice.Kind, DeadlineNotice.Stage
LISTED_PER_EMAIL = 50


def _deadlines() -> dict[str, tuple[QuerySet[Meeting], str]]:
    """Each deadline: the meetings for which it is still open, and the field with its date."""
    held = Meeting.objects.filter(status=MeetingStatus.HELD)
    unanswered = Comment.objects.filter(
        minutes__meeting=OuterRef("pk"), withdrawn_at__isnull=True, response__isnull=True
    )
    followed = Meeting.objects.filter(previous=OuterRef("pk")).exclude(status=MeetingStatus.CANCELLED)
    open_feedback = Feedback.objects.filter(
        meeting=OuterRef("pk"), status__in=Feedback.OPEN, answer_due_on__isnull=False
    )
    return {
        Kind.DECISION_LETTER: (
            Meeting.objects.filter(
                status__in=[MeetingStatus.HELD, MeetingStatus.MINUTED], letter_due_on__isnull=False
            ).exclude(Exists(DecisionLetter.objects.filter(meeting=OuterRef("pk")))),
            "letter_due_on",
        ),
        Kind.DRAFT: (
            held.filter(Q(minutes__isnull=True) | Q(minutes__status=MinutesStatus.DRAFT, minutes__share_count=0)),
            "draft_due_on",
        ),
        Kind.COMMENTS: (
            held.filter(minutes__status=MinutesStatus.SHARED).filter(Exists(unanswered)),
            "distribution_due_on",
        ),
        Kind.DISTRIBUTION: (
            held.filter(minutes__status__in=[MinutesStatus.APPROVED, MinutesStatus.SHARED]).exclude(Exists(unanswered)),
            "distribution_due_on",
        ),
        Kind.NEXT_MEETING: (
            Meeting.objects.filter(
                status__in=[MeetingStatus.HELD, MeetingStatus.MINUTED], next_due_on__isnull=False
            ).exclude(Exists(followed)),
            "next_due_on",
        ),
        Kind.FEEDBACK: (
            Meeting.objects.filter(Exists(open_feedback)).annotate(
                feedback_due_on=Subquery(open_feedback.order_by("answer_due_on").values("answer_due_on")[:1])
            ),
            "feedback_due_on",
        ),
    }


def _told(kind: str, stage: str, field: str):
    told = DeadlineNotice.objects.filter(meeting=OuterRef("pk"), kind=kind, stage=stage)
    # A meeting's feedback falls due more than once (another complaint, a stage 2): each
    # date is told once. The other deadlines come once per meeting.
    return told.filter(due_on=OuterRef(field)) if kind == Kind.FEEDBACK else told


def _record(meetings: QuerySet[Meeting], kind: str, field: str, stage: str, now: datetime, sweep: uuid.UUID) -> int:
    """Write a notice for each of ``meetings`` in one INSERT … SELECT; how many were new.

    A notice another sweep wrote meanwhile (two schedulers, or a run by hand beside the
    scheduled one) is skipped, not an error: ON CONFLICT DO NOTHING waits for the other
    run's commit and then leaves its row alone, so each notice is written once."""
    rows = meetings.annotate(
        notice_kind=Value(kind),
        notice_stage=Value(stage),
        notice_at=Value(now, output_field=DateTimeField()),
        notice_sweep=Value(sweep, output_field=UUIDField()),
    ).values_list("pk", "notice_kind", field, "notice_stage", "notice_at", "notice_sweep")
    select, params = rows.query.sql_with_params()
    table = DeadlineNotice._meta.db_table
    # SQLite reads "SELECT … ON CONFLICT" as a join constraint unless the SELECT has a WHERE.
    where = "" if " WHERE " in select else " WHERE true"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (meeting_id, kind, due_on, stage, created_at, sweep) {select}{where} "
            "ON CONFLICT (meeting_id, kind, due_on, stage) DO NOTHING",
            params,
        )
        return cursor.rowcount


def _horizon(today: date, working_days: int) -> date:
    return timescales.add_working_days(today, working_days)


def _line(notice: DeadlineNotice) -> str:
    meeting = notice.meeting
    what = {
        Kind.DECISION_LETTER: "send the decision letter to the parents",
        Kind.DRAFT: "share the draft minutes",
        Kind.COMMENTS: "answer the family's comments",
        Kind.DISTRIBUTION: "distribute the minutes",
        Kind.NEXT_MEETING: f"schedule the next {MeetingKind(meeting.next_kind or meeting.kind).label.lower()}",
        Kind.FEEDBACK: "answer the family's feedback",
    }[notice.kind]
    when = date_format(notice.due_on, "l j F Y")
    state = "OVERDUE, was due" if notice.stage == Stage.OVERDUE else "due"
    link = absolute_url(reverse("meetings:detail", args=[meeting.pk]))
    return f"- {meeting.reference} ({meeting.get_kind_display()}): {what}, {state} {when}. {link}"


def _digest(person_id: int, email: str, total: int, overdue: int, notices: list, now: datetime) -> OutboundEmail:
    lines = [_line(notice) for notice in notices]
    if total > len(lines):
        lines.append(f"... and {total - len(lines)} more: see your start page in Confer.")
    ids = ",".join(str(notice.pk) for notice in notices) + f":{total}"
    return OutboundEmail(
        key=f"deadlines:{person_id}:{hashlib.sha256(ids.encode()).hexdigest()[:24]}",
        created_at=now,
        to_email=email,
        recipient_id=person_id,
        subject=f"Deadlines: {total} to act on" + (f", {overdue} overdue" if overdue else ""),
        body="Hello,\n\nThese deadlines need you:\n\n" + "\n".join(lines) + "\n\n(You need to sign in.)\n",
    )


def _first(notices: QuerySet[DeadlineNotice]) -> list[DeadlineNotice]:
    return list(notices.select_related("meeting").order_by("due_on", "id")[:LISTED_PER_EMAIL])


@dataclass(frozen=True)
class SweepResult:
    reminders: int
    overdue: int
    emails: int


@transaction.atomic
def deadlines_sweep(*, now: datetime | None = None) -> SweepResult:
    """Record and send every reminder and escalation that is due and not yet sent."""
    now = now or timezone.now()
    sweep = uuid.uuid4()
    today = timezone.localtime(now).date()
    remind_until = _horizon(today, settings.CONFER_REMINDER_WORKING_DAYS)
    schedule_until = _horizon(today, settings.CONFER_NEXT_MEETING_NOTICE_WORKING_DAYS)
    counts = {Stage.REMINDER: 0, Stage.OVERDUE: 0}
    for kind, (meetings, field) in _deadlines().items():
        open_items = meetings.exclude(Exists(_told(kind, Stage.OVERDUE, field)))
        counts[Stage.OVERDUE] += _record(
            open_items.filter(**{f"{field}__lt": today}), kind, field, Stage.OVERDUE, now, sweep
        )
        if kind == Kind.FEEDBACK:
            continue  # managers hear of feedback when it arrives and when it is late
        until = schedule_until if kind == Kind.NEXT_MEETING else remind_until
        soon = open_items.filter(**{f"{field}__gte": today, f"{field}__lte": until}).exclude(
            Exists(_told(kind, Stage.REMINDER, field))
        )
        counts[Stage.REMINDER] += _record(soon, kind, field, Stage.REMINDER, now, sweep)
    new = DeadlineNotice.objects.filter(sweep=sweep)
    emails = []
    # Chairs: their own new notices (a count each, and the first lines each, two queries).
    by_chair = (
        new.exclude(meeting__chair__email="")
        .exclude(kind=Kind.FEEDBACK)
        .values("meeting__chair_id", "meeting__chair__email")
    )
    firsts: dict[int, list] = {}
    ranked = (
        new.exclude(kind=Kind.FEEDBACK)
        .annotate(
            place=Window(
                RowNumber(), partition_by=[F("meeting__chair_id")], order_by=[F("due_on").asc(), F("id").asc()]
            )
        )
        .filter(place__lte=LISTED_PER_EMAIL)
    )
    for notice in ranked.select_related("meeting"):
        firsts.setdefault(notice.meeting.chair_id, []).append(notice)
    for row in by_chair.annotate(total=Count("id"), late=Count("id", filter=Q(stage=Stage.OVERDUE))):
        chair_id = row["meeting__chair_id"]
        emails.append(_digest(chair_id, row["meeting__chair__email"], row["total"], row["late"], firsts[chair_id], now))
    # Managers: every new overdue notice; administrators: every meeting to schedule.
    staff = Person.objects.filter(
        user__is_active=True, user__groups__name__in=[StaffRole.MANAGER, StaffRole.ADMINISTRATOR]
    ).exclude(email="")
    overdue = new.filter(stage=Stage.OVERDUE)
    to_schedule = new.filter(kind=Kind.NEXT_MEETING)
    overdue_count, to_schedule_count = overdue.count(), to_schedule.count()
    to_schedule_overdue = to_schedule.filter(stage=Stage.OVERDUE).count()
    listed = {StaffRole.MANAGER: _first(overdue), StaffRole.ADMINISTRATOR: _first(to_schedule)}
    for person in staff.prefetch_related("user__groups").distinct():
        roles = {group.name for group in person.user.groups.all()} & set(listed)
        if not roles:
            continue
        found = sorted({n.pk: n for role in roles for n in listed[role]}.values(), key=lambda n: (n.due_on, n.pk))
        if StaffRole.MANAGER in roles:
            # Every overdue notice, plus the meetings to schedule that are not overdue yet.
            extra = to_schedule_count - to_schedule_overdue if StaffRole.ADMINISTRATOR in roles else 0
            total, late = overdue_count + extra, overdue_count
        else:
            total, late = to_schedule_count, to_schedule_overdue
        if found:
            emails.append(_digest(person.pk, person.email, total, late, found, now))
    created = outbox_enqueue_many(emails)
    result = SweepResult(reminders=counts[Stage.REMINDER], overdue=counts[Stage.OVERDUE], emails=len(created))
    audit_record(actor=None, system_label="deadline sweep", code="deadlines.swept", now=now, detail=result.__dict__)
    if counts[Stage.OVERDUE] or counts[Stage.REMINDER]:
        fragments.moved_on("minutes")  # its notices are written in bulk, without a model's save
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


@dataclass(frozen=True)
class OpenDeadline:
    """A deadline that has passed with its work not done: the meeting, what, and when."""

    meeting: Meeting
    kind: str
    due_on: date

    def get_kind_display(self) -> str:
        return Kind(self.kind).label


def _overdue_by_kind(today: date):
    for kind, (meetings, field) in _deadlines().items():
        yield kind, field, meetings.filter(**{f"{field}__lt": today})


def open_overdue(today: date | None = None, limit: int = 200) -> list[OpenDeadline]:
    """Every deadline whose date has passed and whose work is still open (the letter not
    sent, the draft not shared, …), oldest first, with the meeting and its chair (who owns
    it): the first ``limit``, one query per kind of deadline. Computed from the dates, as
    each chair's start page is, not from whether a sweep has run since."""
    today = today or timezone.localdate()
    found = []
    for kind, field, meetings in _overdue_by_kind(today):
        for meeting in meetings.select_related("chair").order_by(field, "pk")[:limit]:
            found.append(OpenDeadline(meeting, kind, getattr(meeting, field)))
    return sorted(found, key=lambda item: (item.due_on, item.meeting.pk))[:limit]


def open_overdue_count(today: date | None = None) -> int:
    """How many deadlines are past with their work still open (a count per kind)."""
    today = today or timezone.localdate()
    return sum(meetings.count() for _kind, _field, meetings in _overdue_by_kind(today))
