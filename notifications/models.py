"""The outbox: every email Confer sends, as a row written in the transaction that caused it."""

from django.db import models


class OutboundEmail(models.Model):
    """One email Confer means to send, and what became of it (the outbox).

    Every message is written here first, inside the transaction that caused it, and sent
    by a background task after commit. ``key`` makes enqueueing idempotent (a double click
    queues one message); the row lock taken while sending makes delivery idempotent (two
    workers never send one row twice). A failure stays visible as ``failed`` until a retry
    sends it. If a worker dies after the SMTP server accepted a message but before the row
    was marked sent, that message can be sent again: delivery is at least once.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed (will be retried)"
        UNDELIVERABLE = "undeliverable", "Refused by the mail server (not retried)"

    key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(db_index=True)
    status = models.CharField(max_length=13, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    # After a temporary failure: not retried before this.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    to_email = models.EmailField()
    recipient = models.ForeignKey(
        "participants.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="emails"
    )
    subject = models.CharField(max_length=250)
    body = models.TextField()
    # An iCalendar scheduling message sent with the email, if any.
    calendar = models.TextField(blank=True)
    calendar_method = models.CharField(max_length=10, blank=True)
    sequence = models.PositiveIntegerField(null=True, blank=True)
    # A file from Confer's storage sent with the message (only where a setting allows it).
    attachment = models.CharField(max_length=300, blank=True)
    attachment_name = models.CharField(max_length=120, blank=True)

    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to_email} ({self.get_status_display()})"
