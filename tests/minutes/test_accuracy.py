"""The professionals' accuracy check: before the family sees the draft, the professionals
who attended suggest corrections; nothing changes in the draft without the chair."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from minutes import accuracy, services
from minutes.errors import MinutesError
from minutes.models import Suggestion
from notifications.models import OutboundEmail
from tests import factories
from tests.factories import local

NOW = local(2027, 1, 7, 11)  # the day after the conference; the draft is due by Wednesday 20th


@pytest.fixture
def check(minutes, chair):
    return accuracy.accuracy_check_send(minutes=minutes, actor=chair.user, deadline=date(2027, 1, 12), now=NOW)


@pytest.fixture
def worries(minutes, chair):
    section = minutes.sections.get(key="worries")
    return services.section_save(
        section=section, actor=chair.user, text="The police were called twice.", version=section.version, now=NOW
    )


def test_the_check_goes_to_the_professionals_who_attended_within_the_draft_timescale(minutes, chair, officer, parent):
    with pytest.raises(MinutesError, match="Wednesday 20 January 2027"):
        accuracy.accuracy_check_send(minutes=minutes, actor=chair.user, deadline=date(2027, 1, 21), now=NOW)
    with pytest.raises(PermissionDenied):
        accuracy.accuracy_check_send(minutes=minutes, actor=parent.user, deadline=date(2027, 1, 12), now=NOW)
    accuracy.accuracy_check_send(minutes=minutes, actor=chair.user, deadline=date(2027, 1, 12), now=NOW)
    [email] = OutboundEmail.objects.filter(key__startswith="accuracy:")
    assert email.to_email == officer.email and "by Tuesday 12 January 2027" in email.body
    assert "Leakname" not in email.subject


def test_suggestions_never_change_the_draft_until_the_chair_accepts(check, worries, minutes, chair, officer, parent):
    suggestion = accuracy.suggestion_add(
        section=worries, actor=officer.user, text="The police were called once.", note="Our log", now=NOW
    )
    worries.refresh_from_db()
    assert worries.text == "The police were called twice."  # unchanged by the suggestion
    with pytest.raises(PermissionDenied):  # the family do not take part
        accuracy.suggestion_add(section=worries, actor=parent.user, text="Never", now=NOW)
    with pytest.raises(PermissionDenied):  # only the chair decides
        accuracy.suggestion_decide(suggestion=suggestion, actor=officer.user, accept=True, now=NOW)
    with pytest.raises(MinutesError, match="reason"):
        accuracy.suggestion_decide(suggestion=suggestion, actor=chair.user, accept=False, now=NOW)
    accuracy.suggestion_decide(suggestion=suggestion, actor=chair.user, accept=True, now=NOW)
    worries.refresh_from_db()
    assert (worries.text, worries.updated_by) == ("The police were called once.", chair.user)
    with pytest.raises(MinutesError, match="already been decided"):
        accuracy.suggestion_decide(suggestion=suggestion, actor=chair.user, accept=True, now=NOW)


def test_a_suggestion_on_a_section_changed_since_is_not_applied(check, worries, chair, officer):
    suggestion = accuracy.suggestion_add(section=worries, actor=officer.user, text="Called once.", now=NOW)
    services.section_save(section=worries, actor=chair.user, text="Rewritten.", version=worries.version, now=NOW)
    with pytest.raises(MinutesError, match="changed since"):
        accuracy.suggestion_decide(suggestion=suggestion, actor=chair.user, accept=True, now=NOW)
    worries.refresh_from_db()
    assert worries.text == "Rewritten."
    accuracy.suggestion_decide(suggestion=suggestion, actor=chair.user, accept=False, reason="Rewritten", now=NOW)
    assert Suggestion.objects.get().decision == "declined"


def test_the_check_closes_at_its_deadline_and_when_the_family_see_the_draft(check, worries, minutes, chair, officer):
    with pytest.raises(MinutesError, match="closed"):
        accuracy.suggestion_add(section=worries, actor=officer.user, text="Late", now=local(2027, 1, 13, 9))
    services.minutes_share(minutes=minutes, actor=chair.user, now=local(2027, 1, 8, 9))
    with pytest.raises(MinutesError, match="closed"):
        accuracy.suggestion_add(section=worries, actor=officer.user, text="After sharing", now=local(2027, 1, 8, 10))


def test_the_page_shows_each_their_part(client, check, worries, held_meeting, chair, officer, parent, time_machine):
    time_machine.move_to(NOW)
    url = reverse("minutes:accuracy", args=[held_meeting.pk])
    client.force_login(officer.user)
    page = client.get(url).content.decode()
    assert "Suggest a correction" in page and "The police were called twice." in page
    client.post(url, {"action": "suggest", "section": worries.pk, "text": "The police were called once.", "note": ""})
    client.force_login(chair.user)
    page = client.get(url).content.decode()
    assert "<del>twice.</del>" in page and "<ins>once.</ins>" in page
    client.force_login(parent.user)
    assert client.get(url).status_code == 403
    other = factories.PersonFactory(user=factories.UserFactory())
    client.force_login(other.user)
    assert client.get(url).status_code == 404
