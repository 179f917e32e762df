"""Writing to the audit log: one way in, called inside the caller's transaction."""

from datetime import datetime
from typing import Any

from django.db import models
from django.utils import timezone

from audit.models import AuditEvent, object_type_label


def audit_record(
    *,
    actor: Any,
    code: str,
    obj: models.Model | None = None,
    detail: dict[str, Any] | None = None,
    ip_address: str | None = None,
    now: datetime | None = None,
    system_label: str = "system",
) -> AuditEvent:
    """Append one audit event.

    ``actor`` is required on purpose: pass a user, or ``None`` for the system with a
    ``system_label`` saying which part of it acted. Detail is JSON and must never hold
    secrets or a child's name; codes are namespaced (``meeting.held``).
    """
    user = actor if getattr(actor, "is_authenticated", False) else None
    if user is not None:
        label = user.get_full_name() or user.get_username()
    else:
        label = f"system: {system_label}" if system_label != "system" else "system"
    return AuditEvent.objects.create(
        at=now or timezone.now(),
        actor=user,
        actor_label=label[:200],
        code=code,
        object_type=object_type_label(obj) if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=_label(obj),
        detail=detail or {},
        ip_address=ip_address,
    )


def _label(obj: models.Model | None) -> str:
    """A model may define ``audit_label`` to keep names (a child's) out of the log."""
    if obj is None:
        return ""
    return str(getattr(obj, "audit_label", None) or obj)[:200]
