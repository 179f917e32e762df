"""Reads about meetings. Views, services and commands look meetings up through here."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from meetings.enums import MeetingKind, MeetingStatus
from meetings.models import Meeting
from participants.models import Child


def track_kinds(kind: MeetingKind) -> list[str]:
    return [k.value for k in MeetingKind if k.track == kind.track]


def previous_in_track(
    kind: MeetingKind, children: Iterable[Child], *, exclude: Meeting | None = None
) -> Meeting | None:
    """The latest held (or minuted) meeting of the same track about any of these children."""
    qs: QuerySet[Meeting] = Meeting.objects.filter(
        kind__in=track_kinds(kind),
        children__in=list(children),
        status__in=[MeetingStatus.HELD, MeetingStatus.MINUTED],
    )
    if exclude is not None and exclude.pk:
        qs = qs.exclude(pk=exclude.pk)
    return qs.order_by("-starts_at", "-id").distinct().first()


def held_count_in_track(kind: MeetingKind, children: Iterable[Child], *, before: Meeting) -> int:
    return (
        Meeting.objects.filter(
            kind__in=track_kinds(kind),
            children__in=list(children),
            status__in=[MeetingStatus.HELD, MeetingStatus.MINUTED],
            starts_at__lt=before.starts_at,
        )
        .exclude(pk=before.pk)
        .distinct()
        .count()
    )


def meetings_for_user(user) -> QuerySet[Meeting]:
    """Every meeting this user may see. Views look meetings up only through this.

    Staff (administrators, chairs, managers) see all meetings; everyone else sees the
    meetings they are invited to, and nothing else.
    """
    from participants.rules import is_staff_role

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Meeting.objects.none()
    if user.is_superuser or is_staff_role(user):
        return Meeting.objects.all()
    return Meeting.objects.filter(invitations__person__user=user).distinct()


def upcoming_meetings(now) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(status=MeetingStatus.SCHEDULED, starts_at__gte=now)
        .select_related("chair")
        .order_by("starts_at", "id")
    )


def late_scheduled_meetings() -> QuerySet[Meeting]:
    """Scheduled after their statutory due date (each has a recorded reason)."""
    from django.db.models import F

    return (
        Meeting.objects.filter(status=MeetingStatus.SCHEDULED, due_on__isnull=False, starts_at__date__gt=F("due_on"))
        .select_related("chair")
        .order_by("starts_at", "id")
    )


def chair_workload(user) -> QuerySet[Meeting]:
    """The meetings this chair still has something to do for, soonest first."""
    return (
        Meeting.objects.filter(chair__user=user, status__in=[MeetingStatus.SCHEDULED, MeetingStatus.HELD])
        .select_related("chair")
        .order_by("starts_at", "id")
    )


def invitations_for_user(user):
    """The signed-in person's own invitations to meetings that are not cancelled."""
    from meetings.models import Invitation

    return (
        Invitation.objects.filter(person__user=user)
        .exclude(meeting__status=MeetingStatus.CANCELLED)
        .select_related("meeting", "meeting__chair")
        .order_by("-meeting__starts_at", "id")
    )


def status_counts() -> dict[str, int]:
    from django.db.models import Count

    rows = Meeting.objects.values("status").annotate(n=Count("id"))
    counts = {status: 0 for status in MeetingStatus.values}
    counts.update({row["status"]: row["n"] for row in rows})
    return counts
