"""Every change to a meeting goes through one function here.

Each service opens a transaction, locks the meeting row, checks the actor's permission,
calls the pure transition on the model, saves, and writes the audit event in the same
transaction. Views, admin actions, commands and tasks all call these, never the model's
transition methods. Refusals raise ``MeetingError`` (a message for the person) or
``PermissionDenied``.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django_fsm import can_proceed

from audit.services import audit_record
from config import fragments
from core import limits
from meetings import invites, selectors, timescales
from meetings.enums import Attendance, Category, InvitationRole, MeetingKind, MeetingStatus, ReviewOutcome
from meetings.errors import MeetingError, StaleMeeting
from meetings.guards import lock_meeting, require, require_action
from meetings.models import ChildOutcome, Invitation, Meeting, ReferenceCounter
from meetings.rules import is_meeting_chair, state_refusal
from participants.enums import StaffRole
from participants.models import Child, Family, Person


def _lock(meeting: Meeting) -> Meeting:
    return lock_meeting(meeting.pk)


def _format_date(day: date) -> str:
    return date_format(day, "l j F Y")


def _check_when_where(*, starts_at: datetime, ends_at: datetime, venue: str, online_link: str, now: datetime) -> None:
    """A meeting ends after it starts, starts in the future, on a date a person could mean,
    lasts no more than a day, and happens somewhere no longer than its column holds."""
    timescales.in_range(timezone.localtime(starts_at).date(), "The meeting's date")
    if ends_at <= starts_at:
        raise MeetingError("The meeting must end after it starts.")
    if starts_at <= now:
        raise MeetingError("A meeting can only be scheduled in the future.", field="starts_at")
    if not venue and not online_link:
        raise MeetingError("Enter a venue or an online meeting link.")
    if ends_at - starts_at > timedelta(hours=24):
        raise MeetingError("A meeting can last at most a day.")
    for name, value in (("venue", venue), ("online_link", online_link)):
        limit = Meeting._meta.get_field(name).max_length
        if value and len(value) > limit:
            raise MeetingError(f"The {name.replace('_', ' ')} must be {limit:,} characters or fewer.", field=name)


def _late_reason(due_on: date | None, starts_at: datetime, given: str, *, moving: bool) -> str:
    """The reason kept for a meeting after its due date ("" when it is in time); refuses a
    late date without one."""
    if due_on is None or timezone.localtime(starts_at).date() <= due_on:
        return ""
    if not given.strip():
        verb = "move it to" if moving else "schedule it on"
        raise MeetingError(
            f"This meeting is due by {_format_date(due_on)}. "
            f"To {verb} a later date, give the reason it cannot be held in time.",
            field="late_reason",
        )
    return given.strip()


def hold_not_yet(meeting: Meeting, now: datetime) -> str | None:
    """Why the meeting cannot be recorded as held yet (it has not started), or None. The
    meeting page offers the form only once this is None, so nobody fills it in for nothing."""
    if now >= meeting.starts_at:
        return None
    start = timezone.localtime(meeting.starts_at)
    return (
        f"This meeting starts at {date_format(start, 'g:i a')} on {_format_date(start.date())}; "
        "record it as held once it has started."
    )


def next_reference(kind: MeetingKind, year: int) -> str:
    """The next human reference for a kind and year, e.g. CP-2026-0042. Call inside a transaction."""
    return numbered_reference(kind.reference_prefix, year)


def numbered_reference(prefix: str, year: int) -> str:
    """The next reference under ``prefix`` for the year (PREFIX-YYYY-NNNN), numbered without
    gaps or repeats however many transactions ask at once. Call inside a transaction."""
    try:
        with transaction.atomic():
            ReferenceCounter.objects.get_or_create(prefix=prefix, year=year)
    except IntegrityError:
        pass  # another transaction created it first; the update below queues behind it.
    ReferenceCounter.objects.filter(prefix=prefix, year=year).update(last=F("last") + 1)
    last = ReferenceCounter.objects.get(prefix=prefix, year=year).last
    return f"{prefix}-{year}-{last:04d}"


@transaction.atomic
def meeting_schedule(
    *,
    actor,
    kind: MeetingKind | str,
    family: Family,
    children: Sequence[Child],
    chair: Person,
    starts_at: datetime,
    ends_at: datetime,
    venue: str = "",
    online_link: str = "",
    notes_for_participants: str = "",
    strategy_discussion_on: date | None = None,
    late_reason: str = "",
    submission: uuid.UUID | None = None,
    now: datetime | None = None,
) -> Meeting:
    """Schedule a meeting. With a ``submission`` token already used (the same form posted
    twice), it returns the meeting that post scheduled: the family's row is locked first,
    so two posts at the same moment take turns and the second finds the first's meeting."""
    now = now or timezone.now()
    kind = MeetingKind(kind)
    require(actor, "meetings.add_meeting", None, "Only administrators can schedule meetings.")
    if submission is not None:
        Family.objects.select_for_update().filter(pk=family.pk).first()
        if (earlier := Meeting.objects.filter(submission=submission).first()) is not None:
            return earlier
    children = list(children)
    if not children:
        raise MeetingError("Choose at least one child the meeting is about.")
    if any(child.family_id != family.pk for child in children):
        raise MeetingError("Every child must belong to the family the meeting is for.")
    if chair.user is None or not chair.user.groups.filter(name=StaffRole.CHAIR).exists():
        raise MeetingError(f"{chair} is not a chair, so cannot chair this meeting.")
    _check_when_where(starts_at=starts_at, ends_at=ends_at, venue=venue, online_link=online_link, now=now)

    due_on, previous = selectors.statutory_due_date(
        kind=kind, children=children, strategy_discussion_on=strategy_discussion_on
    )
    late = _late_reason(due_on, starts_at, late_reason, moving=False)
    local_day = timezone.localtime(starts_at).date()

    meeting = Meeting.objects.create(
        kind=kind,
        reference=next_reference(kind, local_day.year),
        family=family,
        chair=chair,
        starts_at=starts_at,
        ends_at=ends_at,
        venue=venue,
        online_link=online_link,
        notes_for_participants=notes_for_participants,
        due_on=due_on,
        late_reason=late,
        strategy_discussion_on=strategy_discussion_on,
        previous=previous,
        submission=submission,
        created_at=now,
    )
    meeting.children.set(children)
    if previous is not None:
        Meeting.objects.filter(pk=previous.pk).update(next_pending=False)
        fragments.moved_on("meetings")  # a bulk update saves no model
    Invitation.objects.create(meeting=meeting, person=chair, role=InvitationRole.CHAIR)
    audit_record(
        actor=actor,
        code="meeting.scheduled",
        obj=meeting,
        now=now,
        detail={
            "kind": kind.value,
            "starts_at": starts_at.isoformat(),
            "due_on": due_on.isoformat() if due_on else None,
            "late_reason": meeting.late_reason,
            "children": [c.identifier for c in children],
        },
    )
    return meeting


