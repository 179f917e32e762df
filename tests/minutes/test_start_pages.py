"""A family member's start page leads with what they need to do and by when, then what the
service does next; a young person reads it in plain words."""

import pytest
from django.urls import reverse

from meetings.enums import InvitationRole, Rsvp
from meetings.invites import invitation_respond
from minutes import services
from tests import factories
from tests.factories import local

SHARED_AT = local(2027, 1, 7, 10)


@pytest.fixture
def young_person(family):
    person = family.children.first().person
    person.user = factories.UserFactory(email="young@example.test")
    person.save()
    return person


@pytest.fixture
def held_meeting(administrator, chair, family, parent, young_person):
    """The conference of Wednesday 6 January 2027 with a parent and the young person, held."""
    meeting = factories.schedule(administrator=administrator, chair=chair, family=family, starts_at=local(2027, 1, 6))
    factories.invite(meeting, administrator, parent)
    factories.invite(meeting, administrator, young_person, InvitationRole.YOUNG_PERSON)
    factories.hold(meeting, chair, now=local(2027, 1, 6, 12, 30))
    meeting.refresh_from_db()
    return meeting


def start_page(client, person) -> str:
    client.force_login(person.user)
    page = client.get(reverse("home")).content.decode()
    return " ".join(page.split())


def test_before_the_meeting_they_are_asked_whether_they_can_come(client, administrator, chair, family, parent):
    meeting = factories.schedule(administrator=administrator, chair=chair, family=family, starts_at=local(2027, 1, 6))
    invitation = factories.invite(meeting, administrator, parent)
    page = start_page(client, parent)
    assert "Tell us if you can come to the conference on Wednesday 6 January." in page
    assert "The conference is on Wednesday 6 January at 10:00am." in page
    invitation_respond(invitation=invitation, actor=parent.user, rsvp=Rsvp.ACCEPTED, now=local(2027, 1, 2))
    page = start_page(client, parent)
    assert "Tell us if you can come" not in page and "You said: Attending." in page


def test_after_the_meeting_they_learn_when_the_draft_comes(client, held_meeting, parent, time_machine):
    time_machine.move_to(local(2027, 1, 6, 15))
    page = start_page(client, parent)
    assert "What you need to do" not in page
    assert "Your reply" not in page  # the meeting is over: whether they could come is past
    due = held_meeting.draft_due_on
    assert f"The chair will share the draft minutes with you by {due:%A} {due.day} {due:%B}." in page


def test_a_shared_draft_asks_for_comments_by_the_deadline_then_says_when_the_minutes_come(
    client, minutes, held_meeting, chair, parent, young_person, time_machine, django_assert_max_num_queries
):
    services.minutes_share(minutes=minutes, actor=chair.user, now=SHARED_AT)
    time_machine.move_to(local(2027, 1, 8, 9))
    final = held_meeting.distribution_due_on
    page = start_page(client, parent)
    with django_assert_max_num_queries(6):  # session, user, roles, invitations with all they need, audit
        client.get(reverse("home"))
    todo = "Draft minutes of the conference on Wednesday 6 January are ready: send your comments by Thursday 14 January"
    assert todo + "." in page
    assert f"The chair will send the final minutes by {final:%A} {final.day} {final:%B}." in page
    assert page.index("What you need to do") < page.index("What happens next")
    # The young person's page says the same in plain words.
    page = start_page(client, young_person)
    plain = "Read the notes of the meeting on Wednesday 6 January and tell us what you think by Thursday 14 January."
    assert plain in page
    assert "Read the notes" in page and "draft minutes" not in page
    # Once they have answered, nothing waits for them; they may still change their comments.
    services.comment_add(minutes=minutes, actor=parent.user, section=None, text="The date is wrong.")
    page = start_page(client, parent)
    assert "What you need to do" not in page
    assert "You have answered. You can change your comments until Thursday 14 January." in page
    services.no_comments(minutes=minutes, actor=young_person.user)
    assert "What you need to do" not in start_page(client, young_person)


def test_late_minutes_are_said_to_be_late_and_sent_minutes_to_be_sent(
    client, minutes, held_meeting, chair, parent, young_person, time_machine
):
    services.minutes_share(minutes=minutes, actor=chair.user, now=SHARED_AT)
    for person in (parent, young_person):
        services.no_comments(minutes=minutes, actor=person.user, now=SHARED_AT)
    time_machine.move_to(local(2027, 1, 15, 9))
    assert "Comments on the draft closed on Thursday 14 January." in start_page(client, parent)
    services.minutes_approve(minutes=minutes, actor=chair.user, now=local(2027, 1, 15, 10))
    final = held_meeting.distribution_due_on
    time_machine.move_to(local(2027, 2, 15, 9))
    page = start_page(client, parent)
    assert f"The final minutes were due by {final:%A} {final.day} {final:%B} and are late." in page
    services.minutes_distribute(
        minutes=minutes, actor=chair.user, late_reason="Chair off sick", now=local(2027, 2, 15, 10)
    )
    page = start_page(client, parent)
    assert "The final minutes were sent on Monday 15 February." in page
    assert "Read the final minutes" in page
