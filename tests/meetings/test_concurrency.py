"""Two chairs pressing "held" at once, on two real PostgreSQL connections."""

import uuid

import pytest

from meetings import services
from meetings.enums import Attendance, Category, MeetingStatus
from meetings.errors import MeetingError
from meetings.models import ChildOutcome, Meeting
from tests import factories
from tests.concurrency import race
from tests.factories import local


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_hold_gives_one_success_and_one_clear_refusal(administrator, chair, family):
    meeting = factories.schedule(administrator=administrator, chair=chair, family=family, starts_at=local(2027, 1, 6))
    attendance = {inv.pk: services.AttendanceRecord(Attendance.ATTENDED) for inv in meeting.invitations.all()}
    plan = services.OutcomeRecord(plan_needed=True, category=Category.NEGLECT)
    outcomes = {c.pk: plan for c in family.children.all()}

    first, second = race(
        lambda: services.meeting_hold(
            meeting=meeting, actor=chair.user, attendance=attendance, outcomes=outcomes, now=meeting.ends_at
        ),
        MeetingError,
    )
    assert isinstance(first, Meeting)
    assert isinstance(second, MeetingError)
    assert "already recorded as held" in str(second)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    assert ChildOutcome.objects.filter(meeting=meeting).count() == family.children.count()


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_one_schedule_form_posted_twice_at_the_same_moment_schedules_one_meeting(administrator, chair, family):
    token = uuid.uuid4()
    first, second = race(
        lambda: factories.schedule(administrator=administrator, chair=chair, family=family, submission=token),
        MeetingError,
    )
    assert first == second
    assert Meeting.objects.count() == 1
