"""Replies from people's own calendars, read from a real IMAP server (pymap), written as
Outlook, Google and Apple write them: each has exactly its effect, and a second run
changes nothing."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid

import icalendar
import pytest
from django.urls import reverse

from audit.models import AuditEvent
from meetings import invites, services
from meetings.enums import InvitationRole, Rsvp
from meetings.models import CalendarReply
from meetings.replies import apply_message, mail_fetch
from tests import factories
from tests.factories import local
from tests.imap import ImapServer

NOW = local(2027, 1, 2, 9)


@pytest.fixture(scope="module")
def imap():
    server = ImapServer()
    yield server
    server.stop()


@pytest.fixture
def mailbox(imap, settings):
    imap.empty_folders()
    settings.CONFER_MAILBOX = imap.config
    return imap


@pytest.fixture
def meeting(administrator, chair, family, parent):
    meeting = factories.schedule(administrator=administrator, chair=chair, family=family, starts_at=local(2027, 1, 6))
    officer = factories.PersonFactory(full_name="Pat Constable", email="Pat.Constable@police.test")
    factories.invite(meeting, administrator, parent)
    factories.invite(meeting, administrator, officer, InvitationRole.PROFESSIONAL)
    invites.invitations_send(meeting=meeting, actor=administrator.user, now=local(2026, 12, 30, 9))
    meeting.refresh_from_db()
    return meeting


def ics(meeting, *, attendee: str, partstat: str, method: str = "REPLY", sequence: int = 0, prodid: str) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", prodid)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = icalendar.Event()
    event.add("uid", f"{meeting.calendar_uid}@confer")
    event.add("sequence", sequence)
    event.add("dtstamp", NOW)
    start = meeting.starts_at + (timedelta(days=1) if method == "COUNTER" else timedelta())
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(hours=2))
    event.add("summary", "Initial child protection conference")
    event.add("organizer", "mailto:meetings@confer.example.org")
    event.add("attendee", icalendar.vCalAddress(f"mailto:{attendee}"), parameters={"PARTSTAT": partstat, "CN": "X"})
    calendar.add_component(event)
    return calendar.to_ical()


def outlook(meeting, sender: str, partstat: str = "ACCEPTED", **kw) -> bytes:
    """Outlook: multipart/alternative, the calendar as a text/calendar alternative."""
    message = EmailMessage()
    message["From"], message["To"] = f"Pat Constable <{sender}>", "meetings@confer.example.org"
    message["Subject"], message["Message-ID"] = "Accepted: Initial child protection conference", make_msgid()
    message.set_content("Pat Constable has accepted.")
    message.add_alternative("<p>Pat Constable has accepted.</p>", subtype="html")
    data = ics(meeting, attendee=sender, partstat=partstat, prodid="Microsoft Exchange Server 2010", **kw)
    message.add_alternative(data, maintype="text", subtype="calendar", params={"method": kw.get("method", "REPLY")})
    return bytes(message)


def google(meeting, sender: str, partstat: str = "DECLINED", **kw) -> bytes:
    """Google: mixed, with the calendar both inline and as invite.ics."""
    message = EmailMessage()
    message["From"], message["To"] = sender, "meetings@confer.example.org"
    message["Subject"], message["Message-ID"] = "Declined: Initial child protection conference", make_msgid()
    message["Authentication-Results"] = "mx.google.com; dkim=pass; spf=pass; dmarc=pass (p=NONE) header.from=x"
    message.set_content("Declined")
    data = ics(meeting, attendee=sender, partstat=partstat, prodid="-//Google Inc//Google Calendar 70.9054//EN", **kw)
    message.add_alternative(data, maintype="text", subtype="calendar", params={"method": "REPLY"})
    message.add_attachment(data, maintype="application", subtype="ics", filename="invite.ics")
    return bytes(message)


def apple(meeting, sender: str, partstat: str = "TENTATIVE", **kw) -> bytes:
    """Apple Calendar: plain text with the calendar attached."""
    message = EmailMessage()
    message["From"], message["To"] = sender, "meetings@confer.example.org"
    message["Subject"], message["Message-ID"] = "Invitation: Conference (tentative)", make_msgid()
    message.set_content("Maybe")
    data = ics(meeting, attendee=sender, partstat=partstat, prodid="-//Apple Inc.//Mac OS X 10.15//EN", **kw)
    message.add_attachment(data, maintype="text", subtype="calendar", filename="iCal-1.ics", params={"method": "REPLY"})
    return bytes(message)


def broken_calendar(meeting, sender: str) -> bytes:
    """A reply whose calendar cannot be read (a SEQUENCE that is not a number)."""
    message = EmailMessage()
    message["From"], message["Subject"], message["Message-ID"] = sender, "Declined", make_msgid()
    data = ics(meeting, attendee=sender, partstat="DECLINED", prodid="x").replace(b"SEQUENCE:0", b"SEQUENCE:x")
    assert b"SEQUENCE:x" in data
    message.add_attachment(data, maintype="text", subtype="calendar", filename="reply.ics")
    return bytes(message)


def answer(meeting, email: str) -> tuple[str, str]:
    invitation = meeting.invitations.get(person__email__iexact=email)
    return invitation.rsvp, invitation.rsvp_source


@pytest.mark.django_db(transaction=True)
def test_each_calendar_reply_has_exactly_its_effect_and_a_second_run_changes_nothing(mailbox, meeting, parent):
    officer = "pat.constable@police.test"  # the attendee's address, in another case
    held_before = mailbox.count("Confer/For a person")
    mailbox.deliver(outlook(meeting, officer))
    assert mail_fetch(now=NOW).applied == 1
    assert answer(meeting, officer) == (Rsvp.ACCEPTED, "calendar")
    event = AuditEvent.objects.filter(code="invitation.answered").latest("id")
    assert event.detail["source"] == "calendar reply" and event.actor_label == "system: calendar reply"

    mailbox.deliver(google(meeting, parent.email))
    mailbox.deliver(apple(meeting, officer))
    assert mail_fetch(now=NOW).applied == 2
    assert answer(meeting, parent.email) == (Rsvp.DECLINED, "calendar")
    assert answer(meeting, officer) == (Rsvp.TENTATIVE, "calendar")

    # A forged sender, a failed DMARC check, a COUNTER, an out-of-date reply and garbage.
    forged = outlook(meeting, officer).replace(b"From: Pat Constable <pat.constable@police.test>", b"From: x@evil.test")
    mailbox.deliver(forged)
    failing = google(meeting, parent.email, partstat="ACCEPTED").replace(b"dmarc=pass", b"dmarc=fail")
    mailbox.deliver(failing)
    mailbox.deliver(outlook(meeting, officer, partstat="ACCEPTED", method="COUNTER"))
    mailbox.deliver(b"From: someone@example.test\r\nSubject: hello\r\nMessage-ID: <g@x>\r\n\r\nnot a reply\r\n")
    mailbox.deliver(broken_calendar(meeting, officer))
    result = mail_fetch(now=NOW)
    assert (result.read, result.applied, result.held) == (5, 0, 4)
    assert answer(meeting, officer) == (Rsvp.TENTATIVE, "calendar")
    assert answer(meeting, parent.email) == (Rsvp.DECLINED, "calendar")
    counter = CalendarReply.objects.get(method="COUNTER")
    assert counter.proposed_start == meeting.starts_at + timedelta(days=1)
    assert mailbox.count("Confer/For a person") == held_before + 4 and mailbox.count("INBOX") == 0

    # The meeting moves (sequence 1): a reply to the old invitation is kept, not applied.
    meeting.sequence = 1
    meeting.save(update_fields=["sequence"])
    meeting.invitations.update(sent_sequence=1)
    mailbox.deliver(outlook(meeting, officer, partstat="DECLINED", sequence=0))
    assert mail_fetch(now=NOW).applied == 0
    assert answer(meeting, officer) == (Rsvp.TENTATIVE, "calendar")
    assert "out-of-date" in CalendarReply.objects.latest("id").reason

    # Read again: every message is known by its Message-ID; nothing changes.
    before = list(CalendarReply.objects.values_list("id", "outcome"))
    assert mail_fetch(now=NOW).read == 0  # the mailbox's folder was emptied as it was read
    processed = mailbox.client()
    processed.select('"Confer/Processed"')
    processed.copy("1:*", "INBOX")  # as if a person put them all back
    processed.logout()
    assert mail_fetch(now=NOW).read > 0
    assert list(CalendarReply.objects.values_list("id", "outcome")) == before


@pytest.mark.django_db(transaction=True)
@pytest.mark.django_db(transaction=True)
def test_the_meeting_page_shows_where_an_answer_came_from_and_a_proposed_time(mailbox, meeting, administrator, client):
    officer = "pat.constable@police.test"
    mailbox.deliver(outlook(meeting, officer))
    mailbox.deliver(outlook(meeting, officer, method="COUNTER"))
    mail_fetch(now=NOW)
    client.force_login(administrator.user)
    page = " ".join(client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode().split())
    assert 'Attending<br><span class="govuk-body-s">from their calendar' in page
    assert "proposes a new time, Thursday 7 January 2027, 10:00 to 12:00." in page


def test_a_run_reads_a_bounded_number_and_holds_what_is_too_large(mailbox, meeting, settings):
    settings.CONFER_MAILBOX = {**mailbox.config, "max_messages": 2, "max_bytes": 4000}
    for _ in range(3):
        mailbox.deliver(apple(meeting, "pat.constable@police.test"))
    mailbox.deliver(b"From: a@b.test\r\nMessage-ID: <big@x>\r\n\r\n" + b"x" * 5000)
    assert mail_fetch(now=NOW).read == 2
    assert mailbox.count("INBOX") == 2
    result = mail_fetch(now=NOW)
    assert result.read == 2 and result.held == 1  # the large one, unread
    assert not CalendarReply.objects.filter(message_id="<big@x>").exists()


@pytest.mark.django_db
def test_without_a_mailbox_invitations_ask_calendars_not_to_reply(meeting, parent, client):
    from notifications.models import OutboundEmail  # noqa: PLC0415

    sent = OutboundEmail.objects.filter(to_email=parent.email).latest("id")
    assert "RSVP=FALSE" in sent.calendar and "RSVP=TRUE" not in sent.calendar
    assert "reply at" in sent.body
    client.force_login(parent.user)
    assert client.get(reverse("meetings:detail", args=[meeting.pk])).status_code == 200


@pytest.mark.django_db
def test_replies_about_a_cancelled_meeting_or_from_someone_removed_change_nothing(meeting, administrator, parent):
    officer = "pat.constable@police.test"
    invites.invitation_remove(
        invitation=meeting.invitations.get(person__email__iexact=officer), actor=administrator.user, now=NOW
    )
    removed = apply_message(outlook(meeting, officer), now=NOW)
    assert (removed.outcome, removed.reason) == ("ignored", "The person is no longer invited.")
    services.meeting_cancel(meeting=meeting, actor=administrator.user, reason="Unwell", now=NOW)
    cancelled = apply_message(google(meeting, parent.email, partstat="ACCEPTED"), now=NOW)
    assert (cancelled.outcome, cancelled.reason) == ("ignored", "The meeting was cancelled.")
    assert meeting.invitations.get(person=parent).rsvp == Rsvp.PENDING
