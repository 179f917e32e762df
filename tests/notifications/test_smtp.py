"""Email over a real SMTP conversation with a local aiosmtpd server."""

from datetime import timedelta
from email import message_from_bytes

import icalendar
import pytest
from aiosmtpd.controller import Controller
from django.urls import reverse
from django.utils import timezone

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
        assert outbox_retry() == 0  # not before its wait is over
        assert outbox_retry(now=timezone.now() + timedelta(minutes=6)) == 2
        assert outbox_retry(now=timezone.now() + timedelta(minutes=6)) == 0  # nothing left to retry
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


class Refusing:
    """A mail server that answers every recipient with ``reply``."""

    def __init__(self, reply: str):
        self.reply, self.seen = reply, 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.seen += 1
        return self.reply


def _refused_by(port: int, reply: str, meeting, administrator, capture) -> tuple[OutboundEmail, Refusing]:
    handler = Refusing(reply)
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with capture(execute=True):
            invites.invitations_send(meeting=meeting, actor=administrator.user, now=local(2026, 12, 20))
    finally:
        controller.stop()
    return OutboundEmail.objects.exclude(to_email=meeting.chair.email).get(), handler


def test_a_permanent_refusal_is_not_retried_and_shows_on_the_mail_page(
    smtp_settings, meeting, administrator, client, django_capture_on_commit_callbacks
):
    message, handler = _refused_by(
        smtp_settings, "550 5.1.1 No such user here", meeting, administrator, django_capture_on_commit_callbacks
    )
    assert (message.status, message.next_attempt_at) == (OutboundEmail.Status.UNDELIVERABLE, None)
    assert "No such user here" in message.last_error
    seen = handler.seen
    assert outbox_retry(now=timezone.now() + timedelta(days=30)) == 0
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboundEmail.Status.UNDELIVERABLE, 1)
    assert handler.seen == seen
    client.force_login(administrator.user)
    page = client.get(reverse("meetings:mail")).content.decode()
    assert "Refused by the mail server (not retried)" in page and "No such user here" in page


def test_a_temporary_refusal_is_retried_later_and_later(
    smtp_settings, meeting, administrator, django_capture_on_commit_callbacks
):
    message, _ = _refused_by(
        smtp_settings, "451 4.3.0 Try again later", meeting, administrator, django_capture_on_commit_callbacks
    )
    assert message.status == OutboundEmail.Status.FAILED
    first_wait = message.next_attempt_at - timezone.now()
    assert timedelta(minutes=4) < first_wait <= timedelta(minutes=5)
    outbox_deliver(message.pk)  # the server is gone now: refused again, so wait longer
    message.refresh_from_db()
    assert message.attempts == 2
    assert timedelta(minutes=9) < message.next_attempt_at - timezone.now() <= timedelta(minutes=10)
    for _ in range(20):
        outbox_deliver(message.pk)
    message.refresh_from_db()
    assert message.next_attempt_at - timezone.now() <= timedelta(hours=6)
    assert message.status == OutboundEmail.Status.FAILED
