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
  receiving server Confer is told to trust (``CONFER_MAILBOX["authserv_id"]``) vouches for
  it in its ``Authentication-Results`` header: DMARC passed, or SPF or DKIM passed for the
  From address's own domain. A verdict from any other server, or one the sender wrote into
  the message, counts for nothing. Where authentication is not required (development
  only), a reply with no verdict is taken, but one that failed is still held;
* its SEQUENCE is not older than the invitation the person was last sent: a reply to an
  out-of-date invitation is kept and shown on the meeting page, not applied.

Anything else is held for a person, with its reason: the message goes to the mailbox's
"for a person" folder, never deleted, and administrators see the reason on the mail page.
Each message is dealt with on its own: one that cannot be read at all (a calendar number
past any limit, a NUL byte in a header, parts nested a thousand deep) is held with the
reason, and the messages after it are still read. Everything stored from a message is
cleaned at this boundary first: no NUL or control characters, no undecodable bytes, and
every number within the range its column holds. A COUNTER (a proposed new time) is recorded for the
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

from audit.models import AuditEvent
from meetings.enums import MeetingStatus, Rsvp
from meetings.errors import MeetingError
from meetings.invites import invitation_respond_from_calendar
from meetings.models import CalendarReply, Invitation, Meeting
from notifications import mailbox
from participants.models import Person

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


@dataclass(frozen=True)
class Result:
    """One ``method=result`` of an Authentication-Results header, with its properties
    (``header.d``, ``header.from``, ``smtp.mailfrom``...), all lower case."""

    method: str
    result: str
    properties: dict[str, str]


def _without_comments(text: str) -> str:
    """The header with its (comments), nested or not, taken out, in one pass."""
    kept, depth = [], 0
    for character in text:
        if character == "(":
            depth += 1
        elif character == ")" and depth:
            depth -= 1
        elif not depth:
            kept.append(character)
    return "".join(kept)


# The authserv-id setting for a receiving server that names itself in no header (Microsoft
# 365): the topmost Authentication-Results header is its own, as it adds one to every
# message above everything the sender wrote.
TOPMOST = "topmost"


def trusted_results(message: EmailMessage, authserv_id: str) -> list[Result] | None:
    """The verdicts of the receiving server named ``authserv_id``, from the topmost header
    it wrote, or None when it wrote none. A receiving server adds its header above those
    already in the message (and Microsoft 365 and Google remove any that claim its name),
    so a header lower down carrying the same name cannot outrank it."""
    if not authserv_id:
        return None
    for header in message.get_all("Authentication-Results", []):
        parts = [part.strip() for part in _without_comments(str(header)).split(";")]
        if authserv_id.lower() == TOPMOST:
            # Microsoft 365 writes no authserv-id: its header starts with the first result.
            checks = parts if parts and "=" in parts[0].split(" ", 1)[0] else parts[1:]
        elif parts[0] and parts[0].split()[0].lower() == authserv_id.lower():
            checks = parts[1:]
        else:
            continue
        results = []
        for part in checks:
            tokens = part.split()
            if not tokens or "=" not in tokens[0]:
                continue
            method, result = tokens[0].lower().split("=", 1)
            properties = {}
            for token in tokens[1:]:
                if "=" in token:
                    name, value = token.split("=", 1)
                    properties[name.lower()] = value.strip('"').lower()
            results.append(Result(method.split("/")[0], result, properties))
        return results
    return None


def _domain(address: str) -> str:
    return address.rpartition("@")[2].strip().strip(".").lower()


def _aligned(domain: str, sender_domain: str) -> bool:
    """Relaxed alignment (DMARC's default): the same domain, or one inside the other, so
    mail.police.example signs for police.example; evil.example never does."""
    domain = _domain(domain)
    return bool(domain) and (
        domain == sender_domain or sender_domain.endswith("." + domain) or domain.endswith("." + sender_domain)
    )


