"""Record quality audits: what Confer measures is filled in from the record, a change to it
needs a reason, a chair never audits their own record, the monthly sample is reproducible,
and results per chair and month reach the page and its CSV."""

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from meetings.enums import ReviewOutcome
from meetings.services import OutcomeRecord
from minutes import quality, services
from minutes.errors import MinutesError
from participants.enums import StaffRole
from tests import factories
from tests.factories import local


@pytest.fixture
def distributed(approved, chair):
    """The conference of 6 January 2027, distributed on Friday 8th (due by the 27th)."""
    services.minutes_distribute(minutes=approved, actor=chair.user, now=local(2027, 1, 8, 10))
    approved.refresh_from_db()
    return approved


def test_what_confer_can_measure_is_filled_in_from_the_record(distributed):
    found = {item["key"]: item for item in quality.prefilled_items(distributed)}
    assert found["on_time"]["result"] == quality.MET
    assert "due by 27 January 2027" in found["on_time"]["measured"]
    # The parent said "no comments": there is nothing to answer.
    assert found["comments_answered"]["result"] == quality.NOT_APPLICABLE
    # Sections the chair left empty fail their items; written ones are for the auditor.
    written = {s.key for s in distributed.sections.all() if s.text.strip()}
    for item, keys in quality.SECTIONS_FOR.items():
        assert found[item]["result"] == ("" if written & set(keys) else quality.NOT_MET), item


def test_a_section_the_kind_of_meeting_does_not_have_is_left_to_the_auditor(administrator, chair, family, parent):
    """A CLA review has no "parents' views" section: the item is not failed for that."""
    meeting = factories.schedule(
        administrator=administrator, chair=chair, family=family, kind="cla", starts_at=local(2027, 3, 1)
    )
    factories.invite(meeting, administrator, parent)
    continues = {c.pk: OutcomeRecord(review_outcome=ReviewOutcome.CONTINUE) for c in meeting.children.all()}
    factories.hold(meeting, chair, outcomes=continues)
    minutes = services.minutes_start(meeting=meeting, actor=chair.user, now=local(2027, 3, 1, 13))
    found = quality.measured(minutes)
    assert "parents_views" not in found  # not in a CLA record
    assert found["child_views"].result == quality.NOT_MET  # the young person's views, empty


def test_comments_not_answered_with_reasons_fail_the_item(minutes, held_meeting, chair, parent):
    services.minutes_share(minutes=minutes, actor=chair.user, now=local(2027, 1, 7, 10))
    services.comment_add(minutes=minutes, actor=parent.user, text="Wrong date", now=local(2027, 1, 7, 11))
    minutes.refresh_from_db()
    assert quality.measured(minutes)["comments_answered"].result == quality.NOT_MET


def test_an_audit_keeps_every_item_and_a_changed_measure_needs_a_reason(distributed, manager, chair, other_chair):
    meeting = distributed.meeting
    # The auditor keeps what Confer measured, judges the rest met, and disagrees on timeliness.
    kept = {item["key"]: item["result"] or quality.MET for item in quality.prefilled_items(distributed)}
    results = {**kept, "on_time": quality.NOT_MET}
    with pytest.raises(MinutesError, match="Say why you changed"):
        quality.audit_record_quality(meeting=meeting, actor=manager.user, results=results, comments={})
    with pytest.raises(MinutesError, match="Give a result for"):
        quality.audit_record_quality(meeting=meeting, actor=manager.user, results={"on_time": "met"}, comments={})
    with pytest.raises(PermissionDenied):  # a chair never audits their own record
        quality.audit_record_quality(meeting=meeting, actor=chair.user, results=results, comments={})
    audit = quality.audit_record_quality(
        meeting=meeting,
        actor=other_chair.user,
        results=results,
        comments={"on_time": "Sent to the wrong address first"},
    )
    on_time = next(item for item in audit.items if item["key"] == "on_time")
    assert (on_time["result"], on_time["changed"], on_time["comment"]) == (
        "not_met",
        True,
        "Sent to the wrong address first",
    )
    by_chair, by_month, audits = quality.results(local(2027, 1, 1).date(), local(2027, 1, 31).date())
    assert audits == [audit]
    met, not_met = (sum(1 for r in results.values() if r == wanted) for wanted in (quality.MET, quality.NOT_MET))
    assert (by_chair[chair.full_name].met, by_chair[chair.full_name].not_met) == (met, not_met)
    assert by_month["2027-01"].percent == round(100 * met / (met + not_met))  # "does not apply" counts neither way


