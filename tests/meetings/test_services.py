"""Every meeting transition, allowed and refused, and the audit row each one writes."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied

from audit.models import AuditEvent
from meetings import invites, services
from meetings.enums import (
    Attendance,
    Category,
    InvitationRole,
    MeetingKind,
    MeetingStatus,
    ReviewOutcome,
)
from meetings.errors import MeetingError
from meetings.models import ChildOutcome, Invitation, Meeting
from meetings.selectors import due_list
from meetings.services import AttendanceRecord, OutcomeRecord
from participants.enums import StaffRole
from tests import factories
from tests.factories import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(administrator, chair, family, parent):
    m = factories.schedule(administrator=administrator, chair=chair, family=family, starts_at=local(2027, 1, 6))
    factories.invite(m, administrator, parent)
    return m


def codes(meeting):
    return list(AuditEvent.objects.for_object(meeting).order_by("at", "id").values_list("code", flat=True))


# --- schedule ---------------------------------------------------------------------------


def test_schedule_by_administrator_creates_meeting_with_reference_due_date_and_chair_invited(
    administrator, chair, family
):
    meeting = factories.schedule(
        administrator=administrator,
        chair=chair,
        family=family,
        starts_at=local(2027, 1, 6),
        strategy_discussion_on=date(2026, 12, 11),
    )
    assert meeting.status == MeetingStatus.SCHEDULED
    assert meeting.reference == "CP-2027-0001"
    assert meeting.sequence == 0
    # 15 working days after Fri 11 Dec 2026 in Jersey is Wed 6 Jan 2027.
    assert meeting.due_on == date(2027, 1, 6)
    assert meeting.is_late is False
    assert list(meeting.invitations.values_list("person", "role")) == [(chair.pk, InvitationRole.CHAIR)]
    event = AuditEvent.objects.get(code="meeting.scheduled")
    assert event.actor == administrator.user
    assert event.object_id == str(meeting.pk)
    assert event.detail["due_on"] == "2027-01-06"
    assert event.detail["children"] == [c.identifier for c in family.children.all()]


def test_references_count_up_per_prefix_and_year(administrator, chair, family):
    first = factories.schedule(administrator=administrator, chair=chair, family=family, starts_at=local(2027, 1, 6))
    second = factories.schedule(administrator=administrator, chair=chair, family=family, starts_at=local(2027, 1, 7))
    cin = factories.schedule(
        administrator=administrator, chair=chair, family=family, kind=MeetingKind.CIN, starts_at=local(2027, 1, 8)
    )
    assert [first.reference, second.reference, cin.reference] == ["CP-2027-0001", "CP-2027-0002", "CIN-2027-0001"]


@pytest.mark.parametrize("role", [StaffRole.CHAIR, StaffRole.MANAGER])
def test_schedule_refused_for_staff_who_are_not_administrators(role, chair, family):
    with pytest.raises(PermissionDenied, match="Only administrators"):
        factories.schedule(administrator=factories.staff(role), chair=chair, family=family)
    assert not Meeting.objects.exists()


def test_schedule_refused_for_a_parent(parent, chair, family):
    with pytest.raises(PermissionDenied):
        factories.schedule(administrator=parent, chair=chair, family=family)


def test_schedule_refused_when_the_chair_is_not_a_chair(administrator, manager, family):
    with pytest.raises(MeetingError, match="is not a chair"):
        factories.schedule(administrator=administrator, chair=manager, family=family)


def test_schedule_refused_for_a_child_of_another_family(administrator, chair, family):
    other_family, _ = factories.family_with_parent()
    with pytest.raises(MeetingError, match="must belong to the family"):
        services.meeting_schedule(
            actor=administrator.user,
            kind=MeetingKind.CIN,
            family=family,
            children=list(other_family.children.all()),
            chair=chair,
            starts_at=local(2027, 1, 6),
            ends_at=local(2027, 1, 6, 12),
            venue="Room 1",
            now=local(2027, 1, 1),
        )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"ends_at": local(2027, 1, 6, 9)}, "must end after it starts"),
        ({"now": local(2027, 1, 7)}, "only be scheduled in the future"),
        ({"venue": "", "online_link": ""}, "venue or an online meeting link"),
        ({"strategy_discussion_on": None}, "date of the strategy discussion"),
        ({"children": []}, "at least one child"),
    ],
)
def test_schedule_refuses_bad_input_with_a_clear_message(administrator, chair, family, change, message):
    kwargs = dict(
        actor=administrator.user,
        kind=MeetingKind.ICPC,
        family=family,
        children=list(family.children.all()),
        chair=chair,
        starts_at=local(2027, 1, 6),
        ends_at=local(2027, 1, 6, 12),
        venue="Room 1",
        strategy_discussion_on=date(2026, 12, 11),
        now=local(2027, 1, 1),
    )
    kwargs.update(change)
    with pytest.raises(MeetingError, match=message):
        services.meeting_schedule(**kwargs)
    assert not Meeting.objects.exists()


def test_schedule_past_the_due_date_needs_a_reason_and_is_flagged(administrator, chair, family):
    late_start = local(2027, 1, 7)  # due Wed 6 Jan 2027
    with pytest.raises(MeetingError, match="due by Wednesday 6 January 2027"):
        factories.schedule(
            administrator=administrator,
            chair=chair,
            family=family,
            starts_at=late_start,
            strategy_discussion_on=date(2026, 12, 11),
        )
    meeting = factories.schedule(
        administrator=administrator,
        chair=chair,
        family=family,
        starts_at=late_start,
        strategy_discussion_on=date(2026, 12, 11),
        late_reason="The only date the family can attend.",
    )
    assert meeting.is_late is True
    assert meeting.late_reason == "The only date the family can attend."
    assert AuditEvent.objects.get(code="meeting.scheduled").detail["late_reason"] == meeting.late_reason


def test_first_cla_review_is_due_twenty_working_days_after_becoming_looked_after(administrator, chair, family):
    family.children.update(looked_after_since=date(2026, 12, 14))
    meeting = factories.schedule(
        administrator=administrator, chair=chair, family=family, kind=MeetingKind.CLA, starts_at=local(2027, 1, 14)
    )
    assert meeting.due_on == date(2027, 1, 14)
    assert meeting.previous is None


def test_a_review_conference_is_due_from_the_held_initial_conference(administrator, chair, family, meeting):
    factories.hold(meeting, chair)
    review = factories.schedule(
        administrator=administrator, chair=chair, family=family, kind=MeetingKind.RCPC, starts_at=local(2027, 4, 1)
    )
    # Held Wed 6 Jan 2027 with a plan: first review within 3 months, by 6 Apr 2027.
    assert review.due_on == date(2027, 4, 6)
    assert review.previous == meeting


def test_a_meeting_is_on_the_due_list_until_its_next_is_scheduled_and_again_if_that_is_cancelled(
    administrator, chair, family, meeting
):
    def due() -> list[str]:
        return [item.previous_reference for item in due_list()]

    assert due() == []
    factories.hold(meeting, chair)
    assert due() == [meeting.reference]
    review = factories.schedule(
        administrator=administrator, chair=chair, family=family, kind=MeetingKind.RCPC, starts_at=local(2027, 4, 1)
    )
    assert due() == []
    services.meeting_cancel(meeting=review, actor=administrator.user, reason="Chair ill", now=local(2027, 3, 1))
    assert due() == [meeting.reference]
    meeting.refresh_from_db()
    assert meeting.next_pending


def test_the_protected_status_cannot_be_assigned_directly(meeting):
    with pytest.raises(AttributeError):
        meeting.status = MeetingStatus.HELD
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED


# --- reschedule -------------------------------------------------------------------------


def test_reschedule_by_administrator_bumps_the_sequence_and_records_before_and_after(administrator, meeting):
    new_start = local(2027, 1, 6, 14)
    services.meeting_reschedule(
        meeting=meeting,
        actor=administrator.user,
        starts_at=new_start,
        ends_at=new_start + timedelta(hours=2),
        venue="Room 2",
        reason="Room double-booked",
        now=local(2026, 12, 20),
    )
    meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.venue, meeting.sequence) == (new_start, "Room 2", 1)
    assert meeting.status == MeetingStatus.SCHEDULED
    event = AuditEvent.objects.get(code="meeting.rescheduled")
    assert event.detail["reason"] == "Room double-booked"
    assert event.detail["before"]["venue"] == "Room 1, Cyril Le Marquand House"
    assert event.detail["after"]["venue"] == "Room 2"
    assert event.detail["sequence"] == 1


def test_reschedule_by_the_meetings_own_chair_is_allowed(chair, meeting):
    start = local(2027, 1, 5)
    services.meeting_reschedule(
        meeting=meeting,
        actor=chair.user,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        reason="Chair on leave",
        now=local(2026, 12, 20),
    )
    meeting.refresh_from_db()
    assert meeting.sequence == 1


@pytest.mark.parametrize("who", ["other_chair", "manager", "parent"])
def test_reschedule_refused_for_anyone_else(request, who, meeting):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.meeting_reschedule(
            meeting=meeting,
            actor=actor.user,
            starts_at=local(2027, 1, 5),
            ends_at=local(2027, 1, 5, 12),
            reason="x",
            now=local(2026, 12, 20),
        )
    meeting.refresh_from_db()
    assert meeting.sequence == 0


def test_reschedule_needs_a_reason(administrator, meeting):
    with pytest.raises(MeetingError, match="reason for rescheduling"):
        services.meeting_reschedule(
            meeting=meeting,
            actor=administrator.user,
            starts_at=local(2027, 1, 5),
            ends_at=local(2027, 1, 5, 12),
            reason="  ",
            now=local(2026, 12, 20),
        )


def test_reschedule_refused_once_held(administrator, chair, meeting):
    factories.hold(meeting, chair)
    with pytest.raises(MeetingError, match="is held, so it cannot be rescheduled"):
        services.meeting_reschedule(
            meeting=meeting,
            actor=administrator.user,
            starts_at=local(2027, 2, 5),
            ends_at=local(2027, 2, 5, 12),
            reason="x",
            now=local(2027, 1, 10),
        )


# --- cancel -----------------------------------------------------------------------------


def test_cancel_records_the_reason_and_bumps_the_sequence(administrator, meeting):
    services.meeting_cancel(
        meeting=meeting, actor=administrator.user, reason="Family moved away", now=local(2026, 12, 20)
    )
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED
    assert meeting.cancellation_reason == "Family moved away"
    assert meeting.cancelled_at == local(2026, 12, 20)
    assert meeting.sequence == 1
    assert AuditEvent.objects.get(code="meeting.cancelled").detail == {"reason": "Family moved away", "notified": 0}


def test_cancel_needs_a_reason(administrator, meeting):
    with pytest.raises(MeetingError, match="reason for cancelling"):
        services.meeting_cancel(meeting=meeting, actor=administrator.user, reason="", now=local(2026, 12, 20))


def test_cancel_refused_for_another_chair(other_chair, meeting):
    with pytest.raises(PermissionDenied):
        services.meeting_cancel(meeting=meeting, actor=other_chair.user, reason="x", now=local(2026, 12, 20))


def test_cancel_refused_twice_and_after_holding(administrator, chair, meeting, family):
    services.meeting_cancel(meeting=meeting, actor=administrator.user, reason="x", now=local(2026, 12, 20))
    with pytest.raises(MeetingError, match="is cancelled, so it cannot be cancelled"):
        services.meeting_cancel(meeting=meeting, actor=administrator.user, reason="x", now=local(2026, 12, 21))
    held = factories.schedule(administrator=administrator, chair=chair, family=family, starts_at=local(2027, 1, 6))
    factories.hold(held, chair)
    with pytest.raises(MeetingError, match="is held, so it cannot be cancelled"):
        services.meeting_cancel(meeting=held, actor=administrator.user, reason="x", now=local(2027, 1, 7))


def test_a_cancelled_meeting_cannot_be_held(administrator, chair, meeting):
    services.meeting_cancel(meeting=meeting, actor=administrator.user, reason="x", now=local(2026, 12, 20))
    with pytest.raises(MeetingError, match="is cancelled, so it cannot be held"):
        factories.hold(meeting, chair)


# --- hold -------------------------------------------------------------------------------


def test_hold_records_attendance_outcomes_and_proposes_the_review(chair, parent, meeting):
    parent_invitation = meeting.invitations.get(person=parent)
    attendance = factories.everyone_attended(meeting)
    attendance[parent_invitation.pk] = AttendanceRecord(
        Attendance.ATTENDED, excluded_from_part=True, exclusion_reason="Police disclosure"
    )
    factories.hold(meeting, chair, attendance=attendance, outcomes=factories.plan_for_all(meeting, Category.EMOTIONAL))
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    assert meeting.held_at == meeting.ends_at
    assert (meeting.next_kind, meeting.next_due_on) == (MeetingKind.RCPC, date(2027, 4, 6))
    parent_invitation.refresh_from_db()
    assert parent_invitation.attendance == Attendance.ATTENDED
    assert (parent_invitation.excluded_from_part, parent_invitation.exclusion_reason) == (True, "Police disclosure")
    outcome = ChildOutcome.objects.get(meeting=meeting)
    assert (outcome.plan_needed, outcome.category) == (True, Category.EMOTIONAL)
    event = AuditEvent.objects.get(code="meeting.held")
    assert event.actor == chair.user
    assert event.detail["next_due_on"] == "2027-04-06"
    assert event.detail["excluded"] == [str(parent_invitation.pk)]
    assert codes(meeting) == ["meeting.scheduled", "invitation.added", "meeting.held"]


def test_hold_with_no_plan_needed_proposes_no_review(chair, meeting):
    outcomes = {c.pk: OutcomeRecord(plan_needed=False) for c in meeting.children.all()}
    factories.hold(meeting, chair, outcomes=outcomes)
    meeting.refresh_from_db()
    assert (meeting.next_kind, meeting.next_due_on) == ("", None)


def test_hold_refused_for_the_administrator_and_another_chair(administrator, other_chair, meeting):
    for actor in (administrator, other_chair):
        with pytest.raises(PermissionDenied, match="Only the chair"):
            factories.hold(meeting, actor)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED
    assert not ChildOutcome.objects.exists()


def test_hold_refused_before_the_meeting_has_started(chair, meeting):
    for too_early in (local(2027, 1, 5, 16), local(2027, 1, 6, 8), local(2027, 1, 6, 9, 59)):
        with pytest.raises(MeetingError, match="record it as held once it has started"):
            factories.hold(meeting, chair, now=too_early)
    assert factories.hold(meeting, chair, now=local(2027, 1, 6, 10)).status == MeetingStatus.HELD


def test_hold_refused_until_everyone_attendance_is_recorded(chair, parent, meeting):
    attendance = factories.everyone_attended(meeting)
    del attendance[meeting.invitations.get(person=parent).pk]
    with pytest.raises(MeetingError, match=r"\(1 not recorded\)"):
        factories.hold(meeting, chair, attendance=attendance)


def test_hold_refuses_exclusion_without_a_reason(chair, parent, meeting):
    attendance = factories.everyone_attended(meeting)
    attendance[meeting.invitations.get(person=parent).pk] = AttendanceRecord(Attendance.ATTENDED, True, "")
    with pytest.raises(MeetingError, match=r"reason .* was excluded"):
        factories.hold(meeting, chair, attendance=attendance)
    assert Invitation.objects.get(meeting=meeting, person=parent).excluded_from_part is False


@pytest.mark.parametrize(
    ("outcome", "message"),
    [
        (None, "Record the outcome"),
        (OutcomeRecord(), "needs a child protection plan"),
        (OutcomeRecord(plan_needed=True), "Choose the category"),
        (OutcomeRecord(plan_needed=False, category=Category.NEGLECT), "only when a plan is needed"),
        (OutcomeRecord(plan_needed=True, category=Category.NEGLECT, review_outcome="continue"), "not a review"),
    ],
)
def test_a_conference_needs_a_plan_decision_and_category_per_child(chair, meeting, outcome, message):
    outcomes = {} if outcome is None else {c.pk: outcome for c in meeting.children.all()}
    with pytest.raises(MeetingError, match=message):
        factories.hold(meeting, chair, outcomes=outcomes)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED


def test_a_second_hold_is_refused_clearly(chair, meeting):
    factories.hold(meeting, chair)
    with pytest.raises(MeetingError, match="already recorded as held at 12:00 on Wednesday 6 January 2027"):
        factories.hold(meeting, chair)
    assert ChildOutcome.objects.filter(meeting=meeting).count() == 1


def test_cla_reviews_first_then_second_then_later(administrator, chair, family):
    family.children.update(looked_after_since=date(2026, 12, 14))
    review_outcome = {c.pk: OutcomeRecord(review_outcome=ReviewOutcome.CONTINUE) for c in family.children.all()}
    first = factories.schedule(
        administrator=administrator, chair=chair, family=family, kind=MeetingKind.CLA, starts_at=local(2027, 1, 14)
    )
    factories.hold(first, chair, outcomes=review_outcome)
    first.refresh_from_db()
    assert (first.next_kind, first.next_due_on) == (MeetingKind.CLA, date(2027, 4, 14))  # + 3 months
    second = factories.schedule(
        administrator=administrator, chair=chair, family=family, kind=MeetingKind.CLA, starts_at=local(2027, 4, 13)
    )
    assert second.due_on == date(2027, 4, 14)
    factories.hold(second, chair, outcomes=review_outcome)
    second.refresh_from_db()
    assert second.next_due_on == date(2027, 10, 13)  # + 6 months after the second


def test_cin_review_requires_a_review_outcome_and_ends_when_the_plan_ends(chair, administrator, family):
    cin = factories.schedule(
        administrator=administrator, chair=chair, family=family, kind=MeetingKind.CIN, starts_at=local(2027, 1, 11)
    )
    with pytest.raises(MeetingError, match="Only a child protection conference decides"):
        factories.hold(cin, chair, outcomes=factories.plan_for_all(cin))
    with pytest.raises(MeetingError, match="Record the review outcome"):
        factories.hold(cin, chair, outcomes={c.pk: OutcomeRecord() for c in cin.children.all()})
    factories.hold(
        cin, chair, outcomes={c.pk: OutcomeRecord(review_outcome=ReviewOutcome.END) for c in cin.children.all()}
    )
    cin.refresh_from_db()
    assert (cin.status, cin.next_due_on) == (MeetingStatus.HELD, None)


def test_cin_review_every_twelve_weeks(chair, administrator, family):
    cin = factories.schedule(
        administrator=administrator, chair=chair, family=family, kind=MeetingKind.CIN, starts_at=local(2027, 1, 11)
    )
    factories.hold(
        cin, chair, outcomes={c.pk: OutcomeRecord(review_outcome=ReviewOutcome.CHANGE) for c in cin.children.all()}
    )
    cin.refresh_from_db()
    assert cin.next_due_on == date(2027, 4, 5)


# --- minuted ----------------------------------------------------------------------------


def test_mark_minuted_only_from_held(chair, meeting):
    with pytest.raises(MeetingError, match="is scheduled, so it cannot be marked minuted"):
        services.meeting_mark_minuted(meeting=meeting, actor=chair.user, now=local(2027, 1, 7))
    factories.hold(meeting, chair)
    services.meeting_mark_minuted(meeting=meeting, actor=chair.user, now=local(2027, 1, 20))
    meeting.refresh_from_db()
    assert (meeting.status, meeting.minuted_at) == (MeetingStatus.MINUTED, local(2027, 1, 20))
    assert codes(meeting)[-1] == "meeting.minuted"
    with pytest.raises(MeetingError, match="is minuted"):
        services.meeting_mark_minuted(meeting=meeting, actor=chair.user, now=local(2027, 1, 21))


# --- invitations ------------------------------------------------------------------------


def test_invite_a_professional_takes_their_agency(administrator, meeting):
    agency = factories.AgencyFactory(name="Police")
    officer = factories.PersonFactory(agency=agency)
    invitation = factories.invite(meeting, administrator, officer, InvitationRole.PROFESSIONAL)
    assert invitation.agency == agency
    assert AuditEvent.objects.filter(code="invitation.added").count() == 2


def test_invite_refuses_duplicates_interpreters_without_a_language_and_a_second_chair(
    administrator, parent, other_chair, meeting
):
    with pytest.raises(MeetingError, match="already invited"):
        factories.invite(meeting, administrator, parent)
    with pytest.raises(MeetingError, match="language the interpreter"):
        factories.invite(meeting, administrator, factories.PersonFactory(), InvitationRole.INTERPRETER)
    with pytest.raises(MeetingError, match="chair is invited when"):
        factories.invite(meeting, administrator, other_chair, InvitationRole.CHAIR)


def test_invite_refused_for_a_parent_and_once_held(chair, parent, administrator, meeting):
    with pytest.raises(PermissionDenied):
        invites.invitation_add(
            meeting=meeting, actor=parent.user, person=factories.PersonFactory(), role=InvitationRole.ADVOCATE
        )
    factories.hold(meeting, chair)
    with pytest.raises(MeetingError, match="This meeting is held, so who is invited cannot change"):
        factories.invite(meeting, administrator, factories.PersonFactory(), InvitationRole.ADVOCATE)