def not_authenticated(message: EmailMessage, sender: str, config: dict) -> str | None:
    """Why this message cannot be trusted to come from ``sender``, or None when it can."""
    results = trusted_results(message, config.get("authserv_id", ""))
    required = config.get("require_authentication", True)
    if results is None:
        if not required:
            return None
        if not config.get("authserv_id"):
            return "Confer is not set up to know which mail server checks senders, so the sender is unconfirmed."
        return "The receiving mail server did not check who sent it."
    sender_domain = _domain(sender)
    by_method: dict[str, list[Result]] = {}
    for result in results:
        by_method.setdefault(result.method, []).append(result)
    if any(r.result in ("fail", "reject", "quarantine") for r in by_method.get("dmarc", [])):
        return "The receiving mail server says the sender's domain did not authorise it (DMARC failed)."
    vouched = (
        any(
            r.result == "pass" and _aligned(r.properties.get("header.from", sender_domain), sender_domain)
            for r in by_method.get("dmarc", [])
        )
        or any(
            r.result == "pass"
            and _aligned(r.properties.get("header.d", _domain(r.properties.get("header.i", ""))), sender_domain)
            for r in by_method.get("dkim", [])
        )
        or any(
            r.result == "pass" and _aligned(r.properties.get("smtp.mailfrom", ""), sender_domain)
            for r in by_method.get("spf", [])
        )
    )
    if vouched:
        return None
    failed = any(r.result in ("fail", "softfail") for r in by_method.get("spf", [])) and not any(
        r.result == "pass" for r in by_method.get("dkim", [])
    )
    if not required and not failed:
        return None
    return "The receiving mail server could not confirm the sender: no DMARC, SPF or DKIM pass for their own domain."


# Anything from a message is stored only after this: PostgreSQL refuses NUL in text, and
# undecodable bytes arrive as lone surrogates, which no database can store as UTF-8.
_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def clean(value: object, limit: int) -> str:
    """Text from outside made safe to store: unsafe characters dropped, at most ``limit``."""
    return _UNSAFE.sub("", str(value))[:limit]


# SEQUENCE is stored in an integer column; RFC 5545 makes it a non-negative integer.
MAX_SEQUENCE = 2**31 - 1


def _sequence(event) -> int | None:
    try:
        value = int(event.get("SEQUENCE", 0))
    except (TypeError, ValueError, OverflowError):
        return None
    return value if 0 <= value <= MAX_SEQUENCE else None


def _address(value) -> str:
    return str(value).removeprefix("mailto:").removeprefix("MAILTO:").strip().lower()


def apply_message(raw: bytes, *, now: datetime | None = None) -> CalendarReply | None:
    """Read one message from the mailbox and act on it; None when it was read before.

    Whatever the message holds, this returns a record: one that cannot be read is held
    for a person with the reason, never raised, so it cannot stop the messages after it."""
    now = now or timezone.now()
    unreadable: BaseException | str | None = None
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        raw_id, raw_from = str(message.get("Message-ID", "")), str(message.get("From", ""))
        message_id = clean(raw_id, 998).strip()
        sender = clean(parseaddr(clean(raw_from, 2000))[1], 320).lower()
        if clean(raw_id, len(raw_id)) != raw_id or clean(raw_from, len(raw_from)) != raw_from:
            # Not a message any mail program writes: held rather than guessed at.
            unreadable = "Its From or Message-ID header holds a NUL byte or another control character."
    except Exception as exc:  # nothing a stranger sends may stop the run
        message, message_id, sender = None, "", ""
        unreadable = exc
    if not message_id:
        message_id = f"<no-message-id:{hashlib.sha256(raw).hexdigest()}>"
    if CalendarReply.objects.filter(message_id=message_id).exists():
        return None
    record = CalendarReply(message_id=message_id, received_at=now, from_address=sender)
    try:
        # The answer and the record of the message commit together: if another run took the
        # same message at the same moment, neither is kept here.
        with transaction.atomic():
            if unreadable is not None:
                decision = _unreadable(unreadable)
            else:
                try:
                    with transaction.atomic():
                        decision = _decide(message, sender, record, now)
                except Exception as exc:  # a malformed message, whatever it breaks
                    decision = _unreadable(exc)
                    record = CalendarReply(message_id=message_id, received_at=now, from_address=sender)
            record.outcome, record.reason = decision.outcome, clean(decision.reason, 300)
            record.save()
    except IntegrityError:
        return None
    return record


