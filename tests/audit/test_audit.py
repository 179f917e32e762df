"""The audit log is append-only: the ORM refuses changes and the database refuses UPDATE."""

import pytest
from django.db import DatabaseError, connection, transaction

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
