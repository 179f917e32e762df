"""The minutes pages, as each reader sees them."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from meetings.enums import InvitationRole
from meetings.models import Invitation
from minutes import services
from tests import factories
from tests.factories import local

pytestmark = pytest.mark.django_db

SHARED_AT = local(2027, 1, 7, 10)
DEADLINE = local(2027, 1, 14, 23, 59, 59)
NEIGHBOUR_SAID = "NEIGHBOUR-SAW-SHOUTING-ON-TUESDAY"
WITHOUT_PARENT = "POLICE-DISCLOSURE-AFTER-PARENT-LEFT"


@pytest.fixture
def restricted(minutes, chair, parent, neighbour, held_meeting):
    """The draft with a third party's words (no consent) and a part the parent was asked to leave."""
    worries = minutes.sections.get(key="worries")
    services.section_save(section=worries, actor=chair.user, text=NEIGHBOUR_SAID, version=1, now=SHARED_AT)
    services.section_set_restrictions(
        section=worries, actor=chair.user, third_party_source=neighbour, restricted_from=[]
    )
    part = services.section_add_part(section=worries, actor=chair.user, now=SHARED_AT)
    services.section_save(section=part, actor=chair.user, text=WITHOUT_PARENT, version=1, now=SHARED_AT)
    parent_invitation = held_meeting.invitations.get(person=parent)
    services.section_set_restrictions(
        section=part, actor=chair.user, third_party_source=None, restricted_from=[parent_invitation]
    )
    services.minutes_share(minutes=minutes, actor=chair.user, now=SHARED_AT)
    return minutes


