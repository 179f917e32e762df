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
