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


def test_a_kept_meeting_or_minutes_page_reads_only_the_gate_and_writes_only_the_audit(
    client, minutes, chair, parent, held_meeting, time_machine
):
    """Once kept, each page asks the database who may see the meeting (one query, the
    reader's role with it) and appends the view to the audit log; nothing else of the
    record is read again. The rest is who is signed in: the session, the user, their roles
    and (for staff signed in without allauth's record of it, as here) their authenticator."""
    signing_in = ("django_session", "auth_user", "auth_group", "mfa_authenticator")
    time_machine.move_to(local(2027, 1, 7, 10, 30))
    _share(minutes, chair, now=local(2027, 1, 7, 10))
    for person, url in [
        (chair, reverse("meetings:detail", args=[held_meeting.pk])),
        (parent, reverse("minutes:overview", args=[held_meeting.pk])),
    ]:
        client.force_login(person.user)
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        record = [q["sql"] for q in queries.captured_queries if not any(t in q["sql"] for t in signing_in)]
        assert len(record) == 2, record
        assert "meetings_meeting" in record[0] and "viewer_role" in record[0]
        assert record[1].startswith("INSERT INTO") and "audit_auditevent" in record[1]
