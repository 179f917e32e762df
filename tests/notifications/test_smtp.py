"""Email over a real SMTP conversation with a local aiosmtpd server."""

from email import message_from_bytes

import icalendar
import pytest

from meetings import invites
from meetings.enums import InvitationRole
from notifications.delivery import outbox_deliver
from notifications.models import OutboundEmail
from notifications.services import outbox_retry
from tests import factories
from tests.factories import local
from tests.smtp import free_port, smtp_mailers, start_server

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp_settings(settings):
    port = free_port()
    settings.MAILERS = smtp_mailers(port)
    return port


@pytest.fixture
def meeting(administrator, chair, family, parent):
    m = factories.schedule(administrator=administrator, chair=chair, family=family, starts_at=local(2027, 1, 6))
    factories.invite(m, administrator, parent)
    return m


def test_an_invitation_travels_over_smtp_with_its_calendar(
    smtp_settings, meeting, administrator, parent, django_capture_on_commit_callbacks
):
    controller, inbox = start_server(smtp_settings)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            invites.invitations_send(meeting=meeting, actor=administrator.user, now=local(2026, 12, 20))
    finally:
        controller.stop()
    assert OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT).count() == 2
    envelope = next(e for e in inbox.envelopes if e.rcpt_tos == [parent.email])
    mime = message_from_bytes(envelope.content)
    assert mime["Subject"] == f"Invitation: Initial child protection conference {meeting.reference}"
    assert [p.get_content_type() for p in mime.walk()] == [
        "multipart/mixed",
        "multipart/alternative",
        "text/plain",
        "text/calendar",
        "application/ics",
    ]
    calendar_part = next(p for p in mime.walk() if p.get_content_type() == "text/calendar")
    assert calendar_part.get_param("method") == "REQUEST"
    cal = icalendar.Calendar.from_ical(calendar_part.get_payload(decode=True))
    assert next(iter(cal.walk("VEVENT")))["UID"] == f"{meeting.calendar_uid}@confer"
    assert b"Leakname" not in envelope.content


def test_an_smtp_failure_leaves_the_message_failed_and_a_retry_sends_it_exactly_once(
    smtp_settings, meeting, administrator, parent, django_capture_on_commit_callbacks
):
    # Nothing listens on the port yet: the connection is refused.
    with django_capture_on_commit_callbacks(execute=True):
        invites.invitations_send(meeting=meeting, actor=administrator.user, now=local(2026, 12, 20))
    failed = OutboundEmail.objects.get(to_email=parent.email)
    assert failed.status == OutboundEmail.Status.FAILED
    assert failed.attempts == 1
    assert "ConnectionRefusedError" in failed.last_error

    controller, inbox = start_server(smtp_settings)
    try:
        assert outbox_retry() == 2
        assert outbox_retry() == 0  # nothing left to retry
    finally:
        controller.stop()
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.last_error) == (OutboundEmail.Status.SENT, 2, "")
    assert [e.rcpt_tos for e in inbox.envelopes].count([parent.email]) == 1
    assert len(inbox.envelopes) == 2


def test_delivering_a_sent_message_again_sends_nothing(
    smtp_settings, meeting, administrator, django_capture_on_commit_callbacks
):

    controller, inbox = start_server(smtp_settings)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            invites.invitations_send(meeting=meeting, actor=administrator.user, now=local(2026, 12, 20))
        message = OutboundEmail.objects.first()
        assert outbox_deliver(message.pk) is False
    finally:
        controller.stop()
    assert len(inbox.envelopes) == 2
    assert InvitationRole.CHAIR in meeting.invitations.values_list("role", flat=True)
