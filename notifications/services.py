"""Queueing email through the outbox (``OutboundEmail``), and re-queueing what failed."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from audit.models import object_type_label
from config import fragments
from notifications import tasks
from notifications.models import OutboundEmail


def render_text(template_name: str, context: dict) -> str:
    """A plain-text email's subject or body from its template, without HTML escaping: in
    plain text an apostrophe or an ampersand is itself."""
    return render_to_string(template_name, context, using="text")


def outbox_enqueue(
    *,
    key: str,
    to_email: str,
    subject: str,
    body: str,
    calendar: bytes = b"",
    calendar_method: str = "",
    sequence: int | None = None,
    attachment: str = "",
    attachment_name: str = "",
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
            "attachment": attachment,
            "attachment_name": attachment_name,
            "object_type": object_type_label(obj) if obj is not None else "",
            "object_id": str(obj.pk) if obj is not None else "",
        },
    )
    if created:
        transaction.on_commit(lambda: _enqueue_delivery(message.pk))
    return message, created


def outbox_enqueue_many(messages: list[OutboundEmail]) -> list[OutboundEmail]:
    """Queue many messages in one INSERT (for sweeps over many items). Their keys must be
    new: the caller has checked; a clash fails the caller's transaction rather than
    sending anything twice. Delivery is handed to workers after commit, as for one."""
    created = OutboundEmail.objects.bulk_create(messages)
    fragments.moved_on("notifications")  # written in bulk, without a model's save
    ids = [message.pk for message in created]
    transaction.on_commit(lambda: [_enqueue_delivery(message_id) for message_id in ids])
    return created


def _enqueue_delivery(message_id: int) -> None:
    tasks.deliver_email.enqueue(message_id)


def outbox_retry(*, older_than: timedelta = timedelta(minutes=5), now: datetime | None = None) -> int:
    """Queue again every message that failed for a reason that may pass and whose wait is
    over, and pending ones a worker never picked up. A message the server refused for good
    is not retried. Safe to run at any time and as often as you like: delivery sends each
    message once."""
    now = now or timezone.now()
    ids = list(
        OutboundEmail.objects.filter(
            models.Q(status=OutboundEmail.Status.FAILED)
            & (models.Q(next_attempt_at__isnull=True) | models.Q(next_attempt_at__lte=now))
            | models.Q(status=OutboundEmail.Status.PENDING, created_at__lt=now - older_than)
        ).values_list("pk", flat=True)
    )
    for message_id in ids:
        _enqueue_delivery(message_id)
    return len(ids)
