"""The managers' timeliness dashboard: what was on time, per month, per meeting, as CSV."""

import csv
import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from config import fragments
from meetings.enums import MeetingKind, ReviewOutcome
from meetings.services import OutcomeRecord
from minutes import dashboard, services
from minutes.deadlines import deadlines_sweep
from tests import factories
from tests.factories import local


def _on_time_conference_and_late_cin(held_meeting, approved, chair, administrator, family):
    """The conference of 6 January 2027: letter, draft and minutes all on time. A CIN
    meeting on 1 February: nothing done since, so its draft and minutes are late by March."""
    services.decision_letter_send(
        meeting=held_meeting, actor=chair.user, lead_social_worker="Sam Worker", now=local(2027, 1, 7, 9)
    )
    services.minutes_distribute(minutes=approved, actor=chair.user, now=local(2027, 1, 8, 10))
    cin = factories.schedule(
        administrator=administrator, chair=chair, family=family, kind=MeetingKind.CIN, starts_at=local(2027, 2, 1)
    )
    continues = {c.pk: OutcomeRecord(review_outcome=ReviewOutcome.CONTINUE) for c in cin.children.all()}
    factories.hold(cin, chair, outcomes=continues)
    return cin


def test_each_step_is_counted_on_time_or_late_per_month(held_meeting, approved, chair, administrator, family):
    _on_time_conference_and_late_cin(held_meeting, approved, chair, administrator, family)
    report = dashboard.timeliness(local(2027, 1, 1).date(), local(2027, 2, 28).date(), now=local(2027, 3, 15, 9))
    totals = {key: (t.on_time, t.total) for key, t in report.totals.items()}
    assert totals == {
        "icpc": (1, 1),
        "rcpc": (0, 0),
        "cla": (0, 0),
        "draft": (1, 2),
        "letter": (1, 1),
        "distributed": (1, 2),
    }
    assert report.median_days_to_distribution == 2  # Wednesday 6th to Friday 8th
    assert [(month.month, t["distributed"].percent) for month, t in report.months] == [(1, 100), (2, 0)]
    bars = dashboard.chart_bars(report)
    assert [(bar["label"], bar["count"]) for bar in bars] == [("100%", "1 of 1"), ("0%", "0 of 1")]


def test_a_step_not_yet_due_counts_as_neither(held_meeting, chair):
    report = dashboard.timeliness(local(2027, 1, 1).date(), local(2027, 1, 31).date(), now=local(2027, 1, 7, 8))
    [row] = report.rows
    assert (row.results["draft"], row.results["distributed"], row.results["letter"]) == (None, None, None)
    assert report.totals["draft"].total == 0


def test_managers_see_totals_a_chart_and_a_csv_and_no_one_else_does(
    client,
    held_meeting,
    approved,
    chair,
    administrator,
    manager,
    family,
    parent,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
    time_machine,
):
    _on_time_conference_and_late_cin(held_meeting, approved, chair, administrator, family)
    time_machine.move_to(local(2027, 3, 15, 9))
    client.force_login(manager.user)
    url = reverse("timeliness")
    params = {"start": "2027-01-01", "end": "2027-02-28"}
    page = client.get(url, params).content.decode()  # counts the period and keeps the counts
    # The counts from the cache, the rows listed, every overdue deadline in one query, the
    # period's feedback and audits: a fixed number however much the period holds.
    with django_assert_max_num_queries(12):
        page = client.get(url, params).content.decode()
    assert "Meetings held in the period: 2" in page
    assert "1 of 2 on time (50%)" in page
    assert "<svg" in page and ">100%</text>" in page and ">0 of 1</text>" in page
    rows = list(csv.reader(io.StringIO(client.get(url, {**params, "format": "csv"}).content.decode())))
    assert rows[0][:3] == ["reference", "kind", "held on"]
    assert [row[0] for row in rows[1:]] == [held_meeting.reference, rows[2][0]]
    assert rows[1][-1] == "2"
    # Per child: a sibling group's meeting gives one row for each child.
    factories.ChildFactory(family=family)  # a child not at these meetings adds no row
    by_child = list(
        csv.reader(io.StringIO(client.get(url, {**params, "format": "csv", "by": "child"}).content.decode()))
    )
    assert [row[3] for row in by_child[1:]] == [family.children.order_by("pk").first().identifier] * 2
    # The sweep found the CIN meeting's draft and minutes overdue: listed with their owner
    # once it commits (the page is kept rendered until then).
    with django_capture_on_commit_callbacks(execute=True):
        deadlines_sweep(now=local(2027, 3, 15, 8))
    page = client.get(url, params).content.decode()
    overdue = page[page.index('id="overdue"') :]
    assert "Share the draft minutes" in overdue and chair.full_name in overdue
    assert held_meeting.reference not in overdue  # everything on time there
    client.force_login(administrator.user)
    assert client.get(url).status_code == 403
    client.force_login(parent.user)
    assert client.get(url).status_code == 404


