"""Sending email through the outbox (``OutboundEmail``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.utils import timezone

from audit.models import OutboundEmail, object_type_label
from audit.services import audit_record


def outbox_enqueue(
    *,
    key: str,
    to_email: str,
    subject: str,
    body: str,
    calendar: bytes = b"",
    calendar_method: str = "",
    sequence: int | None = None,
    obj: models.Model | None = None,
    recipient=None,
    now: datetime | None = None,
) -> tuple[OutboundEmail, bool]:
    """Queue one email, once. Call inside the transaction that caused it: the message is
    handed to a worker only after that transaction commits, and not at all if it rolls back.

    Returns the message and whether it was new (False: this key was already queued).
    """
    message, created = OutboundEmail.objects.get_or_create(
        key=key,
        defaults={
            "created_at": now or timezone.now(),
            "to_email": to_email,
            "recipient": recipient,
            "subject": subject,
            "body": body,
            "calendar": calendar.decode() if calendar else "",
            "calendar_method": calendar_method,
            "sequence": sequence,
            "object_type": object_type_label(obj) if obj is not None else "",
            "object_id": str(obj.pk) if obj is not None else "",
        },
    )
    if created:
        transaction.on_commit(lambda: _enqueue_delivery(message.pk))
    return message, created


def _enqueue_delivery(message_id: int) -> None:
    from audit.tasks import deliver_email

    deliver_email.enqueue(message_id)


def build_email(message: OutboundEmail) -> EmailMultiAlternatives:
    """The MIME message: plain text, plus the calendar as an inline ``text/calendar``
    alternative (what Outlook and Google read as an invitation) and as an ``invite.ics``
    attachment (what Apple Mail and Thunderbird offer to add)."""
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to_email],
        headers={"X-Confer-Message": message.key},
    )
    if message.calendar:
        email.attach_alternative(message.calendar, f"text/calendar; method={message.calendar_method}")
        email.attach("invite.ics", message.calendar.encode(), "application/ics")
    return email


def outbox_deliver(message_id: int, *, now: datetime | None = None) -> bool:
    """Send one queued message if nobody has yet. Returns True when this call sent it."""
    with transaction.atomic():
        message = (
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status__in=[OutboundEmail.Status.PENDING, OutboundEmail.Status.FAILED])
            .first()
        )
        if message is None:
            return False  # already sent, or another worker is sending it right now
        message.attempts += 1
        try:
            build_email(message).send()
        except Exception as exc:
            message.status = OutboundEmail.Status.FAILED
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            message.save(update_fields=["status", "attempts", "last_error"])
            return False
        message.status = OutboundEmail.Status.SENT
        message.sent_at = now or timezone.now()
        message.last_error = ""
        message.save(update_fields=["status", "attempts", "last_error", "sent_at"])
        audit_record(
            actor=None,
            system_label="outbox",
            code="email.sent",
            obj=message,
            detail={"key": message.key, "recipient": message.recipient_id, "attempt": message.attempts},
        )
        return True


def outbox_retry(*, older_than: timedelta = timedelta(minutes=5), now: datetime | None = None) -> int:
    """Queue again every failed message, and pending ones a worker never picked up.
    Safe to run at any time and as often as you like: delivery sends each message once."""
    now = now or timezone.now()
    ids = list(
        OutboundEmail.objects.filter(
            models.Q(status=OutboundEmail.Status.FAILED)
            | models.Q(status=OutboundEmail.Status.PENDING, created_at__lt=now - older_than)
        ).values_list("pk", flat=True)
    )
    for message_id in ids:
        _enqueue_delivery(message_id)
    return len(ids)
