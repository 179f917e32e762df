"""The Django admin covers every model, and its transition actions go through the services."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from audit.models import AuditEvent
from audit.services import audit_record
from meetings.enums import Attendance, MeetingStatus
from meetings.models import Meeting
from tests import factories
from tests.factories import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    user = factories.UserFactory(is_staff=True, is_superuser=True)
    factories.with_totp(user)
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def meeting(administrator, chair, family, parent):
    m = factories.schedule(administrator=administrator, chair=chair, family=family, starts_at=local(2027, 1, 6))
    factories.invite(m, administrator, parent)
    return m


def test_every_project_model_is_registered_in_the_admin():

    ours = {"audit", "participants", "meetings", "minutes"}
    models = [m for m in apps.get_models() if m._meta.app_label in ours and not m.__name__.startswith("Historical")]
    assert models
    missing = [m.__name__ for m in models if m not in admin.site._registry]
    assert missing == []


def test_every_admin_changelist_and_change_page_opens(superuser_client, meeting):
    audit_record(actor=superuser_client.user, code="x.y", obj=meeting)
    for model in admin.site._registry:
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert superuser_client.get(url).status_code == 200, url
        obj = model._default_manager.first()
        if obj is not None:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
            assert superuser_client.get(url).status_code == 200, url


def test_cancel_action_asks_for_a_reason_then_calls_the_service(superuser_client, meeting, time_machine):
    time_machine.move_to(local(2026, 12, 1))
    superuser_client.force_login(superuser_client.user)  # sessions expire after 30 idle minutes
    url = reverse("admin:meetings_meeting_changelist")
    data = {"action": "cancel_meetings", "_selected_action": [meeting.pk]}
    page = superuser_client.post(url, data)
    assert page.status_code == 200
    assert b"Cancel meetings" in page.content
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.SCHEDULED

    superuser_client.post(url, {**data, "apply": "1", "reason": "Family moved"})
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED
    assert (meeting.cancellation_reason, meeting.sequence) == ("Family moved", 1)
    assert AuditEvent.objects.get(code="meeting.cancelled").actor == superuser_client.user


def test_reschedule_action_moves_one_meeting_and_bumps_the_sequence(superuser_client, meeting, time_machine):
    time_machine.move_to(local(2026, 12, 1))
    superuser_client.force_login(superuser_client.user)  # sessions expire after 30 idle minutes
    url = reverse("admin:meetings_meeting_changelist")
    superuser_client.post(
        url,
        {
            "action": "reschedule_meeting",
            "_selected_action": [meeting.pk],
            "apply": "1",
            "starts_at": "2027-01-06T14:00",
            "duration": "120",
            "venue": "Room 1, Cyril Le Marquand House",
            "online_link": "",
            "reason": "Room clash",
        },
    )
    meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.sequence) == (local(2027, 1, 6, 14), 1)
    assert meeting.venue == "Room 1, Cyril Le Marquand House"


def test_hold_action_uses_recorded_attendance_and_the_outcome_form(superuser_client, meeting, time_machine):
    time_machine.move_to(meeting.ends_at + timedelta(minutes=5))
    superuser_client.force_login(superuser_client.user)  # sessions expire after 30 idle minutes
    meeting.invitations.update(attendance=Attendance.ATTENDED)
    url = reverse("admin:meetings_meeting_changelist")
    data = {"action": "hold_meeting", "_selected_action": [meeting.pk]}
    form_page = superuser_client.post(url, data)
    child = meeting.children.get()
    assert f'name="plan_{child.pk}"'.encode() in form_page.content
    # The service's refusal reaches the admin as a message, and nothing changes.
    superuser_client.post(url, {**data, "apply": "1", f"plan_{child.pk}": "yes", f"category_{child.pk}": ""})
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.SCHEDULED
    superuser_client.post(url, {**data, "apply": "1", f"plan_{child.pk}": "yes", f"category_{child.pk}": "neglect"})
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    assert meeting.outcomes.get().category == "neglect"


def test_the_admin_cannot_add_meetings_or_edit_audit_events(superuser_client, meeting):
    assert superuser_client.get(reverse("admin:meetings_meeting_add")).status_code == 403
    event = AuditEvent.objects.first()
    response = superuser_client.post(reverse("admin:audit_auditevent_change", args=[event.pk]), {"code": "tampered"})
    assert response.status_code == 403
