"""Working-day arithmetic and statutory due dates. Every expected date is worked out by hand
from a calendar (the comments show the counting), not from the code under test."""

from datetime import date

import pytest

from meetings import timescales
from meetings.enums import MeetingKind
from meetings.timescales import NextMeeting, add_months, add_working_days, next_meeting_after


def test_add_working_days_never_counts_the_start_day_even_on_a_weekend():
    # Saturday 21 Nov 2026 -> the 1st working day after it is Monday 23 Nov.
    assert add_working_days(date(2026, 11, 21), 1, "JE") == date(2026, 11, 23)
    # Friday 20 Nov -> Monday 23 Nov.
    assert add_working_days(date(2026, 11, 20), 1, "JE") == date(2026, 11, 23)
    assert add_working_days(date(2026, 11, 20), 0, "JE") == date(2026, 11, 20)


def test_add_working_days_across_christmas_in_jersey():
    # Wed 23 Dec 2026: Thu 24 (1), Fri 25 Christmas, Sat 26, Sun 27, Mon 28 Boxing Day
    # substitute, Tue 29 (2).
    assert add_working_days(date(2026, 12, 23), 2, "JE") == date(2026, 12, 29)
    # Thu 24 Dec: 29 (1), 30 (2), 31 (3), Fri 1 Jan New Year, weekend, Mon 4 (4), Tue 5 (5).
    assert add_working_days(date(2026, 12, 24), 5, "JE") == date(2027, 1, 5)


def test_add_working_days_across_christmas_in_scotland_skips_the_second_of_january():
    # Scotland also keeps 2 Jan, which in 2027 is a Saturday, so Monday 4 Jan is off too:
    # 29 (1), 30 (2), 31 (3), 1 Jan off, 4 Jan off, Tue 5 (4), Wed 6 (5).
    assert add_working_days(date(2026, 12, 24), 5, "GB-SCT") == date(2027, 1, 6)


def test_initial_conference_due_fifteen_working_days_across_christmas(settings):
    settings.CONFER_TERRITORY = "JE"
    # Strategy discussion Fri 11 Dec 2026: Dec 14-18 (1-5), 21-24 (6-9), 29-31 (10-12),
    # Jan 4-6 (13-15).
    assert timescales.initial_conference_due(date(2026, 12, 11)) == date(2027, 1, 6)


def test_add_working_days_across_easter():
    # Wed 16 Apr 2025: Thu 17 (1), Good Friday 18, weekend, Easter Monday 21, Tue 22 (2).
    assert add_working_days(date(2025, 4, 16), 2, "JE") == date(2025, 4, 22)
    assert add_working_days(date(2025, 4, 16), 2, "GB-ENG") == date(2025, 4, 22)
    # Easter Monday is not a bank holiday in Scotland: Thu 17 (1), Mon 21 (2).
    assert add_working_days(date(2025, 4, 16), 2, "GB-SCT") == date(2025, 4, 21)


def test_add_working_days_across_liberation_day():
    # Liberation Day, 9 May, is a holiday in Jersey and Guernsey only. In 2025 it is a
    # Friday: from Thu 8 May the next working day is Mon 12 May in Jersey, Fri 9 in England.
    assert add_working_days(date(2025, 5, 8), 1, "JE") == date(2025, 5, 12)
    assert add_working_days(date(2025, 5, 8), 1, "GG") == date(2025, 5, 12)
    assert add_working_days(date(2025, 5, 8), 1, "GB-ENG") == date(2025, 5, 9)
    # In 2028 it is a Tuesday: from Fri 5 May, Mon 8 (1), Tue 9 off, Wed 10 (2), Thu 11 (3).
    assert add_working_days(date(2028, 5, 5), 3, "JE") == date(2028, 5, 11)
    assert add_working_days(date(2028, 5, 5), 3, "GB-ENG") == date(2028, 5, 10)


def test_add_working_days_backwards_for_deadlines_before_a_meeting():
    # Three working days before Tue 29 Dec 2026 in Jersey: Thu 24 (-1), Wed 23 (-2), Tue 22 (-3).
    assert add_working_days(date(2026, 12, 29), -3, "JE") == date(2026, 12, 22)


def test_working_days_between_counts_like_add_working_days():
    assert timescales.working_days_between(date(2026, 12, 23), date(2026, 12, 29), "JE") == 2
    assert timescales.working_days_between(date(2026, 12, 29), date(2026, 12, 23), "JE") == -2


def test_unknown_territory_is_refused_clearly():
    with pytest.raises(ValueError, match="Unknown territory 'XX'"):
        add_working_days(date(2026, 1, 5), 1, "XX")


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 11, 21), 3, date(2027, 2, 21)),
        (date(2027, 1, 31), 1, date(2027, 2, 28)),  # no 31 Feb: the month's last day
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2026, 12, 15), 6, date(2027, 6, 15)),
    ],
)
def test_add_months_uses_calendar_months(start, months, expected):
    assert add_months(start, months) == expected


def test_first_cla_review_due_twenty_working_days_after_becoming_looked_after(settings):
    settings.CONFER_TERRITORY = "JE"
    # Looked after from Mon 14 Dec 2026: Dec 15-18 (1-4), 21-24 (5-8), 29-31 (9-11),
    # Jan 4-8 (12-16), Jan 11-14 (17-20).
    assert timescales.first_cla_review_due(date(2026, 12, 14)) == date(2027, 1, 14)


def test_next_meeting_after_each_kind():
    held = date(2026, 11, 23)
    assert next_meeting_after(MeetingKind.ICPC, held, continues=True, earlier_in_track=0) == NextMeeting(
        MeetingKind.RCPC, date(2027, 2, 23)
    )
    assert next_meeting_after(MeetingKind.RCPC, held, continues=True, earlier_in_track=1) == NextMeeting(
        MeetingKind.RCPC, date(2027, 5, 23)
    )
    assert next_meeting_after(MeetingKind.CLA, held, continues=True, earlier_in_track=0) == NextMeeting(
        MeetingKind.CLA, date(2027, 2, 23)
    )
    assert next_meeting_after(MeetingKind.CLA, held, continues=True, earlier_in_track=1) == NextMeeting(
        MeetingKind.CLA, date(2027, 5, 23)
    )
    # 12 weeks after Mon 23 Nov 2026 is Mon 15 Feb 2027.
    assert next_meeting_after(MeetingKind.CIN, held, continues=True, earlier_in_track=3) == NextMeeting(
        MeetingKind.CIN, date(2027, 2, 15)
    )
    assert next_meeting_after(MeetingKind.ICPC, held, continues=False, earlier_in_track=0) is None


def test_every_number_is_a_setting_with_per_kind_overrides(settings):
    settings.CONFER_TIMESCALES = {"cin_review_weeks": 8, "by_kind": {"rcpc": {"rcpc_later_months": 4}}}
    held = date(2026, 11, 23)
    assert next_meeting_after(MeetingKind.CIN, held, continues=True, earlier_in_track=1).due_on == date(2027, 1, 18)
    assert next_meeting_after(MeetingKind.RCPC, held, continues=True, earlier_in_track=1).due_on == date(2027, 3, 23)
    assert timescales.timescales().rcpc_later_months == 6


def test_a_misspelt_timescale_setting_is_refused():
    with pytest.raises(ValueError, match="Unknown timescale setting"):
        timescales.Timescales.from_mapping({"cin_reveiw_weeks": 8})
    with pytest.raises(ValueError, match="whole number"):
        timescales.Timescales.from_mapping({"cin_review_weeks": -1})
