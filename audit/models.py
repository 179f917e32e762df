"""The append-only audit log.

Families were told minutes existed that nobody could show them; the audit log is how
Confer answers "who saw and changed what". Rows are never updated or deleted: the model
refuses it, and a database trigger (see the migration) refuses an UPDATE that bypasses
the ORM. Users are deactivated rather than deleted, so ``actor`` is PROTECTed.
"""

from django.conf import settings
from django.db import models


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Audit events are append-only and cannot be updated.")

    def delete(self):
        raise TypeError("Audit events are append-only and cannot be deleted.")

    def for_object(self, obj: models.Model) -> "AuditEventQuerySet":
        return self.filter(object_type=object_type_label(obj), object_id=str(obj.pk))


def object_type_label(obj: models.Model) -> str:
    return obj._meta.label_lower


class AuditEvent(models.Model):
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Who acted, as text, so a row still reads well on its own ("system: deadline sweep").
    actor_label = models.CharField(max_length=200)
    code = models.CharField(max_length=100, db_index=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.code} {self.object_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("Audit events are append-only and cannot be changed.")
        super().save(*args, **kwargs)

    save.alters_data = True

    def delete(self, *args, **kwargs):
        raise TypeError("Audit events are append-only and cannot be deleted.")

    delete.alters_data = True


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

    key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
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

    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to_email} ({self.get_status_display()})"
