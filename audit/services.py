"""Writing to the audit log: one way in, called inside the caller's transaction."""

from datetime import datetime
from functools import cache
from typing import Any

from django.db import connections, models, router
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
    event = AuditEvent(
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
    _append(event)
    return event


def _append(event: AuditEvent) -> None:
    """INSERT ``event`` with a statement written once per process from the model's fields.

    Every meeting and minutes page appends a row, and ``Model.save`` spent more of the
    request building that INSERT (signals, the save machinery, a compiler) than the
    database took to write it. An event is only ever inserted, so none of that applies; no
    signal is sent for an audit event (nothing listens for one)."""
    connection = connections[router.db_for_write(AuditEvent)]
    fields, sql = _insert(connection.alias)
    params = [field.get_db_prep_save(field.pre_save(event, True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        event.pk = cursor.fetchone()[0]
    event._state.adding = False
    event._state.db = connection.alias


@cache
def _insert(alias: str) -> tuple[list[models.Field], str]:
    quote = connections[alias].ops.quote_name
    meta = AuditEvent._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    columns = ", ".join(quote(field.column) for field in fields)
    values = ", ".join(["%s"] * len(fields))
    # Names from the model's own metadata, quoted; every value is a parameter.
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({values}) RETURNING {quote(meta.pk.column)}"  # noqa: S608
    return fields, sql


def _label(obj: models.Model | None) -> str:
    """A model may define ``audit_label`` to keep names (a child's) out of the log."""
    if obj is None:
        return ""
    return str(getattr(obj, "audit_label", None) or obj)[:200]