def test_the_form_starts_with_the_last_year_filled_in_as_browsers_read_dates(client, manager, time_machine):
    time_machine.move_to(local(2027, 3, 15, 9))
    client.force_login(manager.user)
    page = client.get(reverse("timeliness")).content.decode()
    # Date inputs take ISO dates; any other format shows as an empty field.
    assert 'value="2026-03-01"' in page and 'value="2027-03-15"' in page


def test_the_counts_are_kept_until_a_meeting_minutes_or_letter_changes(
    held_meeting, approved, chair, django_assert_num_queries, django_capture_on_commit_callbacks
):
    """The grouped count runs once; a committed change to what it counts makes it run again."""
    period = (local(2027, 1, 1).date(), local(2027, 1, 31).date())
    now = local(2027, 1, 20, 9)
    with django_capture_on_commit_callbacks(execute=True):
        fragments.moved_on(*dashboard.TOPICS)  # known generations, as after any committed change
    assert dashboard.timeliness(*period, now=now).totals["distributed"].on_time == 0
    with django_assert_num_queries(0):  # the generations and the counts from the cache, no grouped query
        dashboard._cached_summary(*period, None, now.date())
    with django_capture_on_commit_callbacks(execute=True):
        services.minutes_distribute(minutes=approved, actor=chair.user, now=local(2027, 1, 8, 10))
    assert dashboard.timeliness(*period, now=now).totals["distributed"].on_time == 1
    # A new day is a new entry: a step not done becomes late by the date passing.
    assert dashboard.timeliness(*period, now=local(2027, 3, 1, 9)).totals["draft"].late == 0


def test_the_rendered_figures_are_kept_until_something_they_show_changes(
    client, held_meeting, approved, chair, administrator, family, manager, django_capture_on_commit_callbacks
):
    """The figures are the same for every manager: rendered once, then read from the cache
    in a few queries, and rendered again once a change to what they show commits."""
    _on_time_conference_and_late_cin(held_meeting, approved, chair, administrator, family)
    url, params = reverse("timeliness"), {"start": "2027-01-01", "end": "2027-02-28"}
    client.force_login(manager.user)
    with CaptureQueriesContext(connection) as first:
        assert chair.full_name in client.get(url, params).content.decode()
    with CaptureQueriesContext(connection) as kept:
        assert chair.full_name in client.get(url, params).content.decode()
    # Kept: the signed-in person, the page's generation and its figures; nothing counted.
    assert len(kept) <= len(first) - 6
    assert not any("meetings_meeting" in query["sql"] for query in kept.captured_queries)
    # Another period is another entry, not this one's figures.
    assert (
        "Meetings held in the period: 0"
        in client.get(url, {**params, "start": "2026-01-01", "end": "2026-01-31"}).content.decode()
    )
    # The chair's name is on the rows: renamed and committed, the page says the new name.
    with django_capture_on_commit_callbacks(execute=True):
        chair.full_name = "Renamed Chair"
        chair.save()
    assert "Renamed Chair" in client.get(url, params).content.decode()


def test_open_and_overdue_is_computed_from_the_dates_not_from_whether_a_sweep_has_run(
    client, held_meeting, chair, manager, time_machine
):
    """No sweep has run. The chair's page says the draft is overdue; so must the dashboard
    (it said 'None')."""
    time_machine.move_to(local(2027, 2, 1, 9))
    client.force_login(chair.user)
    assert "overdue" in client.get(reverse("home")).content.decode().lower()
    client.force_login(manager.user)
    page = client.get(reverse("timeliness"), {"start": "2027-01-01", "end": "2027-02-28"}).content.decode()
    overdue = page[page.index('id="overdue"') :]
    assert "Share the draft minutes" in overdue and held_meeting.reference in overdue
    assert ">None.<" not in overdue


def test_the_chart_has_every_month_of_the_period_with_readable_labels(client, held_meeting, manager, time_machine):
    time_machine.move_to(local(2027, 2, 1, 9))
    client.force_login(manager.user)
    page = client.get(reverse("timeliness"), {"start": "2026-11-01", "end": "2027-01-31"}).content.decode()
    chart = page[page.index("<svg") : page.index("</svg>")]
    assert [month in chart for month in (">Nov 2026<", ">Dec 2026<", ">Jan 2027<")] == [True, True, True]
    assert 'font-size="10"' not in chart and 'font-size="11"' not in chart
    assert chart.count(">none<") == 2  # no meeting in November or December
    assert ">0 of 1<" in chart  # January's conference: its minutes are past due