def overview(client, person, meeting):
    client.force_login(person.user)
    response = client.get(reverse("minutes:overview", args=[meeting.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_parents_draft_never_contains_withheld_text_while_a_professional_sees_it(
    client, restricted, held_meeting, parent, officer, time_machine
):
    time_machine.move_to(SHARED_AT + timedelta(hours=1))
    parent_page = overview(client, parent, held_meeting)
    assert NEIGHBOUR_SAID not in parent_page
    assert WITHOUT_PARENT not in parent_page
    assert "Information from a third party has been withheld" in parent_page
    assert "This part of the meeting took place without you" in parent_page
    assert "A neighbour" not in parent_page  # not even who the source is
    assert "Send your comments by Thursday 14 January." in parent_page
    professional_page = overview(client, officer, held_meeting)
    assert NEIGHBOUR_SAID in professional_page and WITHOUT_PARENT in professional_page


def test_a_young_person_reads_plain_headings(client, restricted, held_meeting, family, time_machine):

    time_machine.move_to(SHARED_AT + timedelta(hours=1))
    young = family.children.get().person
    young.user = factories.UserFactory()
    young.save()
    # Invited before the meeting (the service refuses new invitations once it is held).
    Invitation.objects.create(meeting=held_meeting, person=young, role=InvitationRole.YOUNG_PERSON)
    page = overview(client, young, held_meeting)
    assert "What was said at your meeting" in page
    assert "What people are worried about" in page
    assert "What are we worried about? Harm and complicating factors" not in page
    assert NEIGHBOUR_SAID not in page


def test_the_draft_is_not_shown_to_the_family_before_it_is_shared(client, minutes, held_meeting, parent):
    page = overview(client, parent, held_meeting)
    assert "not ready for you to read yet" in page
    assert "Purpose of the conference" not in page


def test_a_stale_save_on_the_page_shows_both_texts_and_overwrites_nothing(client, minutes, chair, administrator):
    purpose = minutes.sections.get(key="purpose")
    url = reverse("minutes:section_edit", args=[minutes.meeting.pk, purpose.pk])
    client.force_login(chair.user)
    client.post(url, {"text": "The chair's words", "version": 1})
    client.force_login(administrator.user)
    page = client.post(url, {"text": "The administrator's words", "version": 1}).content.decode()
    assert "Someone else saved this section" in page
    assert "The chair&#x27;s words" in page and "The administrator&#x27;s words" in page
    assert 'name="version" value="2"' in page
    purpose.refresh_from_db()
    assert purpose.text == "The chair's words"


def test_a_late_comment_on_the_page_is_refused_with_the_closing_date(
    client, restricted, held_meeting, parent, time_machine
):
    time_machine.move_to(DEADLINE + timedelta(minutes=1))
    client.force_login(parent.user)
    response = client.post(reverse("minutes:comment_add", args=[held_meeting.pk]), {"text": "Too late?"}, follow=True)
    page = response.content.decode()
    assert "closed at the end of Thursday 14 January 2027" in page
    assert not restricted.comments.exists()


def test_the_chair_cannot_approve_on_the_page_while_a_comment_is_unanswered(
    client, restricted, held_meeting, parent, chair, time_machine
):
    time_machine.move_to(SHARED_AT + timedelta(hours=1))
    client.force_login(parent.user)
    client.post(reverse("minutes:comment_add", args=[held_meeting.pk]), {"text": "Please add my view"})
    time_machine.move_to(DEADLINE + timedelta(hours=1))
    client.force_login(chair.user)
    page = client.post(reverse("minutes:approve", args=[held_meeting.pk]), follow=True).content.decode()
    assert "Answer every comment from the family first (1 not answered)" in page
    restricted.refresh_from_db()
    assert restricted.status == "shared_for_comment"


def _with_sections(minutes, n, chair):
    keep = list(minutes.sections.values_list("pk", flat=True))
    if n < len(keep):
        minutes.sections.exclude(pk__in=keep[:n]).delete()
    else:
        last = minutes.sections.last()
        for _ in range(n - len(keep)):
            last = services.section_add_part(section=last, actor=chair.user, now=SHARED_AT)
    assert minutes.sections.count() == n


@pytest.mark.parametrize("n", [1, 20])
def test_draft_editing_pages_use_a_fixed_number_of_queries(
    n, client, minutes, held_meeting, chair, django_assert_max_num_queries
):
    _with_sections(minutes, n, chair)
    section = minutes.sections.first()
    services.section_set_restrictions(
        section=section, actor=chair.user, third_party_source=None, restricted_from=list(held_meeting.invitations.all())
    )
    client.force_login(chair.user)
    for url in (
        reverse("minutes:overview", args=[held_meeting.pk]),
        reverse("minutes:section_edit", args=[held_meeting.pk, section.pk]),
        reverse("minutes:section_restrict", args=[held_meeting.pk, section.pk]),
    ):
        with django_assert_max_num_queries(18):
            assert client.get(url).status_code == 200


@pytest.mark.parametrize("n", [1, 20])
def test_minutes_pages_use_a_fixed_number_of_queries(
    n, client, minutes, held_meeting, chair, parent, officer, neighbour, django_assert_max_num_queries, time_machine
):
    _with_sections(minutes, n, chair)
    for section in minutes.sections.all():
        services.section_set_restrictions(
            section=section,
            actor=chair.user,
            third_party_source=neighbour,
            restricted_from=list(held_meeting.invitations.all()),
        )
    services.minutes_share(minutes=minutes, actor=chair.user, now=SHARED_AT)
    time_machine.move_to(SHARED_AT + timedelta(hours=1))
    for section in minutes.sections.all():
        services.comment_add(minutes=minutes, actor=parent.user, section=None, text=f"On {section.pk}")
    url = reverse("minutes:overview", args=[held_meeting.pk])
    # A parent also looks for their copy of the decision letter and their household's
    # feedback: two queries more.
    for person, limit in ((chair, 17), (parent, 18), (officer, 16)):
        client.force_login(person.user)
        with django_assert_max_num_queries(limit):
            assert client.get(url).status_code == 200
    comment = minutes.comments.first()
    client.force_login(chair.user)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("minutes:respond", args=[held_meeting.pk, comment.pk])).status_code == 200
    client.force_login(parent.user)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("minutes:comment_edit", args=[held_meeting.pk, comment.pk])).status_code == 200


def test_a_comment_posted_twice_from_one_page_is_kept_once(client, restricted, held_meeting, parent, time_machine):
    time_machine.move_to(SHARED_AT + timedelta(hours=1))
    client.force_login(parent.user)
    page = overview(client, parent, held_meeting)
    token = re.search(r'name="submission" value="([0-9a-f-]+)"', page).group(1)
    url = reverse("minutes:comment_add", args=[held_meeting.pk])
    first = client.post(url, {"text": "Please add my view", "submission": token})
    second = client.post(url, {"text": "Please add my view", "submission": token})
    assert first["Location"] == second["Location"]  # both land on the one comment
    assert restricted.comments.count() == 1
    # The same page used again (the back button) for something else is a new comment.
    client.post(url, {"text": "And one more thing", "submission": token})
    assert restricted.comments.count() == 2


def test_who_may_read_from_an_out_of_date_page_never_undoes_a_newer_restriction(
    client, minutes, chair, parent, held_meeting
):
    """The chair has the page open in two tabs. In one she withholds the part from the
    parent; the other, opened before, is saved next with nothing withheld. It must not
    silently show the part to the parent again."""
    section = minutes.sections.get(key="worries")
    url = reverse("minutes:section_restrict", args=[held_meeting.pk, section.pk])
    client.force_login(chair.user)
    old_tab = re.search(r'name="seen" value="([0-9a-f]+)"', client.get(url).content.decode()).group(1)
    parent_invitation = held_meeting.invitations.get(person=parent)
    fresh = re.search(r'name="seen" value="([0-9a-f]+)"', client.get(url).content.decode()).group(1)
    assert client.post(url, {"restricted_from": [parent_invitation.pk], "seen": fresh}).status_code == 302
    page = client.post(url, {"third_party_source": "", "seen": old_tab}).content.decode()
    assert "Who may read this section was changed after you opened this page" in page
    assert list(section.restricted_from.all()) == [parent_invitation]
    # The refreshed page shows the withholding, so the chair sees what is true now.
    assert (
        re.search(rf'value="{parent_invitation.pk}"\s+checked', page)
        or f'value="{parent_invitation.pk}" checked' in page
    )


def test_the_family_reads_plain_headings_with_any_term_of_art_explained(client, restricted, held_meeting, parent):
    page = overview(client, parent, held_meeting)
    assert "dissent" not in page.lower()
    assert "Decision and reasons, and anyone who disagreed with it" in page
    assert "what could happen if nothing changes (danger statements)" in page
