"""Delivering one queued message: build the MIME email and send it, once.

Kept apart from ``notifications.services`` (enqueue, retry) and ``notifications.tasks``
(the background tasks): both use this module, and it uses neither.
"""

from __future__ import annotations

import hashlib
import smtplib
from datetime import datetime, timedelta
from email.utils import parseaddr

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from notifications.models import OutboundEmail


def message_id(message: OutboundEmail) -> str:
    """The same Message-ID for every attempt at one outbox row. If a message is ever sent
    twice (see ``outbox_deliver``), mail systems that drop a repeated Message-ID (Gmail
    does) show it once, and anyone else can tell the two copies are one message."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "confer.invalid"
    return f"<{hashlib.sha256(message.key.encode()).hexdigest()[:40]}@{domain}>"


# Waits after the 1st, 2nd, 3rd... temporary failure: doubling from five minutes to six hours.
FIRST_RETRY = timedelta(minutes=5)
LONGEST_WAIT = timedelta(hours=6)


def retry_after(attempts: int) -> timedelta:
    return min(FIRST_RETRY * 2 ** min(max(attempts - 1, 0), 16), LONGEST_WAIT)


def is_permanent(exc: Exception) -> bool:
    """Whether the mail server refused for good (a 5xx reply: no such mailbox, message
    refused), so sending again would only be refused again. Connection failures and 4xx
    replies are temporary."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(500 <= code < 600 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= exc.smtp_code < 600 and not isinstance(exc, smtplib.SMTPServerDisconnected)
    return False


def build_email(message: OutboundEmail) -> EmailMultiAlternatives:
    """The MIME message: plain text, plus the calendar as an inline ``text/calendar``
    alternative (what Outlook and Google read as an invitation) and as an ``invite.ics``
    attachment (what Apple Mail and Thunderbird offer to add)."""
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to_email],
        headers={"X-Confer-Message": message.key, "Message-ID": message_id(message)},
    )
    if message.attachment:
        with default_storage.open(message.attachment, "rb") as f:
            email.attach(message.attachment_name or "attachment.pdf", f.read(), "application/pdf")
    if message.calendar:
        email.attach_alternative(message.calendar, f"text/calendar; method={message.calendar_method}")
        email.attach("invite.ics", message.calendar.encode(), "application/ics")
    return email


def outbox_deliver(message_pk: int, *, now: datetime | None = None) -> bool:
    """Send one queued message if nobody has yet. Returns True when this call sent it.

    The row stays locked from before the SMTP conversation until the commit that marks it
    sent, so two workers never send it twice, and a worker killed before the server
    accepted the message leaves it waiting (the lock goes with the dead connection) for
    the next retry. What cannot be closed from here: a worker that dies after the server
    said "accepted" and before the commit (milliseconds) leaves the row unsent, and the
    retry sends it again, under the same Message-ID. Delivery is at least once, with a
    window of one commit."""
    with transaction.atomic():
        message = (
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=message_pk, status__in=[OutboundEmail.Status.PENDING, OutboundEmail.Status.FAILED])
            .first()
        )
        if message is None:
            return False  # already sent, or another worker is sending it right now
        message.attempts += 1
        now = now or timezone.now()
        try:
            build_email(message).send()
        except Exception as exc:
            if is_permanent(exc):
                message.status, message.next_attempt_at = OutboundEmail.Status.UNDELIVERABLE, None
            else:
                message.status = OutboundEmail.Status.FAILED
                message.next_attempt_at = now + retry_after(message.attempts)
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            message.save(update_fields=["status", "attempts", "last_error", "next_attempt_at"])
            return False
        message.status = OutboundEmail.Status.SENT
        message.sent_at = now
        message.last_error = ""
        message.next_attempt_at = None
        message.save(update_fields=["status", "attempts", "last_error", "sent_at", "next_attempt_at"])
        audit_record(
            actor=None,
            system_label="outbox",
            code="email.sent",
            obj=message,
            detail={"key": message.key, "recipient": message.recipient_id, "attempt": message.attempts},
        )
        return True
