"""iCalendar for meetings: pure functions from plain data to ``.ics`` bytes.

Rules (RFC 5545 and RFC 5546, and what the mainstream calendars accept):

* one stable UID per meeting; ``SEQUENCE`` goes up on every change of time or place, on
  cancellation, and when someone is removed or invited again;
* ``METHOD:REQUEST`` for invitations and updates, ``METHOD:CANCEL`` with
  ``STATUS:CANCELLED`` for cancellations (and for a participant who is removed);
* a ``VTIMEZONE`` for the site's zone with its daylight-saving rules written as yearly
  ``RRULE``s, as Outlook, Google and Apple write them (Outlook desktop has been reported
  to show events an hour out for zones given only as ``RDATE`` lists); ``DTSTART`` in it;
* ``SUMMARY`` and ``DESCRIPTION`` name the meeting kind and reference only, never a
  child or family member: details sit behind login, at the URL.

Who appears as an ``ATTENDEE`` is decided by the caller (see ``meetings.invites``):
family members never appear in anyone else's invitation.
"""

from __future__ import annotations

import calendar as month_calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vCalAddress

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


# --- VTIMEZONE with yearly rules ------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    """A change of UTC offset: ``wall`` is the local clock time (in the offset before it)."""

    wall: datetime  # naive
    offset_from: timedelta
    offset_to: timedelta
    name: str
    daylight: bool


def transitions_in(zone: ZoneInfo, year: int) -> list[Transition]:
    """The zone's changes of offset during ``year``, found from zoneinfo itself."""
    found = []
    moment = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    before = moment.astimezone(zone).utcoffset()
    while moment < end:
        later = moment + timedelta(days=1)
        after = later.astimezone(zone).utcoffset()
        if after != before:
            # The change is in (low, high]: narrow it to the second (zones change on whole seconds).
            low, high = int(moment.timestamp()), int(later.timestamp())
            while high - low > 1:
                middle = (low + high) // 2
                if datetime.fromtimestamp(middle, zone).utcoffset() == before:
                    low = middle
                else:
                    high = middle
            local = datetime.fromtimestamp(high, zone)
            found.append(
                Transition(
                    wall=(datetime.fromtimestamp(high, UTC) + before).replace(tzinfo=None),
                    offset_from=before,
                    offset_to=after,
                    name=local.tzname() or "",
                    daylight=bool(local.dst()),
                )
            )
            before = after
        moment = later
    return found


def yearly_byday(day: datetime) -> str:
    """The RRULE BYDAY that names this day every year: "-1SU" for the last Sunday of its
    month, "2SU" for the second, and so on."""
    weekday = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[day.weekday()]
    if day.day + 7 > month_calendar.monthrange(day.year, day.month)[1]:
        return f"-1{weekday}"
    return f"{(day.day - 1) // 7 + 1}{weekday}"


def vtimezone(tzid: str, from_year: int) -> Timezone:
    """The zone's VTIMEZONE from ``from_year`` on: each of that year's changes of offset as
    an observance with a yearly RRULE, or one fixed STANDARD observance for a zone without
    daylight saving. Assumes the zone's current rule (a weekday of a month) holds for the
    years ahead, as every calendar program that writes these does."""
    zone = ZoneInfo(tzid)
    timezone = Timezone()
    timezone.add("TZID", tzid)
    changes = transitions_in(zone, from_year)
    if not changes:
        moment = datetime(from_year, 1, 1, 12, tzinfo=zone)
        fixed = TimezoneStandard()
        fixed.add("DTSTART", datetime(from_year, 1, 1))
        fixed.add("TZOFFSETFROM", moment.utcoffset())
        fixed.add("TZOFFSETTO", moment.utcoffset())
        fixed.add("TZNAME", moment.tzname())
        timezone.add_component(fixed)
        return timezone
    for change in changes:
        observance = TimezoneDaylight() if change.daylight else TimezoneStandard()
        observance.add("DTSTART", change.wall)
        observance.add("RRULE", {"FREQ": "YEARLY", "BYMONTH": change.wall.month, "BYDAY": yearly_byday(change.wall)})
        observance.add("TZOFFSETFROM", change.offset_from)
        observance.add("TZOFFSETTO", change.offset_to)
        observance.add("TZNAME", change.name)
        timezone.add_component(observance)
    return timezone


def _calendar(events: Iterable[CalendarEvent], *, method: str | None, name: str | None = None) -> Calendar:
    items = list(events)
    calendar = Calendar.new(prodid=PRODID, method=method, name=name, subcomponents=[_event(e) for e in items])
    zones = {e.start.tzinfo.key for e in items if isinstance(e.start.tzinfo, ZoneInfo)}
    if items:
        # Rules start the year before the first event, so an onset precedes every event.
        first_year = min(e.start for e in items).year - 1
        for tzid in sorted(zones):
            calendar.add_component(vtimezone(tzid, first_year))
        # Calendars list VTIMEZONE before the events that use it.
        calendar.subcomponents.sort(key=lambda component: component.name != "VTIMEZONE")
    return calendar


def invitation_ics(event: CalendarEvent) -> bytes:
    """A scheduling message for one recipient: REQUEST, or CANCEL when cancelled."""
    return _calendar([event], method="CANCEL" if event.cancelled else "REQUEST").to_ical()


def feed_ics(events: Iterable[CalendarEvent], *, name: str) -> bytes:
    """A subscribable calendar (no METHOD: it publishes, it does not invite)."""
    return _calendar(events, method=None, name=name).to_ical()
