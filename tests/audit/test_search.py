"""Managers search the audit log by person, child reference and date."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from audit.services import audit_record
from tests import factories
from tests.factories import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(administrator, chair, family):
    meeting = factories.schedule(administrator=administrator, chair=chair, family=family, now=local(2026, 12, 1))
    other_family, _ = factories.family_with_parent()
    other = factories.schedule(administrator=administrator, chair=chair, family=other_family, now=local(2026, 12, 2))
    audit_record(actor=chair.user, code="meeting.viewed", obj=meeting, now=local(2026, 12, 10))
    audit_record(actor=chair.user, code="meeting.viewed", obj=other, now=local(2026, 12, 20))
    return meeting, other


def search(client, **params):
    response = client.get(reverse("audit:search"), params)
    assert response.status_code == 200
    return response.context["events"]


def test_search_by_child_reference_finds_events_on_that_childs_meetings(client, manager, family, events):
    meeting, _other = events
    client.force_login(manager.user)
    found = search(client, child=family.children.get().identifier)
    assert {e.object_id for e in found} == {str(meeting.pk)}
    assert [e.code for e in found] == ["meeting.viewed", "meeting.scheduled"]


def test_search_by_person_and_date(client, manager, chair, administrator, events):
    client.force_login(manager.user)
    by_chair = search(client, person=chair.user.email)
    assert {e.code for e in by_chair} == {"meeting.viewed"}
    assert len(by_chair) == 2
    in_window = search(client, person=chair.user.email, date_from="2026-12-15", date_to="2026-12-31")
    assert [e.object_id for e in in_window] == [str(events[1].pk)]


def test_search_refuses_a_backwards_date_range(client, manager, events):
    client.force_login(manager.user)
    response = client.get(reverse("audit:search"), {"date_from": "2026-12-31", "date_to": "2026-12-01"})
    assert response.context["events"] is None
    assert b"on or before" in response.content


def test_only_managers_may_search(client, chair, events):
    client.force_login(chair.user)
    assert client.get(reverse("audit:search"), {"person": "x"}).status_code == 403
    assert AuditEvent.objects.count() > 0
