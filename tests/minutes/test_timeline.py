"""The meeting page's timeline: each step done (with its date), to come (with its due date)
or late, said in words so it reads without colour."""

import re

from django.urls import reverse

from minutes import services, timeline
from tests.factories import local


def states(meeting, minutes, now):
    return [
        (step.label, step.state, step.on.isoformat() if step.on else None)
        for step in timeline.timeline(meeting, minutes, now)
    ]


def test_each_step_is_done_to_come_or_late(held_meeting, minutes, chair):
    held_meeting.refresh_from_db()
    draft_due, final_due = held_meeting.draft_due_on.isoformat(), held_meeting.distribution_due_on.isoformat()
    scheduled = held_meeting.created_at.date().isoformat()
    assert states(held_meeting, minutes, local(2027, 1, 7, 9)) == [
        ("Meeting scheduled", "done", scheduled),
        ("Meeting held", "done", "2027-01-06"),
        ("Draft minutes shared with the family", "due", draft_due),
        ("Comments on the draft close", "waiting", None),
        ("Minutes approved", "due", final_due),
        ("Final minutes sent", "due", final_due),
    ]
    services.minutes_share(minutes=minutes, actor=chair.user, now=local(2027, 1, 7, 10))
    minutes.refresh_from_db()
    at = states(held_meeting, minutes, local(2027, 1, 8, 9))
    assert at[2] == ("Draft minutes shared with the family", "done", "2027-01-07")
    assert at[3] == ("Comments on the draft close", "due", "2027-01-14")
    # Nothing approved by the due date: both remaining steps are late.
    at = states(held_meeting, minutes, local(2027, 3, 1, 9))
    assert at[3] == ("Comments on the draft close", "done", "2027-01-14")
    assert at[4][1] == at[5][1] == "late"


def test_the_meeting_page_shows_the_timeline_in_words(client, held_meeting, minutes, chair, parent, time_machine):
    time_machine.move_to(local(2027, 1, 7, 9))
    for person in (chair, parent):
        client.force_login(person.user)
        page = client.get(reverse("meetings:detail", args=[held_meeting.pk])).content.decode()
        timeline_html = page[page.index('class="confer-timeline"') : page.index("</ol>")]
        text = " ".join(re.sub(r"<[^>]+>", "", timeline_html).split())
        assert "Meeting held Done: Wednesday 6 January 2027" in text
        assert "Draft minutes shared with the family To come: by" in text
        assert "Comments on the draft close To come" in text
