"""Reading the audit log. The audit app is a leaf: callers name the objects they mean by
(object type, id) pairs, so it needs to know nothing of meetings or children."""

from collections.abc import Iterable
from datetime import date

from django.db.models import Q, QuerySet

from audit.models import AuditEvent


def search_events(
    *,
    person: str = "",
    objects: Iterable[tuple[str, str]] | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditEvent]:
    """Events matching a search, newest first. ``objects`` limits them to events about the
    given (object type, id) pairs; ``None`` does not limit, an empty list finds nothing."""
    events = AuditEvent.objects.select_related("actor")
    if person:
        events = events.filter(
            Q(actor_label__icontains=person) | Q(actor__email__icontains=person) | Q(actor__username__icontains=person)
        )
    if objects is not None:
        about = Q(pk__in=[])
        for object_type, ids in _grouped(objects).items():
            about |= Q(object_type=object_type, object_id__in=ids)
        events = events.filter(about)
    if date_from:
        events = events.filter(at__date__gte=date_from)
    if date_to:
        events = events.filter(at__date__lte=date_to)
    return events.order_by("-at", "-id")


def _grouped(objects: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for object_type, object_id in objects:
        grouped.setdefault(object_type, []).append(str(object_id))
    return grouped
