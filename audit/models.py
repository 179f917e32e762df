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
