"""The minutes page kept rendered per reader (``config.fragments``): what changes is shown
at once, per-request tokens stay per request, and one reader's copy never answers another."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from minutes import services
from minutes.models import Comment
from tests.factories import local

LATER_WITHHELD = "MARKER-WITHHELD-FROM-THE-PARENT-ONLY-LATER"


def _share(minutes, chair, *, now):
    section = minutes.sections.get(key="analysis")
    services.section_save(section=section, actor=chair.user, text=LATER_WITHHELD, version=section.version)
    services.minutes_share(minutes=minutes, actor=chair.user, now=now)


def test_a_part_withheld_after_the_parent_read_the_draft_is_gone_from_their_page(
    client, minutes, chair, parent, officer, held_meeting, time_machine
):
    time_machine.move_to(local(2027, 1, 7, 10, 30))
    _share(minutes, chair, now=local(2027, 1, 7, 10))
    url = reverse("minutes:overview", args=[held_meeting.pk])
    client.force_login(parent.user)
    assert LATER_WITHHELD in client.get(url).content.decode()
    with CaptureQueriesContext(connection) as kept:
        assert LATER_WITHHELD in client.get(url).content.decode()
    assert not any("minutes_section" in query["sql"] for query in kept.captured_queries)  # the copy was kept
    # The chair takes the draft back, withholds the part from the parent, shares again.
    minutes.refresh_from_db()
    services.minutes_withdraw(minutes=minutes, actor=chair.user, reason="A part to withhold")
    services.section_set_restrictions(
        section=minutes.sections.get(key="analysis"),
        actor=chair.user,
        third_party_source=None,
        restricted_from=[held_meeting.invitations.get(person=parent)],
    )
    minutes.refresh_from_db()
    services.minutes_share(minutes=minutes, actor=chair.user)
    assert LATER_WITHHELD not in client.get(url).content.decode()
    client.force_login(officer.user)
    assert LATER_WITHHELD in client.get(url).content.decode()


def test_each_view_of_the_draft_has_its_own_submission_token_and_a_double_post_makes_one_comment(
    client, minutes, chair, parent, held_meeting, time_machine
):
    time_machine.move_to(local(2027, 1, 7, 10, 30))
    _share(minutes, chair, now=local(2027, 1, 7, 10))
    url = reverse("minutes:overview", args=[held_meeting.pk])
    client.force_login(parent.user)
    tokens = []
    for _ in range(2):
        page = client.get(url).content.decode()
        assert "fill-" not in page  # every marker was filled in
        found = set(re.findall(r'name="submission" value="([^"]+)"', page))
        assert len(found) == 1  # one token for the page's forms
        tokens += found
    assert tokens[0] != tokens[1]
    add = reverse("minutes:comment_add", args=[held_meeting.pk])
    for token in (tokens[0], tokens[0], tokens[1]):  # a double click, then a second comment
        client.post(add, {"text": f"From page {token[:8]}", "submission": token})
    assert Comment.objects.filter(minutes=minutes).count() == 2
