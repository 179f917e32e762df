"""Replies from people's own calendars, read from a real IMAP server (pymap), written as
Outlook, Google and Apple write them: each has exactly its effect, and a second run
changes nothing. Then mail that strangers send: malformed, oversized, forged. Each message
is dealt with on its own, nothing from one can stop the run or change attendance it should
not, and whatever is held says why."""

from __future__ import annotations

import email
import subprocess
import sys
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
from tests.imap import AUTHSERV_ID, ImapServer, received
from tests.test_deploy import ROOT, production_env

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


def ics(meeting, *, attendee: str, partstat: str, method: str = "REPLY", sequence: int | str = 0, prodid: str) -> bytes:
    """An iCalendar reply; a ``sequence`` given as text is written as it is, however wrong."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", prodid)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = icalendar.Event()
    event.add("uid", f"{meeting.calendar_uid}@confer")
    event.add("sequence", 0 if isinstance(sequence, str) else sequence)
    event.add("dtstamp", NOW)
    start = meeting.starts_at + (timedelta(days=1) if method == "COUNTER" else timedelta())
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(hours=2))
    event.add("summary", "Initial child protection conference")
    event.add("organizer", "mailto:meetings@confer.example.org")
    event.add("attendee", icalendar.vCalAddress(f"mailto:{attendee}"), parameters={"PARTSTAT": partstat, "CN": "X"})
    calendar.add_component(event)
    data = calendar.to_ical()
    return data.replace(b"SEQUENCE:0", f"SEQUENCE:{sequence}".encode()) if isinstance(sequence, str) else data


def outlook(meeting, sender: str, partstat: str = "ACCEPTED", **kw) -> bytes:
    """Outlook: multipart/alternative, the calendar as a text/calendar alternative."""
    message = EmailMessage()
    message["From"], message["To"] = f"Pat Constable <{sender}>", "meetings@confer.example.org"
    message["Subject"], message["Message-ID"] = "Accepted: Initial child protection conference", make_msgid()
    message.set_content("Pat Constable has accepted.")
    message.add_alternative("<p>Pat Constable has accepted.</p>", subtype="html")
    data = ics(meeting, attendee=sender, partstat=partstat, prodid="Microsoft Exchange Server 2010", **kw)
    message.add_alternative(data, maintype="text", subtype="calendar", params={"method": kw.get("method", "REPLY")})
    return received(bytes(message))


def google(meeting, sender: str, partstat: str = "DECLINED", **kw) -> bytes:
    """Google: mixed, with the calendar both inline and as invite.ics."""
    message = EmailMessage()
    message["From"], message["To"] = sender, "meetings@confer.example.org"
    message["Subject"], message["Message-ID"] = "Declined: Initial child protection conference", make_msgid()
    domain = sender.rpartition("@")[2]
    message["Authentication-Results"] = (
        f"{AUTHSERV_ID}; dkim=pass header.d={domain}; dmarc=pass (p=NONE) header.from={domain}"
    )
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
    return received(bytes(message))


def broken_calendar(meeting, sender: str) -> bytes:
    """A reply whose calendar cannot be read (a SEQUENCE that is not a number)."""
    message = EmailMessage()
    message["From"], message["Subject"], message["Message-ID"] = sender, "Declined", make_msgid()
    data = ics(meeting, attendee=sender, partstat="DECLINED", prodid="x").replace(b"SEQUENCE:0", b"SEQUENCE:x")
    assert b"SEQUENCE:x" in data
    message.add_attachment(data, maintype="text", subtype="calendar", filename="reply.ics")
    return received(bytes(message))


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
    assert "tell us if you can come at" in sent.body  # on the meeting page
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


OFFICER = "pat.constable@police.test"


def nested(depth: int) -> bytes:
    """A multipart message nested ``depth`` levels deep (about 210 bytes a level)."""
    head = b"From: x@evil.test\r\nMessage-ID: <deep@evil.test>\r\nMIME-Version: 1.0\r\n"
    opening = b"".join(
        b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (level, level) for level in range(depth)
    )
    closing = b"".join(b"\r\n--b%d--\r\n" % level for level in reversed(range(depth)))
    return head + opening + b"Content-Type: text/plain\r\n\r\nhello" + closing


def poisoned(meeting) -> dict[str, bytes]:
    good, other = outlook(meeting, OFFICER, partstat="DECLINED"), outlook(meeting, OFFICER, partstat="DECLINED")
    message_id = other.split(b"Message-ID: ", 1)[1].split(b"\n", 1)[0].rstrip(b"\r")
    return {
        "a 30-digit SEQUENCE": outlook(meeting, OFFICER, sequence="9" * 30),
        "a negative SEQUENCE": outlook(meeting, OFFICER, sequence="-1"),
        "a NUL in From": good.replace(b"From: Pat Constable <pat", b"From: Pat\x00 Constable <pat"),
        "a NUL in Message-ID": other.replace(message_id, message_id[:-1] + b"\x00>"),
        "invalid UTF-8 in the headers": (
            b"From: \xff\xfe@evil.test\r\nSubject: \xc3\x28\r\nMessage-ID: <\xff@x>\r\n\r\nx"
        ),
    }


@pytest.mark.django_db(transaction=True)
def test_one_poisoned_message_among_good_ones_leaves_every_good_one_applied(mailbox, meeting, parent):
    bad = poisoned(meeting)
    mailbox.deliver(outlook(meeting, OFFICER))
    for raw in bad.values():
        mailbox.deliver(raw)
    mailbox.deliver(google(meeting, parent.email))
    result = mail_fetch(now=NOW)
    assert (result.read, result.applied, result.held) == (len(bad) + 2, 2, len(bad))
    assert answer(meeting, OFFICER) == (Rsvp.ACCEPTED, "calendar")
    assert answer(meeting, parent.email) == (Rsvp.DECLINED, "calendar")
    assert mailbox.count("INBOX") == 0
    assert mailbox.count("Confer/For a person") == len(bad)
    held = CalendarReply.objects.filter(outcome=CalendarReply.Outcome.HELD)
    assert held.count() == len(bad)
    assert all(reply.reason for reply in held)
    assert held.filter(reason__startswith="Its SEQUENCE is not a whole number").count() == 2
    for reply in held:
        assert "\x00" not in reply.message_id + reply.from_address
    # The next run finds nothing left to trip over.
    assert mail_fetch(now=NOW).read == 0


@pytest.mark.django_db(transaction=True)
def test_a_message_the_mail_server_will_not_give_is_held_and_the_run_goes_on(mailbox, meeting, monkeypatch):
    from notifications import mailbox as mail  # noqa: PLC0415

    mailbox.deliver(b"From: a@b.test\r\nMessage-ID: <gone@x>\r\n\r\nx")
    mailbox.deliver(outlook(meeting, OFFICER))
    real_fetch = mail.Mailbox.fetch
    calls = []

    def fetch_failing_first(self, uid):
        calls.append(uid)
        if len(calls) == 1:
            raise mail.MailboxError("no body")
        return real_fetch(self, uid)

    monkeypatch.setattr(mail.Mailbox, "fetch", fetch_failing_first)
    result = mail_fetch(now=NOW)
    assert (result.read, result.applied, result.held) == (2, 1, 1)
    assert CalendarReply.objects.get(outcome="held").reason == "The mail server would not give this message."


def authenticated(settings, meeting, verdict: str | None, *, sender: str = OFFICER, authserv: str = AUTHSERV_ID):
    settings.CONFER_MAILBOX = {**settings.CONFER_MAILBOX, "authserv_id": AUTHSERV_ID, "require_authentication": True}
    raw = outlook(meeting, sender, partstat="DECLINED").split(b"\r\n", 1)[1]  # without the default verdict
    if verdict is not None:
        raw = f"Authentication-Results: {authserv}; {verdict}\r\n".encode() + raw
    return apply_message(raw, now=NOW)


FORGED = {
    "no verdict at all": None,
    "DKIM passed for an unrelated domain": "dkim=pass header.d=evil.test; spf=none",
    "SPF passed for an unrelated envelope": "spf=pass smtp.mailfrom=bounce@evil.test",
    "DMARC passed for another From domain": "dmarc=pass header.from=evil.test",
    "DMARC failed though DKIM passed": "dkim=pass header.d=police.test; dmarc=fail header.from=police.test",
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", FORGED)
def test_a_reply_the_receiving_server_does_not_vouch_for_changes_nothing(case, settings, meeting):
    reply = authenticated(settings, meeting, FORGED[case])
    assert reply.outcome == "held"
    assert "sender" in reply.reason or "check" in reply.reason
    assert answer(meeting, OFFICER)[0] == Rsvp.PENDING


@pytest.mark.django_db
def test_a_verdict_from_any_other_server_counts_for_nothing(settings, meeting):
    reply = authenticated(settings, meeting, "dmarc=pass header.from=police.test", authserv="mx.evil.test")
    assert (reply.outcome, answer(meeting, OFFICER)[0]) == ("held", Rsvp.PENDING)
    # Nor does one written into the message below the receiving server's own.
    settings.CONFER_MAILBOX = {**settings.CONFER_MAILBOX, "authserv_id": AUTHSERV_ID, "require_authentication": True}
    raw = outlook(meeting, OFFICER, partstat="DECLINED").split(b"\r\n", 1)[1]
    forged_below = f"Authentication-Results: {AUTHSERV_ID}; dmarc=pass header.from=police.test\r\n".encode() + raw
    raw = received(forged_below, "spf=fail smtp.mailfrom=police.test; dkim=none")
    assert (apply_message(raw, now=NOW).outcome, answer(meeting, OFFICER)[0]) == ("held", Rsvp.PENDING)


VOUCHED = {
    "DMARC passed": "dmarc=pass (p=REJECT) header.from=police.test",
    "DKIM passed for a subdomain of the sender's": "dkim=pass header.d=mail.police.test; spf=neutral",
    "SPF passed for the sender's domain": 'spf=pass smtp.mailfrom="bounces@police.test"; dkim=none',
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", VOUCHED)
def test_a_reply_vouched_for_by_the_receiving_server_is_applied(case, settings, meeting):
    assert authenticated(settings, meeting, VOUCHED[case]).outcome == "applied"
    assert answer(meeting, OFFICER) == (Rsvp.DECLINED, "calendar")


@pytest.mark.django_db
def test_a_reply_from_an_address_never_invited_is_held_for_a_person(meeting):
    stranger = "someone@elsewhere.test"
    factories.PersonFactory(full_name="Not Invited", email=stranger)
    reply = apply_message(outlook(meeting, stranger), now=NOW)
    assert (reply.outcome, reply.reason) == ("held", "Not from anyone invited to this meeting.")


@pytest.mark.django_db
def test_held_mail_is_shown_to_administrators_with_its_reason(client, administrator, meeting):
    apply_message(outlook(meeting, OFFICER, sequence="99999999999"), now=NOW)
    client.force_login(administrator.user)
    page = client.get(reverse("meetings:mail")).content.decode()
    assert "Its SEQUENCE is not a whole number from 0 to 2147483647." in page
    assert OFFICER in page


def test_production_requires_replies_to_be_authenticated_by_default(tmp_path):
    code = "from django.conf import settings; print(settings.CONFER_MAILBOX['require_authentication'])"
    for debug, expected in (("0", "True"), ("1", "False")):
        env = {**production_env(tmp_path), "DEBUG": debug}
        done = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert done.stdout.strip().splitlines()[-1] == expected, done.stderr


def test_every_message_is_made_safe_to_store():
    from meetings.replies import clean  # noqa: PLC0415

    assert clean("Łukasz\x00 Wiśniewski\udcff\x1b", 300) == "Łukasz Wiśniewski"
    assert clean("x" * 500, 300) == "x" * 300


def test_nothing_in_an_unread_message_escapes_the_guard():
    # Sanity for the corpus itself: the deep message really is too deep for the parser.

    with pytest.raises(RecursionError):
        list(email.message_from_bytes(nested(1000), policy=email.policy.default).walk())


@pytest.mark.django_db
def test_microsoft_365s_unnamed_verdict_is_read_from_the_topmost_header_only(settings, meeting):
    settings.CONFER_MAILBOX = {**settings.CONFER_MAILBOX, "authserv_id": "topmost", "require_authentication": True}
    raw = outlook(meeting, OFFICER, partstat="DECLINED").split(b"\r\n", 1)[1]
    exchange = (
        "Authentication-Results: spf=pass (sender IP is 192.0.2.7) smtp.mailfrom=police.test; dkim=pass "
        "(signature was verified) header.d=police.test;dmarc=pass action=none header.from=police.test;"
        "compauth=pass reason=100\r\n"
    )
    forged_inside = "Authentication-Results: dmarc=pass header.from=police.test\r\n"
    refused = "Authentication-Results: spf=fail (sender IP is 203.0.113.9) smtp.mailfrom=police.test; dkim=none\r\n"
    assert apply_message((refused + forged_inside).encode() + raw, now=NOW).outcome == "held"
    assert answer(meeting, OFFICER)[0] == Rsvp.PENDING
    raw = outlook(meeting, OFFICER, partstat="DECLINED").split(b"\r\n", 1)[1]
    assert apply_message(exchange.encode() + raw, now=NOW).outcome == "applied"
    assert answer(meeting, OFFICER) == (Rsvp.DECLINED, "calendar")
