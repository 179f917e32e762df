from django.db.models import QuerySet

from participants.enums import StaffRole
from participants.models import Person


def staff_people() -> QuerySet[Person]:
    """People with a staff role, with their login and groups in two queries."""
    return (
        Person.objects.filter(user__groups__name__in=StaffRole.values)
        .select_related("user")
        .prefetch_related("user__groups")
        .distinct()
        .order_by("full_name", "id")
    )
