"""Two chairs pressing "held" at once, on two real PostgreSQL connections."""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from meetings import services
from meetings.enums import Attendance, Category, MeetingStatus
from meetings.errors import MeetingError
from meetings.models import ChildOutcome, Meeting
from tests import factories
from tests.factories import local


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_hold_gives_one_success_and_one_clear_refusal(administrator, chair, family):
    if connection.vendor != "postgresql":
        pytest.skip("Row locks are a PostgreSQL matter; SQLite serialises all writers anyway.")
    meeting = factories.schedule(administrator=administrator, chair=chair, family=family, starts_at=local(2027, 1, 6))
    attendance = {inv.pk: services.AttendanceRecord(Attendance.ATTENDED) for inv in meeting.invitations.all()}
    plan = services.OutcomeRecord(plan_needed=True, category=Category.NEGLECT)
    outcomes = {c.pk: plan for c in family.children.all()}

    first_holds_lock = threading.Event()
    release_first = threading.Event()
    results: dict[str, object] = {}

    def call(name: str, keep_open: bool) -> None:
        try:
            with transaction.atomic():
                results[name] = services.meeting_hold(
                    meeting=meeting, actor=chair.user, attendance=attendance, outcomes=outcomes, now=meeting.ends_at
                )
                if keep_open:  # hold the row lock until the second caller is waiting on it
                    first_holds_lock.set()
                    release_first.wait(10)
        except MeetingError as exc:
            results[name] = exc
        finally:
            connections.close_all()

    first = threading.Thread(target=call, args=("first", True))
    first.start()
    assert first_holds_lock.wait(10)
    second = threading.Thread(target=call, args=("second", False))
    second.start()

    # Wait until PostgreSQL reports the second connection blocked on the first's lock.
    deadline = time.monotonic() + 10
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                break
            time.sleep(0.02)
        else:
            pytest.fail("The second hold never waited for the first one's row lock.")
    release_first.set()
    first.join(10)
    second.join(10)

    assert isinstance(results["first"], Meeting)
    assert isinstance(results["second"], MeetingError)
    assert "already recorded as held" in str(results["second"])
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    assert ChildOutcome.objects.filter(meeting=meeting).count() == family.children.count()