@transaction.atomic
def meeting_reschedule(
    *,
    meeting: Meeting,
    actor,
    starts_at: datetime,
    ends_at: datetime,
    venue: str | None = None,
    online_link: str | None = None,
    reason: str,
    late_reason: str = "",
    version: int | None = None,
    now: datetime | None = None,
) -> Meeting:
    """Move a meeting. Moving it past its statutory due date needs the reason it cannot be
    held in time, as scheduling it late does; the reason replaces the one kept before.

    ``version`` is the calendar sequence the person's form was filled in against: if the
    meeting has changed since (someone else moved it), the change is refused rather than
    silently replacing theirs."""
    now = now or timezone.now()
    meeting = _lock(meeting)
    require_action(actor, "reschedule", meeting)
    if version is not None and version != meeting.sequence:
        raise StaleMeeting(meeting)
    if not reason.strip():
        raise MeetingError("Give the reason for rescheduling: the participants will be told.")
    reason = limits.enforce(reason, limits.REASON, "The reason", MeetingError)
    late_reason = limits.enforce(late_reason, limits.REASON, "The reason it is late", MeetingError)
    venue = meeting.venue if venue is None else venue
    online_link = meeting.online_link if online_link is None else online_link
    _check_when_where(starts_at=starts_at, ends_at=ends_at, venue=venue, online_link=online_link, now=now)
    late = _late_reason(meeting.due_on, starts_at, late_reason, moving=True)
    before = {"starts_at": meeting.starts_at.isoformat(), "venue": meeting.venue, "online_link": meeting.online_link}
    meeting.reschedule(starts_at=starts_at, ends_at=ends_at, venue=venue, online_link=online_link)
    meeting.late_reason = late
    meeting.save()
    notified = invites.invitations_update_after_change(meeting, now=now)
    audit_record(
        actor=actor,
        code="meeting.rescheduled",
        obj=meeting,
        now=now,
        detail={
            "reason": reason.strip(),
            "before": before,
            "after": {"starts_at": starts_at.isoformat(), "venue": venue, "online_link": online_link},
            "late_reason": late,
            "sequence": meeting.sequence,
            "notified": notified,
        },
    )
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, actor, reason: str, now: datetime | None = None) -> Meeting:
    now = now or timezone.now()
    meeting = _lock(meeting)
    require_action(actor, "cancel", meeting)
    if not reason.strip():
        raise MeetingError("Give the reason for cancelling: it is kept in the record.")
    reason = limits.enforce(reason, limits.REASON, "The reason", MeetingError)
    meeting.cancel(reason=reason.strip(), now=now)
    meeting.save()
    if meeting.previous_id is not None and not selectors.followed(meeting.previous_id):
        # Nothing else follows the meeting before: its next meeting is due again.
        Meeting.objects.filter(
            pk=meeting.previous_id, status__in=[MeetingStatus.HELD, MeetingStatus.MINUTED], next_due_on__isnull=False
        ).update(next_pending=True)
        fragments.moved_on("meetings")
    notified = invites.invitations_update_after_change(meeting, now=now)
    audit_record(
        actor=actor,
        code="meeting.cancelled",
        obj=meeting,
        now=now,
        detail={"reason": reason.strip(), "notified": notified},
    )
    return meeting


