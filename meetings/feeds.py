"""Private calendar feeds: create, revoke, and the events in them."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from audit.services import audit_record
from meetings.calendar import feed_ics
from meetings.invites import meeting_event, meeting_url
from meetings.models import CalendarFeed, Meeting
from participants.rules import is_administrator, is_chair

PAST, FUTURE = timedelta(days=60), timedelta(days=366)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def may_have_feed(user) -> bool:
    return bool(user.is_authenticated and user.is_active and (is_chair(user) or is_administrator(user)))


@transaction.atomic
def feed_create(*, actor, now: datetime | None = None) -> str:
    """Make (or replace) the actor's feed; returns the secret token, which is not stored."""
    if not may_have_feed(actor):
        raise PermissionDenied("Only chairs and administrators have a calendar feed.")
    token = secrets.token_urlsafe(32)
    replaced = CalendarFeed.objects.filter(user=actor).delete()[0] > 0
    CalendarFeed.objects.create(user=actor, token_hash=_hash(token), created_at=now or timezone.now())
    audit_record(actor=actor, code="calendar_feed.regenerated" if replaced else "calendar_feed.created", now=now)
    return token


@transaction.atomic
def feed_revoke(*, actor, now: datetime | None = None) -> bool:
    deleted = CalendarFeed.objects.filter(user=actor).delete()[0] > 0
    if deleted:
        audit_record(actor=actor, code="calendar_feed.revoked", now=now)
    return deleted


def feed_for_token(token: str) -> CalendarFeed | None:
    feed = CalendarFeed.objects.select_related("user").filter(token_hash=_hash(token)).first()
    if feed is None or not may_have_feed(feed.user):
        return None
    return feed


def feed_meetings(user, now: datetime) -> QuerySet[Meeting]:
    """A chair's feed has the meetings they chair; an administrator's has every meeting."""
    meetings = Meeting.objects.filter(starts_at__gte=now - PAST, starts_at__lte=now + FUTURE)
    if not is_administrator(user):
        meetings = meetings.filter(chair__user=user)
    return meetings.order_by("starts_at", "id")


def feed_body(feed: CalendarFeed, *, now: datetime | None = None) -> bytes:

    now = now or timezone.now()
    CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
    events = [
        meeting_event(m, description=f"Details behind sign-in: {meeting_url(m)}", now=now)
        for m in feed_meetings(feed.user, now)
    ]
    return feed_ics(events, name="Confer meetings")
