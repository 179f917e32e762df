"""Replies from people's own calendars.

Invitations name the service mailbox as ORGANIZER and ask for replies (RSVP=TRUE) when a
mailbox is configured. Pressing Accept, Decline or Tentative in Outlook, Google or Apple
Calendar sends an iCalendar REPLY by email to that mailbox; ``mail_fetch`` (the command
and the scheduled job) reads it and applies it here, through the same answer the meeting
page records, marked as coming from their calendar.

A reply changes only the answer of the attendee it names, and only when:

* its event is one of Confer's (by UID) and the meeting still waits for answers (not held,
  not cancelled), and that person is still invited;
* the message's From address is that attendee's address (case-insensitive), and the
  receiving server's ``Authentication-Results`` header, where present, does not say the
  sender failed DMARC (nor SPF and DKIM both);
* its SEQUENCE is not older than the invitation the person was last sent: a reply to an
  out-of-date invitation is kept and shown on the meeting page, not applied.

Anything else is held for a person, with its reason: the message goes to the mailbox's
"for a person" folder, never deleted. A COUNTER (a proposed new time) is recorded for the
administrator to see on the meeting page, never applied. Every message is recorded by its
Message-ID, so reading the mailbox again does nothing twice; a run reads at most
``max_messages`` messages, and one larger than ``max_bytes`` is held unread.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import logging
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import parseaddr

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from icalendar import Calendar

from meetings.enums import MeetingStatus, Rsvp
from meetings.errors import MeetingError
from meetings.invites import invitation_respond_from_calendar
from meetings.models import CalendarReply, Invitation, Meeting
from notifications import mailbox

logger = logging.getLogger(__name__)
Outcome = CalendarReply.Outcome
PARTSTAT = {"ACCEPTED": Rsvp.ACCEPTED, "DECLINED": Rsvp.DECLINED, "TENTATIVE": Rsvp.TENTATIVE}


@dataclass(frozen=True)
class Decision:
    outcome: str
    reason: str


def _calendar_parts(message: EmailMessage) -> list[Calendar]:
    found = []
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            try:
                found.append(Calendar.from_ical(part.get_payload(decode=True) or b""))
            except ValueError:
                continue
    return found


def _failed_authentication(message: EmailMessage) -> bool:
    """The receiving server's verdict: DMARC failed (or SPF and DKIM both did)."""
    results = " ".join(str(value) for value in message.get_all("Authentication-Results", [])).lower()
    if not results:
        return False
    if re.search(r"\bdmarc=(fail|reject|quarantine)\b", results):
        return True
    return bool(re.search(r"\bspf=(fail|softfail)\b", results) and re.search(r"\bdkim=(fail|none)\b", results))


def _address(value) -> str:
    return str(value).removeprefix("mailto:").removeprefix("MAILTO:").strip().lower()


def apply_message(raw: bytes, *, now: datetime | None = None) -> CalendarReply | None:
    """Read one message from the mailbox and act on it; None when it was read before."""
    now = now or timezone.now()
    message = email.message_from_bytes(raw, policy=email.policy.default)
    message_id = str(message.get("Message-ID", "")).strip()[:998]
    if not message_id:
        message_id = f"<no-message-id:{hashlib.sha256(raw).hexdigest()}>"
    if CalendarReply.objects.filter(message_id=message_id).exists():
        return None
    sender = parseaddr(str(message.get("From", "")))[1].lower()
    record = CalendarReply(message_id=message_id, received_at=now, from_address=sender[:320])
    try:
        # The answer and the record of the message commit together: if another run took the
        # same message at the same moment, neither is kept here.
        with transaction.atomic():
            try:
                decision = _decide(message, sender, record, now)
            except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:  # a malformed calendar
                logger.info("mail_fetch: a message could not be read: %s", exc.__class__.__name__)
                decision = Decision(Outcome.HELD, "The calendar in this message could not be read.")
            record.outcome, record.reason = decision.outcome, decision.reason[:300]
            record.save()
    except IntegrityError:
        return None
    return record


