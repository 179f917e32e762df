from django.db.models import Prefetch, Q, QuerySet

from participants.enums import StaffRole
from participants.models import Child, Family, Person


def staff_people() -> QuerySet[Person]:
    """People with a staff role, with their login and groups in two queries."""
    return (
        Person.objects.filter(user__groups__name__in=StaffRole.values)
        .select_related("user")
        .prefetch_related("user__groups")
        .distinct()
        .order_by("full_name", "id")
    )


def search_families(query: str = ""):

    families = Family.objects.prefetch_related(
        Prefetch("children", queryset=Child.objects.select_related("person").order_by("identifier"))
    ).order_by("reference")
    if query:
        families = families.filter(
            Q(reference__icontains=query)
            | Q(children__identifier__icontains=query)
            | Q(children__person__full_name__icontains=query)
            | Q(members__full_name__icontains=query)
        ).distinct()
    return families
