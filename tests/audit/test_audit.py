"""The audit log is append-only: the ORM refuses changes and the database refuses UPDATE.
Every event commits with its caller's transaction; a page view outside one commits on its
own without waiting for the disk."""

import psycopg
import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.access import audit_page_view
from audit.models import AuditEvent
from audit.services import audit_record
from tests import factories

pytestmark = pytest.mark.django_db


def test_audit_record_names_the_actor_and_labels_a_child_without_the_name(administrator):
    child = factories.ChildFactory()
    event = audit_record(actor=administrator.user, code="child.viewed", obj=child, detail={"why": "test"})
    assert event.actor == administrator.user
    assert event.actor_label == administrator.user.get_username()
    assert event.object_type == "participants.child"
    assert event.object_repr == f"child {child.identifier}"
    assert child.person.full_name not in event.object_repr


def test_system_actor_is_labelled():
    event = audit_record(actor=None, code="deadline.swept", system_label="deadline sweep")
    assert (event.actor, event.actor_label) == (None, "system: deadline sweep")


def test_saved_events_cannot_be_changed_or_deleted_through_the_orm(administrator):
    event = audit_record(actor=administrator.user, code="x.y")
    event.code = "tampered"
    with pytest.raises(TypeError, match="append-only"):
        event.save()
    with pytest.raises(TypeError, match="append-only"):
        event.delete()
    with pytest.raises(TypeError, match="append-only"):
        AuditEvent.objects.filter(pk=event.pk).update(code="tampered")
    with pytest.raises(TypeError, match="append-only"):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).code == "x.y"


def test_the_database_refuses_an_update_that_bypasses_the_orm(administrator):
    event = audit_record(actor=administrator.user, code="x.y")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET code = 'tampered' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).code == "x.y"


def test_what_is_appended_reads_back_as_it_was_recorded(administrator):
    """The event is written by a statement of its own (not ``Model.save``): every field,
    the JSON detail and the address included, reads back as the returned event has it."""
    child = factories.ChildFactory()
    event = audit_record(
        actor=administrator.user,
        code="child.viewed",
        obj=child,
        detail={"minutes": 7, "status": "shared", "note": "ünïcode"},
        ip_address="2001:db8::1",
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    for field in AuditEvent._meta.concrete_fields:
        assert getattr(stored, field.attname) == getattr(event, field.attname), field.name
    assert stored.object_repr == f"child {child.identifier}" and stored.object_id == str(child.pk)
    assert not event._state.adding  # saved: changing it is refused like any stored event
    with pytest.raises(TypeError, match="append-only"):
        event.save()


def test_an_event_is_part_of_the_callers_transaction(administrator):
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=administrator.user, code="x.rolled_back")
        raise RuntimeError
    assert not AuditEvent.objects.filter(code="x.rolled_back").exists()


EAGER = "set_config('synchronous_commit', 'off', true)"


def _synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


def _committed(pk: int) -> bool:
    """Seen from another connection: only a committed row is."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("server_side_binding", None)
    with psycopg.connect(**params) as other:
        return other.execute("SELECT 1 FROM audit_auditevent WHERE id = %s", [pk]).fetchone() is not None


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_page_view_is_committed_on_its_own_without_waiting_for_the_disk(client):
    """The meeting page's record of the read is one statement that commits by itself with
    ``synchronous_commit`` off for that commit only: the connection is back to waiting for
    the disk straight after, so the next change does wait."""
    administrator, chair = factories.staff("administrator"), factories.staff("chair")
    family, _parent = factories.family_with_parent()
    meeting = factories.schedule(administrator=administrator, chair=chair, family=family)
    client.force_login(chair.user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("meetings:detail", args=[meeting.pk])).status_code == 200
    (insert,) = [q["sql"] for q in queries if "audit_auditevent" in q["sql"]]
    assert EAGER in insert
    event = AuditEvent.objects.get(code="meeting.viewed")
    assert event.actor == chair.user and event.object_id == str(meeting.pk) and _committed(event.pk)
    assert _synchronous_commit() == "on"
    with CaptureQueriesContext(connection) as queries:
        change = audit_record(actor=chair.user, code="x.changed")
    assert EAGER not in queries[-1]["sql"] and _committed(change.pk)


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_a_page_view_commits_with_it_and_waits(rf, settings):
    """In the caller's transaction the setting would apply to its changes too, so it is
    never touched there; and an installation may make every record wait."""
    user = factories.staff("chair").user
    request = rf.get("/")
    request.user = user
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        audit_page_view(request, user, "x.viewed")
        assert _synchronous_commit() == "on"
    assert EAGER not in queries[0]["sql"]
    settings.CONFER_AUDIT_PAGE_VIEWS_WAIT_FOR_DISK = True
    with CaptureQueriesContext(connection) as queries:
        audit_page_view(request, user, "x.viewed")
    assert EAGER not in queries[0]["sql"]
    assert AuditEvent.objects.filter(code="x.viewed").count() == 2