def _decide(message: EmailMessage, sender: str, record: CalendarReply, now: datetime) -> Decision:
    calendars = _calendar_parts(message)
    if not calendars:
        return Decision(Outcome.HELD, "No calendar reply in this message.")
    calendar = calendars[0]
    method = str(calendar.get("METHOD", "")).upper()
    record.method = method[:10]
    events = [c for c in calendar.walk("VEVENT")]
    if method not in ("REPLY", "COUNTER") or not events:
        return Decision(Outcome.HELD, f"A calendar message Confer does not act on ({method or 'no method'}).")
    event = events[0]
    meeting = Meeting.objects.filter(calendar_uid=_uuid(str(event.get("UID", "")))).first()
    if meeting is None:
        return Decision(Outcome.HELD, "Not about one of Confer's meetings.")
    record.meeting = meeting
    attendees = event.get("ATTENDEE")
    attendees = attendees if isinstance(attendees, list) else [attendees] if attendees is not None else []
    if len(attendees) != 1:
        return Decision(Outcome.HELD, "A reply must name exactly one attendee.")
    attendee = attendees[0]
    address = _address(attendee)
    record.partstat = str(attendee.params.get("PARTSTAT", "")).upper()[:20]
    record.sequence = int(event.get("SEQUENCE", 0))
    if address != sender:
        return Decision(Outcome.HELD, f"Sent from {sender or 'no address'}, not by the attendee it names.")
    if _failed_authentication(message):
        return Decision(Outcome.HELD, "The receiving server says the sender's address was not authenticated.")
    invitation = (
        Invitation.objects.filter(meeting=meeting, person__email__iexact=address).select_related("person").first()
    )
    if invitation is None:
        return Decision(Outcome.IGNORED, "The person is no longer invited.")
    record.invitation = invitation
    if meeting.status == MeetingStatus.CANCELLED:
        return Decision(Outcome.IGNORED, "The meeting was cancelled.")
    if method == "COUNTER":
        start, end = event.get("DTSTART"), event.get("DTEND")
        record.proposed_start = start.dt if start is not None and isinstance(start.dt, datetime) else None
        record.proposed_end = end.dt if end is not None and isinstance(end.dt, datetime) else None
        return Decision(Outcome.IGNORED, "A new time proposed: shown to the administrator, not applied.")
    if record.sequence < (invitation.sent_sequence or 0):
        return Decision(Outcome.IGNORED, "A reply to an out-of-date invitation: the person was sent a newer one.")
    rsvp = PARTSTAT.get(record.partstat)
    if rsvp is None:
        return Decision(Outcome.HELD, f"An answer Confer does not know ({record.partstat or 'none'}).")
    try:
        invitation_respond_from_calendar(invitation=invitation, rsvp=rsvp, now=now)
    except (MeetingError, PermissionDenied) as exc:  # refused by the answer's own rules
        return Decision(Outcome.IGNORED, str(exc))
    return Decision(Outcome.APPLIED, f"{rsvp.label}, from their calendar.")


def _uuid(uid: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(uid.split("@")[0])
    except ValueError:
        return None


@dataclass(frozen=True)
class FetchResult:
    read: int
    applied: int
    held: int


def mail_fetch(*, now: datetime | None = None) -> FetchResult:
    """Read up to ``max_messages`` waiting messages, act on each, and move each out of the
    folder: to the processed folder, or to the folder a person looks at."""
    config = settings.CONFER_MAILBOX
    read = applied = held = 0
    with mailbox.opened(config) as box:
        for waiting in box.waiting(config["max_messages"]):
            read += 1
            if waiting.size > config["max_bytes"]:
                held += 1
                box.move(waiting.uid, config["held_folder"])
                logger.warning(
                    "mail_fetch: a message of %s bytes held unread (limit %s)", waiting.size, config["max_bytes"]
                )
                continue
            record = apply_message(box.fetch(waiting.uid), now=now)
            if record is not None and record.outcome == Outcome.HELD:
                held += 1
                box.move(waiting.uid, config["held_folder"])
            else:
                applied += record is not None and record.outcome == Outcome.APPLIED
                box.move(waiting.uid, config["done_folder"])
    return FetchResult(read=read, applied=applied, held=held)
