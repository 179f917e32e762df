"""Start pages by role, the meeting page, and their query counts."""

from datetime import timedelta

import pytest
from django.urls import reverse

from meetings.enums import MeetingKind
from tests import factories
from tests.factories import local

pytestmark = pytest.mark.django_db


def make_meetings(n, *, administrator, chair, family, parent=None, start=None):
    start = start or local(2027, 3, 1)
    meetings = []
    for i in range(n):
        m = factories.schedule(
            administrator=administrator,
            chair=chair,
            family=family,
            kind=MeetingKind.CIN,
            starts_at=start + timedelta(days=i),
            now=local(2027, 1, 1),
        )
        if parent is not None:
            factories.invite(m, administrator, parent)
        meetings.append(m)
    return meetings


def test_chair_start_page_lists_what_to_do_next_with_due_dates(client, administrator, chair, family, time_machine):
    held = factories.schedule(administrator=administrator, chair=chair, family=family, starts_at=local(2027, 1, 6))
    upcoming = factories.schedule(
        administrator=administrator, chair=chair, family=family, kind=MeetingKind.CIN, starts_at=local(2027, 2, 1)
    )

    factories.hold(held, chair)
    time_machine.move_to(local(2027, 1, 7, 9))
    client.force_login(chair.user)
    page = client.get(reverse("home")).content.decode()
    assert "Meetings you chair" in page
    # Held Wed 6 Jan 2027: the draft is due 10 working days later, Wed 20 Jan.
    assert "Write the minutes" in page
    assert "Wednesday 20 January 2027" in page
    assert "Hold the meeting" in page and upcoming.reference in page


def test_administrator_start_page_shows_upcoming_and_late_meetings(client, administrator, chair, family, time_machine):
    time_machine.move_to(local(2026, 12, 1))
    late = factories.schedule(
        administrator=administrator,
        chair=chair,
        family=family,
        starts_at=local(2027, 1, 7),
        strategy_discussion_on=factories.local(2026, 12, 11).date(),
        late_reason="Family unavailable",
    )
    client.force_login(administrator.user)
    page = client.get(reverse("home")).content.decode()
    assert "Scheduled after their due date" in page
    assert page.count(late.reference) == 2  # in the late list and the upcoming list
    assert "Late" in page


def test_manager_start_page_counts_meetings_by_status(client, manager, administrator, chair, family):
    factories.schedule(administrator=administrator, chair=chair, family=family)
    client.force_login(manager.user)
    page = client.get(reverse("home")).content.decode()
    assert "Overview" in page
    assert '<dt class="govuk-summary-list__key">Scheduled</dt><dd class="govuk-summary-list__value">1</dd>' in page


def test_parent_start_page_shows_only_their_meetings(client, administrator, chair, family, parent):
    mine = make_meetings(1, administrator=administrator, chair=chair, family=family, parent=parent)[0]
    other_family, other_parent = factories.family_with_parent(surname="Otherfamily")
    theirs = make_meetings(1, administrator=administrator, chair=chair, family=other_family, parent=other_parent)[0]
    client.force_login(parent.user)
    page = client.get(reverse("home")).content.decode()
    assert mine.reference in page
    assert theirs.reference not in page
    assert "Otherfamily" not in page
    assert "Not answered yet" in page


def test_meeting_page_hides_staff_notes_from_the_family(client, administrator, chair, family, parent):
    meeting = factories.schedule(
        administrator=administrator,
        chair=chair,
        family=family,
        starts_at=local(2027, 1, 7),
        strategy_discussion_on=local(2026, 12, 11).date(),
        late_reason="Chair unavailable (staff note)",
    )
    factories.invite(meeting, administrator, parent)
    client.force_login(parent.user)
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert meeting.reference in page
    assert "staff note" not in page
    client.force_login(chair.user)
    assert "staff note" in client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()


@pytest.mark.parametrize("n", [1, 50])
def test_start_pages_use_a_fixed_number_of_queries(
    n, client, administrator, chair, manager, family, parent, django_assert_max_num_queries, time_machine
):
    time_machine.move_to(local(2027, 1, 2))
    make_meetings(n, administrator=administrator, chair=chair, family=family, parent=parent)
    for person, limit in ((administrator, 12), (chair, 10), (manager, 12), (parent, 9)):
        client.force_login(person.user)
        with django_assert_max_num_queries(limit):
            assert client.get(reverse("home")).status_code == 200


@pytest.mark.parametrize("n", [1, 50])
def test_meeting_page_uses_a_fixed_number_of_queries(
    n, client, administrator, chair, family, django_assert_max_num_queries
):
    meeting = factories.schedule(administrator=administrator, chair=chair, family=family)
    for _ in range(n):
        factories.invite(
            meeting, administrator, factories.PersonFactory(agency=factories.AgencyFactory()), role="professional"
        )
    client.force_login(chair.user)
    with django_assert_max_num_queries(14):  # with the calendar replies not applied, for who arranges it
        assert client.get(reverse("meetings:detail", args=[meeting.pk])).status_code == 200


def test_a_reply_without_an_answer_shows_the_page_again_with_an_error_that_leads_to_the_question(
    client, administrator, chair, family, parent
):
    meeting = factories.schedule(administrator=administrator, chair=chair, family=family)
    factories.invite(meeting, administrator, parent)
    client.force_login(parent.user)
    response = client.post(reverse("meetings:respond", args=[meeting.pk]), {"note": "Running late"})
    page = response.content.decode()
    assert response.status_code == 200
    assert '<a href="#id_rsvp_0">Choose whether you can come</a>' in page
    assert 'id="id_rsvp_0"' in page  # the link's target exists: the first answer
    assert "Running late" in page  # what they wrote is kept
    assert meeting.invitations.get(person=parent).rsvp == "pending"
