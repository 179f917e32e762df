"""The conference's decision letter: what it says, who gets it, its deadline."""

import io

import pypdf
import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from audit.models import AuditEvent
from meetings.enums import MeetingKind, ReviewOutcome
from meetings.errors import MeetingError
from meetings.services import OutcomeRecord
from minutes import services
from minutes.errors import MinutesError
from minutes.models import DecisionLetterCopy
from notifications.models import OutboundEmail
from tests import factories
from tests.factories import local


def text_of(data: bytes) -> str:
    """The PDF's text with its line breaks folded: a long name wraps a line anywhere."""
    return " ".join(" ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages).split())


def test_the_letter_gives_each_childs_decision_and_goes_to_each_parent_behind_sign_in(
    client, held_meeting, chair, parent, officer, family
):
    letter = services.decision_letter_send(
        meeting=held_meeting,
        actor=chair.user,
        lead_social_worker="Sam Worker",
        core_group_on=local(2027, 1, 15).date(),
        now=local(2027, 1, 7, 9),
    )
    [copy] = DecisionLetterCopy.objects.filter(letter=letter)
    assert copy.person == parent  # the police officer is not sent it
    child = family.children.get().person.full_name
    with copy.file.open("rb") as f:
        text = text_of(f.read())
    assert f"{child}: a child protection plan is needed, under the category of neglect." in text
    assert "The lead social worker is Sam Worker." in text
    assert "first meets on Friday 15 January 2027" in text
    assert "The review conference will be held by Tuesday 6 April 2027." in text
    assert "If you are unhappy" in text and f"copy for {parent.full_name}" in text
    email = OutboundEmail.objects.get(to_email=parent.email, key__startswith="letter:")
    assert child not in email.subject and child not in email.body
    # The parent finds it on the minutes page and downloads their copy; others cannot.
    client.force_login(parent.user)
    overview = client.get(reverse("minutes:overview", args=[held_meeting.pk])).content.decode()
    assert "Download the decision letter (PDF)" in overview
    response = client.get(reverse("minutes:decision_letter_copy", args=[held_meeting.pk]))
    assert f"copy for {parent.full_name}" in text_of(b"".join(response.streaming_content))
    assert AuditEvent.objects.filter(code="meeting.decision_letter_downloaded", actor=parent.user).count() == 1
    client.force_login(officer.user)
    assert client.get(reverse("minutes:decision_letter_copy", args=[held_meeting.pk])).status_code == 404


def test_a_late_letter_needs_a_reason_which_is_kept_and_audited(held_meeting, chair):
    with pytest.raises(MinutesError, match="was due by Thursday 7 January 2027") as refused:
        services.decision_letter_send(
            meeting=held_meeting, actor=chair.user, lead_social_worker="Sam Worker", now=local(2027, 1, 8, 9)
        )
    assert refused.value.field == "late_reason"
    letter = services.decision_letter_send(
        meeting=held_meeting,
        actor=chair.user,
        lead_social_worker="Sam Worker",
        late_reason="The chair was called to court",
        now=local(2027, 1, 8, 9),
    )
    assert letter.late_reason == "The chair was called to court"
    event = AuditEvent.objects.get(code="meeting.decision_letter_sent")
    assert event.detail["late_reason"] == "The chair was called to court"
    with pytest.raises(MinutesError, match="already sent on Friday 8 January 2027"):
        services.decision_letter_send(
            meeting=held_meeting, actor=chair.user, lead_social_worker="Sam Worker", now=local(2027, 1, 8, 10)
        )


def test_only_the_chair_of_a_held_conference_sends_one(held_meeting, chair, administrator, family):
    with pytest.raises(PermissionDenied):
        services.decision_letter_send(meeting=held_meeting, actor=administrator.user, lead_social_worker="Sam")
    cin = factories.schedule(
        administrator=administrator, chair=chair, family=family, kind=MeetingKind.CIN, starts_at=local(2027, 2, 1)
    )
    factories.hold(
        cin, chair, outcomes={c.pk: OutcomeRecord(review_outcome=ReviewOutcome.CONTINUE) for c in cin.children.all()}
    )
    with pytest.raises(MeetingError, match="only a held conference has one"):
        services.decision_letter_send(meeting=cin, actor=chair.user, lead_social_worker="Sam")


def test_the_chair_sends_it_from_its_page(client, held_meeting, chair, time_machine):
    time_machine.move_to(local(2027, 1, 7, 9))
    client.force_login(chair.user)
    detail = client.get(reverse("meetings:detail", args=[held_meeting.pk])).content.decode()
    assert "Decision letter to the parents" in detail
    url = reverse("minutes:decision_letter", args=[held_meeting.pk])
    page = client.get(url).content.decode()
    assert "Due by <strong>Thursday 7 January 2027</strong>" in page
    refused = client.post(url, {"lead_social_worker": ""})
    assert "lead_social_worker" in refused.context["form"].errors
    assert client.post(url, {"lead_social_worker": "Sam Worker"}).status_code == 302
    assert "Sent on Thursday 7 January 2027" in client.get(url).content.decode()