@dataclasses.dataclass(frozen=True)
class AttendanceRecord:
    attendance: Attendance | str
    excluded_from_part: bool = False
    exclusion_reason: str = ""


@dataclasses.dataclass(frozen=True)
class OutcomeRecord:
    """One child's outcome. Conferences set ``plan_needed`` (and ``category`` when a plan is
    needed); CLA reviews and CIN meetings set ``review_outcome``."""

    plan_needed: bool | None = None
    category: Category | str = ""
    review_outcome: ReviewOutcome | str = ""
    notes: str = ""


def _validate_outcome(kind: MeetingKind, child: Child, record: OutcomeRecord | None) -> OutcomeRecord:
    who = f"child {child.identifier}"
    if record is None:
        raise MeetingError(f"Record the outcome for {who}.")
    if kind.is_conference:
        if record.plan_needed is None:
            raise MeetingError(f"Record whether {who} needs a child protection plan.")
        if record.plan_needed and record.category not in Category.values:
            raise MeetingError(f"Choose the category of the child protection plan for {who}.")
        if not record.plan_needed and record.category:
            raise MeetingError(f"A category applies only when a plan is needed ({who}).")
        if record.review_outcome:
            raise MeetingError("A conference records a plan decision, not a review outcome.")
    else:
        if record.plan_needed is not None or record.category:
            raise MeetingError("Only a child protection conference decides on a plan and category.")
        if record.review_outcome not in ReviewOutcome.values:
            raise MeetingError(f"Record the review outcome for {who}.")
    return record


