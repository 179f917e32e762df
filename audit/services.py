"""Writing to the audit log: one way in, called inside the caller's transaction."""

from datetime import datetime
from functools import cache
from typing import Any

from django.conf import settings
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
    wait_for_disk: bool = True,
) -> AuditEvent:
    """Append one audit event.

    ``actor`` is required on purpose: pass a user, or ``None`` for the system with a
    ``system_label`` saying which part of it acted. Detail is JSON and must never hold
    secrets or a child's name; codes are namespaced (``meeting.held``).

    ``wait_for_disk=False`` is for the record of a page being read (``audit_page_view``):
    see ``_append`` for when it applies and what it risks.
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
    _append(event, wait_for_disk=wait_for_disk)
    return event


def _append(event: AuditEvent, *, wait_for_disk: bool) -> None:
    """INSERT ``event`` with a statement written once per process from the model's fields.

    Every meeting and minutes page appends a row, and ``Model.save`` spent more of the
    request building that INSERT (signals, the save machinery, a compiler) than the
    database took to write it. An event is only ever inserted, so none of that applies; no
    signal is sent for an audit event (nothing listens for one).

    Without ``wait_for_disk``, on PostgreSQL and outside any transaction, the row is
    committed on its own with ``synchronous_commit`` off for that one commit: PostgreSQL
    acknowledges it once it is in the write-ahead log's memory and writes it to disk within
    a fraction of a second (three times ``wal_writer_delay`` at most, 0.6 s by default),
    instead of the page waiting for the disk. Only a crash of the database server in that
    moment can lose it, and then only that record, never part of it or anything else. Inside
    a transaction the event commits with the caller's changes, as every change must, so the
    setting is never touched there; ``CONFER_AUDIT_PAGE_VIEWS_WAIT_FOR_DISK`` makes every record
    wait."""
    connection = connections[router.db_for_write(AuditEvent)]
    eager = (
        not wait_for_disk
        and not settings.CONFER_AUDIT_PAGE_VIEWS_WAIT_FOR_DISK
        and connection.vendor == "postgresql"
        and not connection.in_atomic_block
        and connection.get_autocommit()
    )
    fields, sql = _insert(connection.alias, eager)
    params = [field.get_db_prep_save(field.pre_save(event, True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        event.pk = cursor.fetchone()[0]
    event._state.adding = False
    event._state.db = connection.alias


@cache
def _insert(alias: str, eager: bool) -> tuple[list[models.Field], str]:
    """The INSERT, and with ``eager`` the same wrapped so that its own commit does not wait
    for the disk: ``set_config(..., true)`` lasts until the end of the transaction, which
    outside a transaction block is this one statement."""
    quote = connections[alias].ops.quote_name
    meta = AuditEvent._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    columns = ", ".join(quote(field.column) for field in fields)
    values = ", ".join(["%s"] * len(fields))
    pk = quote(meta.pk.column)
    # Names from the model's own metadata, quoted; every value is a parameter.
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({values}) RETURNING {pk}"  # noqa: S608
    if eager:
        sql = f"WITH event AS ({sql}) SELECT {pk}, set_config('synchronous_commit', 'off', true) FROM event"  # noqa: S608
    return fields, sql


def _label(obj: models.Model | None) -> str:
    """A model may define ``audit_label`` to keep names (a child's) out of the log."""
    if obj is None:
        return ""
    return str(getattr(obj, "audit_label", None) or obj)[:200]
