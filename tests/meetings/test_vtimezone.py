"""The VTIMEZONE Confer writes, read back and checked against the zone database for ten years."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from dateutil.rrule import rrulestr

from meetings.calendar import CalendarEvent, invitation_ics, vtimezone

ZONES = ["Europe/Jersey", "Europe/London", "Europe/Guernsey", "America/New_York", "Australia/Sydney", "Asia/Tokyo"]


def onsets(tz: icalendar.Timezone, until: datetime) -> list[tuple[datetime, timedelta]]:
    """Every (UTC instant, new offset) the VTIMEZONE says happens, expanding its RRULEs."""
    found = []
    for observance in tz.walk():
        if observance.name not in ("STANDARD", "DAYLIGHT"):
            continue
        start = observance.decoded("DTSTART")
        offset_from, offset_to = observance.decoded("TZOFFSETFROM"), observance.decoded("TZOFFSETTO")
        if "RRULE" in observance:
            rule = rrulestr(observance["RRULE"].to_ical().decode(), dtstart=start)
            walls = rule.between(start, until, inc=True)
        else:
            walls = [start]
        found += [((wall - offset_from).replace(tzinfo=UTC), offset_to) for wall in walls]
    return sorted(found)


@pytest.mark.parametrize("tzid", ZONES)
def test_the_rules_give_the_zones_offset_on_every_day_for_ten_years(tzid):
    zone = ZoneInfo(tzid)
    parsed = icalendar.Calendar.from_ical(
        b"BEGIN:VCALENDAR\r\n" + vtimezone(tzid, 2026).to_ical() + b"END:VCALENDAR\r\n"
    ).walk("VTIMEZONE")[0]
    assert "RDATE" not in parsed.to_ical().decode()
    changes = onsets(parsed, datetime(2037, 1, 1))
    assert changes and changes[0][0] < datetime(2027, 1, 1, tzinfo=UTC)
    day = datetime(2027, 1, 1, tzinfo=UTC)
    checked = 0
    while day < datetime(2037, 1, 1, tzinfo=UTC):
        for hour in (0, 12):  # both sides of a transition's day
            moment = day + timedelta(hours=hour)
            predicted = [offset for at, offset in changes if at <= moment][-1]
            assert predicted == moment.astimezone(zone).utcoffset(), f"{tzid} at {moment}"
            checked += 1
        day += timedelta(days=1)
    assert checked > 7000


def test_daylight_rules_are_written_as_outlook_and_google_write_them():
    text = vtimezone("Europe/Jersey", 2026).to_ical().decode()
    assert "BEGIN:DAYLIGHT\r\nDTSTART:20260329T010000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" in text
    assert "BEGIN:STANDARD\r\nDTSTART:20261025T020000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10" in text
    assert "TZOFFSETFROM:+0000\r\nTZOFFSETTO:+0100" in text


def test_an_invitation_carries_one_rrule_timezone_before_its_event():
    zone = ZoneInfo("Europe/Jersey")
    event = CalendarEvent(
        uid="x@confer",
        sequence=0,
        start=datetime(2027, 7, 6, 10, tzinfo=zone),
        end=datetime(2027, 7, 6, 12, tzinfo=zone),
        summary="Initial child protection conference CP-2027-0001",
        description="",
        url="https://confer.example/",
        location="",
        organizer_email="meetings@confer.example",
        organizer_name="Confer",
        stamp=datetime(2027, 1, 1, tzinfo=UTC),
    )
    calendar = icalendar.Calendar.from_ical(invitation_ics(event))
    assert [c.name for c in calendar.subcomponents] == ["VTIMEZONE", "VEVENT"]
    [tz] = calendar.walk("VTIMEZONE")
    assert str(tz["TZID"]) == "Europe/Jersey"
    assert all("RRULE" in o for o in tz.walk() if o.name in ("STANDARD", "DAYLIGHT"))
    vevent = calendar.walk("VEVENT")[0]
    assert vevent["DTSTART"].params["TZID"] == "Europe/Jersey"
    assert vevent.decoded("DTSTART").utcoffset() == timedelta(hours=1)
    assert date(2027, 7, 6) == vevent.decoded("DTSTART").date()