@transaction.atomic
def meeting_hold(
    *,
    meeting: Meeting,
    actor,
    attendance: Mapping[int, AttendanceRecord],
    outcomes: Mapping[int, OutcomeRecord],
    now: datetime | None = None,
) -> Meeting:
    """Record attendance and each child's outcome, and mark the meeting held.

    ``attendance`` maps invitation id to its record; ``outcomes`` maps child id to its
    outcome. The next meeting's due date follows from the outcome and the timescales.
    """
    now = now or timezone.now()
    meeting = _lock(meeting)
    if meeting.status == MeetingStatus.HELD and is_meeting_chair(actor, meeting):
        held = timezone.localtime(meeting.held_at)
        raise MeetingError(f"This meeting was already recorded as held at {held:%H:%M} on {_format_date(held.date())}.")
    require_action(actor, "hold", meeting)
    if not_started := hold_not_yet(meeting, now):
        raise MeetingError(not_started)

    invitations = {inv.pk: inv for inv in meeting.invitations.select_related("person")}
    unknown_ids = set(attendance) - set(invitations)
    if unknown_ids:
        raise MeetingError("Attendance was given for someone who is not invited to this meeting.")
    missing = [
        inv
        for pk, inv in invitations.items()
        if pk not in attendance or Attendance(attendance[pk].attendance) == Attendance.UNKNOWN
    ]
    if missing:
        raise MeetingError(f"Record whether each person attended ({len(missing)} not recorded).")
    for pk, record in attendance.items():
        inv = invitations[pk]
        if record.excluded_from_part and not record.exclusion_reason.strip():
            raise MeetingError(f"Give the reason {inv.person} was excluded from part of the meeting.")
        inv.attendance = Attendance(record.attendance)
        inv.excluded_from_part = record.excluded_from_part
        inv.exclusion_reason = record.exclusion_reason.strip() if record.excluded_from_part else ""
    Invitation.objects.bulk_update(invitations.values(), ["attendance", "excluded_from_part", "exclusion_reason"])

    kind = meeting.kind_enum
    children = list(meeting.children.all())
    validated = {child.pk: _validate_outcome(kind, child, outcomes.get(child.pk)) for child in children}
    if set(outcomes) - set(validated):
        raise MeetingError("An outcome was given for a child this meeting is not about.")
    rows = [
        ChildOutcome(
            meeting=meeting,
            child=child,
            plan_needed=validated[child.pk].plan_needed,
            category=validated[child.pk].category,
            review_outcome=validated[child.pk].review_outcome,
            notes=validated[child.pk].notes,
        )
        for child in children
    ]
    ChildOutcome.objects.bulk_create(rows)
    fragments.moved_on("meetings")  # with the attendance above, written in bulk

    continues = any(row.continues for row in rows)
    earlier = selectors.held_count_in_track(kind, children, before=meeting)
    proposed = timescales.next_meeting_after(kind, meeting.local_date, continues=continues, earlier_in_track=earlier)
    meeting.hold(
        now=now,
        next_kind=proposed.kind.value if proposed else "",
        next_due_on=proposed.due_on if proposed else None,
    )
    meeting.save()
    audit_record(
        actor=actor,
        code="meeting.held",
        obj=meeting,
        now=now,
        detail={
            "attendance": {str(pk): Attendance(r.attendance).value for pk, r in attendance.items()},
            "excluded": [str(pk) for pk, r in attendance.items() if r.excluded_from_part],
            "outcomes": {
                c.identifier: {
                    "plan_needed": validated[c.pk].plan_needed,
                    "category": validated[c.pk].category,
                    "review_outcome": validated[c.pk].review_outcome,
                }
                for c in children
            },
            "next_kind": meeting.next_kind,
            "next_due_on": meeting.next_due_on.isoformat() if meeting.next_due_on else None,
        },
    )
    return meeting


@transaction.atomic
def meeting_mark_minuted(*, meeting: Meeting, actor, now: datetime | None = None) -> Meeting:
    """Called by the minutes service when the minutes are distributed, inside its transaction."""
    now = now or timezone.now()
    meeting = _lock(meeting)
    if not can_proceed(meeting.mark_minuted):
        raise MeetingError(state_refusal(meeting, "it cannot be marked minuted"))
    meeting.mark_minuted(now=now)
    meeting.save()
    audit_record(actor=actor, code="meeting.minuted", obj=meeting, now=now, system_label="minutes distribution")
    return meeting
