"""iCalendar for meetings: pure functions from plain data to ``.ics`` bytes.

Rules (shared/DESIGN.md, issue 4):

* one stable UID per meeting; ``SEQUENCE`` goes up on every change of time or place;
* ``METHOD:REQUEST`` for invitations and updates, ``METHOD:CANCEL`` with
  ``STATUS:CANCELLED`` for cancellations (and for a participant who is removed);
* a ``VTIMEZONE`` for the site's zone covering the meeting's dates, ``DTSTART`` in it;
* ``SUMMARY`` and ``DESCRIPTION`` name the meeting kind and reference only, never a
  child or family member: details sit behind login, at the URL.

Who appears as an ``ATTENDEE`` is decided by the caller (see ``meetings.invites``):
family members never appear in anyone else's invitation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from icalendar import Calendar, Event, vCalAddress

PRODID = "-//Confer//Meetings and minutes//EN"


@dataclass(frozen=True)
class Attendee:
    email: str
    role: str  # REQ-PARTICIPANT, OPT-PARTICIPANT, CHAIR
    partstat: str  # NEEDS-ACTION, ACCEPTED, DECLINED, TENTATIVE
    rsvp: bool
    cn: str | None = None  # left out for family members


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    sequence: int
    start: datetime  # aware, in the site's zone
    end: datetime
    summary: str
    description: str
    url: str
    location: str
    organizer_email: str
    organizer_name: str
    cancelled: bool = False
    attendees: tuple[Attendee, ...] = field(default_factory=tuple)
    stamp: datetime | None = None


def _event(data: CalendarEvent) -> Event:
    event = Event.new(
        uid=data.uid,
        sequence=data.sequence,
        start=data.start,
        end=data.end,
        summary=data.summary,
        description=data.description,
        url=data.url,
        location=data.location or None,
        organizer=vCalAddress.new(data.organizer_email, cn=data.organizer_name),
        attendees=[
            vCalAddress.new(a.email, cn=a.cn, role=a.role, partstat=a.partstat, rsvp=a.rsvp) for a in data.attendees
        ],
        stamp=data.stamp,
        status="CANCELLED" if data.cancelled else "CONFIRMED",
        classification="CONFIDENTIAL",
    )
    return event


def _calendar(events: Iterable[CalendarEvent], *, method: str | None, name: str | None = None) -> Calendar:
    items = list(events)
    calendar = Calendar.new(prodid=PRODID, method=method, name=name, subcomponents=[_event(e) for e in items])
    if items:
        # A year either side, so the zone's daylight-saving rules travel with the event.
        first = min(e.start for e in items).date() - timedelta(days=366)
        last = max(e.end for e in items).date() + timedelta(days=366)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar


def invitation_ics(event: CalendarEvent) -> bytes:
    """A scheduling message for one recipient: REQUEST, or CANCEL when cancelled."""
    return _calendar([event], method="CANCEL" if event.cancelled else "REQUEST").to_ical()


def feed_ics(events: Iterable[CalendarEvent], *, name: str) -> bytes:
    """A subscribable calendar (no METHOD: it publishes, it does not invite)."""
    return _calendar(events, method=None, name=name).to_ical()