def _distributed_on(day: int, administrator, chair, family, parent):
    meeting = factories.schedule(administrator=administrator, chair=chair, family=family, starts_at=local(2027, 3, day))
    factories.invite(meeting, administrator, parent)
    factories.hold(meeting, chair)
    minutes = services.minutes_start(meeting=meeting, actor=chair.user, now=local(2027, 3, day, 13))
    services.minutes_share(minutes=minutes, actor=chair.user, now=local(2027, 3, day, 14))
    services.no_comments(minutes=minutes, actor=parent.user, now=local(2027, 3, day, 15))
    services.minutes_approve(minutes=minutes, actor=chair.user, now=local(2027, 3, day, 16))
    services.minutes_distribute(minutes=minutes, actor=chair.user, now=local(2027, 3, day, 17))
    return meeting


def test_the_monthly_sample_is_reproducible_with_a_seed(administrator, chair, family, parent):
    march = [_distributed_on(day, administrator, chair, family, parent) for day in (1, 2, 3, 4, 5, 8, 9)]
    undistributed = factories.schedule(
        administrator=administrator, chair=chair, family=family, starts_at=local(2027, 3, 10)
    )
    month = local(2027, 3, 1).date()
    drawn = [m.pk for m in quality.draw_sample(month, 3, seed=202703)]
    assert drawn == [m.pk for m in quality.draw_sample(month, 3, seed=202703)]  # the same, every time
    assert len(drawn) == 3 and set(drawn) <= {m.pk for m in march} and undistributed.pk not in drawn
    assert {tuple(m.pk for m in quality.draw_sample(month, 3, seed=seed)) for seed in range(6)} != {tuple(drawn)}
    assert len(quality.draw_sample(month, 50, seed=1)) == len(march)  # never more than there are
    assert quality.draw_sample(local(2027, 4, 1).date(), 3, seed=1) == []


def test_the_quality_page_shows_results_draws_a_sample_and_gives_a_csv(
    client, distributed, manager, other_chair, parent
):
    kept = {item["key"]: item["result"] or quality.MET for item in quality.prefilled_items(distributed)}
    quality.audit_record_quality(meeting=distributed.meeting, actor=manager.user, results=kept, comments={})
    met = sum(1 for r in kept.values() if r == quality.MET)
    judged = sum(1 for r in kept.values() if r != quality.NOT_APPLICABLE)
    client.force_login(manager.user)
    period = {"start": "2027-01-01", "end": "2027-01-31"}
    page = client.get(reverse("quality"), period).content.decode()
    assert f"{met} of {judged} ({round(100 * met / judged)}%)" in page
    dashboard = client.get(reverse("timeliness"), period).content.decode()
    totals = dashboard[dashboard.index('id="quality-totals"') :]
    assert distributed.meeting.chair.full_name in totals and f"{met} of {judged}" in totals
    sample = client.get(reverse("quality"), {"month": "2027-01", "size": "3", "seed": "202701"}).content.decode()
    assert reverse("minutes:quality_audit", args=[distributed.meeting.pk]) in sample
    rows = list(csv.reader(io.StringIO(client.get(reverse("quality"), {**period, "format": "csv"}).content.decode())))
    assert rows[0][:3] == ["reference", "chair", "distributed on"] and len(rows) == 1 + 6
    client.force_login(other_chair.user)
    assert client.get(reverse("quality")).status_code == 200
    assert client.get(reverse("minutes:quality_audit", args=[distributed.meeting.pk])).status_code == 200
    client.force_login(parent.user)
    assert client.get(reverse("quality")).status_code == 404
    admin = factories.staff(StaffRole.ADMINISTRATOR)
    client.force_login(admin.user)
    assert client.get(reverse("quality")).status_code == 403
