from datetime import date

from django.db.models import Q, QuerySet

from audit.models import AuditEvent


def search_events(
    *, person: str = "", child: str = "", date_from: date | None = None, date_to: date | None = None
) -> QuerySet[AuditEvent]:
    """Audit events matching the manager's search.

    A child reference finds events on the child's record and on every meeting about the
    child, since those are where the child's information is seen and changed.
    """
    from meetings.models import Meeting
    from participants.models import Child

    events = AuditEvent.objects.select_related("actor")
    if person:
        events = events.filter(
            Q(actor_label__icontains=person) | Q(actor__email__icontains=person) | Q(actor__username__icontains=person)
        )
    if child:
        child_ids = [
            str(pk) for pk in Child.objects.filter(identifier__iexact=child.strip()).values_list("pk", flat=True)
        ]
        meeting_ids = [
            str(pk) for pk in Meeting.objects.filter(children__pk__in=child_ids).values_list("pk", flat=True)
        ]
        events = events.filter(
            Q(object_type="participants.child", object_id__in=child_ids)
            | Q(object_type="meetings.meeting", object_id__in=meeting_ids)
        )
    if date_from:
        events = events.filter(at__date__gte=date_from)
    if date_to:
        events = events.filter(at__date__lte=date_to)
    return events.order_by("-at", "-id")