def _unreadable(exc: BaseException | str) -> Decision:
    if isinstance(exc, str):
        return Decision(Outcome.HELD, exc)
    logger.info("mail_fetch: a message could not be read: %s", exc.__class__.__name__)
    return Decision(Outcome.HELD, f"This message could not be read ({exc.__class__.__name__}).")


def _decide(message: EmailMessage, sender: str, record: CalendarReply, now: datetime) -> Decision:
    calendars = _calendar_parts(message)
    if not calendars:
        return Decision(Outcome.HELD, "No calendar reply in this message.")
    calendar = calendars[0]
    method = str(calendar.get("METHOD", "")).upper()
    record.method = clean(method, 10)
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
    address = clean(_address(attendee), 320)
    record.partstat = clean(attendee.params.get("PARTSTAT", ""), 20).upper()
    record.sequence = _sequence(event)
    if record.sequence is None:
        return Decision(Outcome.HELD, f"Its SEQUENCE is not a whole number from 0 to {MAX_SEQUENCE}.")
    if address != sender:
        return Decision(Outcome.HELD, f"Sent from {sender or 'no address'}, not by the attendee it names.")
    if reason := not_authenticated(message, sender, settings.CONFER_MAILBOX):
        return Decision(Outcome.HELD, reason)
    invitation = (
        Invitation.objects.filter(meeting=meeting, person__email__iexact=address).select_related("person").first()
    )
    if invitation is None:
        if was_removed(meeting, address):
            return Decision(Outcome.IGNORED, "The person is no longer invited.")
        return Decision(Outcome.HELD, "Not from anyone invited to this meeting.")
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


def was_removed(meeting: Meeting, address: str) -> bool:
    """Whether someone with this address was invited to the meeting and taken off it (the
    audit log keeps each removal): their late reply is expected, not a stranger's."""
    people = Person.objects.filter(email__iexact=address).values_list("pk", flat=True)
    return (
        AuditEvent.objects.for_object(meeting)
        .filter(code="invitation.removed", detail__person__in=list(people))
        .exists()
    )


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
    folder: to the processed folder, or to the folder a person looks at. One message that
    cannot be fetched, read or recorded is held with its reason; the rest are still read."""
    config = settings.CONFER_MAILBOX
    read = applied = held = 0
    with mailbox.opened(config) as box:
        for waiting in box.waiting(config["max_messages"]):
            read += 1
            record = _read_one(box, waiting, config, now)
            if record is None or record.outcome != Outcome.HELD:
                applied += record is not None and record.outcome == Outcome.APPLIED
                box.move(waiting.uid, config["done_folder"])
            else:
                held += 1
                box.move(waiting.uid, config["held_folder"])
    return FetchResult(read=read, applied=applied, held=held)


def _read_one(
    box: mailbox.Mailbox, waiting: mailbox.Waiting, config: dict, now: datetime | None
) -> CalendarReply | None:
    if waiting.size > config["max_bytes"]:
        logger.warning("mail_fetch: a message of %s bytes held unread (limit %s)", waiting.size, config["max_bytes"])
        return _hold_unread(waiting, now, f"Larger than the limit of {config['max_bytes']} bytes, so not read.")
    try:
        return apply_message(box.fetch(waiting.uid), now=now)
    except mailbox.MailboxError as exc:
        logger.warning("mail_fetch: a message could not be fetched: %s", exc.__class__.__name__)
        return _hold_unread(waiting, now, "The mail server would not give this message.")
    except Exception as exc:  # the last guard: apply_message holds what it cannot read
        logger.exception("mail_fetch: a message could not be recorded")
        return _hold_unread(waiting, now, f"This message could not be recorded ({exc.__class__.__name__}).")


def _hold_unread(waiting: mailbox.Waiting, now: datetime | None, reason: str) -> CalendarReply:
    """A record of a message held without being read, so an administrator sees it was."""
    now = now or timezone.now()
    key = hashlib.sha256(f"{waiting.uid!r} {waiting.size} {now.isoformat()} {uuid.uuid4()}".encode()).hexdigest()
    return CalendarReply.objects.create(
        message_id=f"<unread:{key}>", received_at=now, outcome=Outcome.HELD, reason=clean(reason, 300)
    )
