"""Queries built once per process (``config.prepared``), and the meeting gate that uses one:
the same rows and related objects as the QuerySet they are built from, in one query, with
each run's own values."""

import threading

import pytest
from django.core.exceptions import MultipleObjectsReturned
from django.db import connections

from config import prepared
from meetings.enums import InvitationRole, MeetingKind
from meetings.models import Meeting
from meetings.selectors import meetings_for_user, visible_meeting
from tests import factories


@pytest.fixture(autouse=True)
def _nothing_prepared_yet():
    prepared.forget()
    yield
    prepared.forget()


@pytest.fixture
def two_meetings(administrator, chair, family, parent):
    first = factories.schedule(administrator=administrator, chair=chair, family=family)
    second = factories.schedule(administrator=administrator, chair=chair, family=family, kind=MeetingKind.CIN)
    factories.invite(first, administrator, parent)
    return first, second


def test_a_prepared_query_is_built_once_and_run_with_each_call_s_values(two_meetings, django_assert_num_queries):
    first, second = two_meetings
    built = []

    def build(pk):
        built.append(pk)
        return Meeting.objects.select_related("chair", "family").filter(pk=pk)

    with django_assert_num_queries(1):
        found = prepared.one("by-pk", build, pk=first.pk)
        assert (found.chair.full_name, found.family.reference) == (first.chair.full_name, first.family.reference)
    assert prepared.one("by-pk", build, pk=second.pk) == second
    assert prepared.one("by-pk", build, pk=second.pk + 1000) is None
    assert len(built) == 1 and built[0] < 0  # once, with a stand-in no id takes


def test_a_value_that_does_not_reach_the_query_is_refused():
    with pytest.raises(ValueError, match="pk"):
        prepared.one("ignores-pk", lambda pk: Meeting.objects.all(), pk=1)


def test_more_than_one_row_is_an_error_not_the_first(two_meetings):
    family_id = two_meetings[0].family_id
    with pytest.raises(MultipleObjectsReturned):
        prepared.one("by-family", lambda family: Meeting.objects.filter(family_id=family), family=family_id)


def test_each_thread_runs_a_prepared_query_on_its_own_connection(two_meetings):
    first, _ = two_meetings
    prepared.one("by-pk", lambda pk: Meeting.objects.filter(pk=pk), pk=first.pk)
    (entry,) = prepared._prepared.values()
    seen = {}
    worker = threading.Thread(target=lambda: seen.update(ran_on=prepared._Run(entry, ()).get_compiler().connection))
    worker.start()
    worker.join()
    assert seen["ran_on"] is not entry.compiler.connection  # the builder's thread's
    assert prepared._Run(entry, ()).get_compiler().connection is connections["default"]


def test_the_gate_finds_what_meetings_for_user_finds_with_the_viewer_s_role(
    two_meetings, administrator, chair, family, parent, django_assert_num_queries
):
    first, second = two_meetings
    for user, meeting, role in [
        (parent.user, first, InvitationRole.PARENT_CARER),
        (chair.user, first, InvitationRole.CHAIR),  # staff, and invited as the chair
        (administrator.user, second, None),  # staff, not invited
    ]:
        expected = meetings_for_user(user, with_own_role=True).get(pk=meeting.pk)
        with django_assert_num_queries(1):
            found = visible_meeting(user, meeting.pk, related=("minutes",))
            assert found.chair.full_name and found.family.reference  # came with it
        assert found == expected and found.viewer_role == expected.viewer_role == role
    # A family member sees only what they are invited to, staff everything; nobody signed
    # out or deactivated sees anything (asked before any query).
    assert visible_meeting(parent.user, second.pk) is None
    parent.user.is_active = False
    assert visible_meeting(parent.user, first.pk) is None


@pytest.mark.postgresql
def test_postgresql_prepares_the_gate_after_a_few_runs_on_a_connection(two_meetings, parent):
    """Parameters are bound in the server (``DATABASE_PREPARED_STATEMENTS``), so psycopg
    prepares a statement a connection keeps running: the gate's is then neither parsed nor
    planned again."""
    first, _ = two_meetings
    assert connections["default"].features.uses_server_side_binding
    for _ in range(6):
        assert visible_meeting(parent.user, first.pk) == first
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        statements = [row[0] for row in cursor.fetchall()]
    assert any('"viewer_role"' in statement and "meetings_meeting" in statement for statement in statements)
