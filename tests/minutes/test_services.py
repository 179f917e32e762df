"""The minutes workflow through its services."""

import hashlib
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from audit.models import AuditEvent
from meetings.enums import InvitationRole
from meetings.models import Invitation
from minutes import services
from minutes.enums import MinutesStatus
from minutes.errors import MinutesError, StaleSection
from minutes.models import Response, Version
from notifications.models import OutboundEmail
from tests import factories
from tests.factories import local

pytestmark = pytest.mark.django_db

# Shared on Thu 7 Jan 2027: the 5th working day after is Thu 14 Jan; the window closes at its end.
SHARED_AT = local(2027, 1, 7, 10)
DEADLINE = local(2027, 1, 14, 23, 59, 59)


def section(minutes, key):
    return minutes.sections.get(key=key)


def share(minutes, chair):
    return services.minutes_share(minutes=minutes, actor=chair.user, now=SHARED_AT)


def test_start_builds_the_conference_sections_prefilled_from_the_meeting(minutes, officer, family):
    keys = list(minutes.sections.values_list("key", flat=True))
    assert keys[:3] == ["attendance", "reports", "purpose"] and keys[-1] == "review_date" and len(keys) == 13
    assert "Pat Constable, Police, professional: attended." in section(minutes, "attendance").text
    child = family.children.get().person.full_name
    assert section(minutes, "decision").text == f"{child}: a child protection plan is needed, category neglect."
    assert section(minutes, "review_date").text == (
        "The next review child protection conference is due by Tuesday 6 April 2027."
    )
    assert section(minutes, "reports").text == "No reports were received."


def test_minutes_start_only_after_the_meeting_is_held_and_only_once(
    administrator, chair, family, minutes, held_meeting
):
    assert services.minutes_start(meeting=held_meeting, actor=chair.user) == minutes
    upcoming = factories.schedule(administrator=administrator, chair=chair, family=family, starts_at=local(2027, 3, 1))
    with pytest.raises(MinutesError, match="once the meeting is recorded as held"):
        services.minutes_start(meeting=upcoming, actor=chair.user)


def test_a_stale_save_is_refused_and_keeps_both_texts(minutes, chair, administrator):
    purpose = section(minutes, "purpose")
    services.section_save(section=purpose, actor=chair.user, text="Chair's wording", version=1)
    with pytest.raises(StaleSection) as refused:
        services.section_save(section=purpose, actor=administrator.user, text="Administrator's wording", version=1)
    assert (refused.value.yours, refused.value.theirs) == ("Administrator's wording", "Chair's wording")
    assert refused.value.current_version == 2
    purpose.refresh_from_db()
    assert (purpose.text, purpose.version) == ("Chair's wording", 2)
    assert purpose.history.count() == 2  # created, then the chair's save


def test_the_draft_cannot_change_while_shared(minutes, chair):
    share(minutes, chair)
    with pytest.raises(MinutesError, match="Withdraw it to draft"):
        services.section_save(section=section(minutes, "purpose"), actor=chair.user, text="x", version=1)


def test_family_members_cannot_write_minutes(minutes, parent, officer):
    for person in (parent, officer):
        with pytest.raises(PermissionDenied):
            services.section_save(section=section(minutes, "purpose"), actor=person.user, text="x", version=1)


def test_sharing_sets_the_deadline_and_emails_the_family_without_content(minutes, chair, parent, family):
    minutes = share(minutes, chair)
    assert minutes.status == MinutesStatus.SHARED
    assert minutes.comment_deadline == DEADLINE
    [email] = OutboundEmail.objects.filter(subject__startswith="Draft minutes")
    assert email.to_email == parent.email
    assert "Send your comments by Thursday 14 January 2027." in email.body
    for name in ("Leakname", family.children.get().person.full_name):
        assert name not in email.subject + email.body
    assert "neglect" not in email.body


def test_a_comment_one_minute_after_the_deadline_is_refused(minutes, chair, parent, time_machine):
    share(minutes, chair)
    services.comment_add(minutes=minutes, actor=parent.user, text="On time", now=DEADLINE - timedelta(minutes=1))
    with pytest.raises(MinutesError) as refused:
        services.comment_add(minutes=minutes, actor=parent.user, text="Late", now=DEADLINE + timedelta(minutes=1))
    message = str(refused.value)
    assert "closed at the end of Thursday 14 January 2027" in message
    assert chair.full_name in message and chair.email in message
    assert list(minutes.comments.values_list("text", flat=True)) == ["On time"]


def test_the_chair_reopens_the_window_and_the_family_is_told(minutes, chair, parent):
    share(minutes, chair)
    reopened_at = DEADLINE + timedelta(days=2)
    services.window_reopen(minutes=minutes, actor=chair.user, reason="Parent was in hospital", now=reopened_at)
    minutes.refresh_from_db()
    # Reopened Sat 16 Jan: five working days later is Fri 22 Jan.
    assert minutes.comment_deadline == local(2027, 1, 22, 23, 59, 59)
    services.comment_add(minutes=minutes, actor=parent.user, text="Now I can", now=reopened_at + timedelta(hours=1))
    assert OutboundEmail.objects.filter(subject__startswith="More time to comment").count() == 1
    assert AuditEvent.objects.get(code="minutes.window_reopened").detail["reason"] == "Parent was in hospital"


def test_a_parent_cannot_comment_on_a_part_withheld_from_them(minutes, chair, parent, neighbour):
    worries = section(minutes, "worries")
    services.section_set_restrictions(
        section=worries, actor=chair.user, third_party_source=neighbour, restricted_from=[]
    )
    share(minutes, chair)
    with pytest.raises(MinutesError, match="not been shown"):
        services.comment_add(minutes=minutes, actor=parent.user, text="x", section=worries, now=SHARED_AT)


def test_comments_can_be_edited_and_withdrawn_by_their_author_only(minutes, chair, parent, officer):
    share(minutes, chair)
    comment = services.comment_add(minutes=minutes, actor=parent.user, text="First", now=SHARED_AT)
    services.comment_edit(comment=comment, actor=parent.user, text="Second thoughts", now=SHARED_AT)
    with pytest.raises(PermissionDenied):
        services.comment_edit(comment=comment, actor=officer.user, text="x", now=SHARED_AT)
    services.comment_withdraw(comment=comment, actor=parent.user, now=SHARED_AT)
    comment.refresh_from_db()
    assert (comment.text, comment.is_active) == ("Second thoughts", False)


def test_approval_needs_every_comment_answered(minutes, chair, parent):
    share(minutes, chair)
    comment = services.comment_add(minutes=minutes, actor=parent.user, text="Wrong date", now=SHARED_AT)
    after = DEADLINE + timedelta(minutes=1)
    with pytest.raises(MinutesError, match=r"Answer every comment from the family first \(1 not answered\)"):
        services.minutes_approve(minutes=minutes, actor=chair.user, now=after)
    services.comment_respond(comment=comment, actor=chair.user, accepted=False, reason="The date is right", now=after)
    version = services.minutes_approve(minutes=minutes, actor=chair.user, now=after)
    assert version.number == 1


def test_approval_waits_for_the_window_unless_every_family_member_answered(minutes, chair, parent):
    share(minutes, chair)
    with pytest.raises(MinutesError, match="has until the end of Thursday 14 January 2027"):
        services.minutes_approve(minutes=minutes, actor=chair.user, now=SHARED_AT + timedelta(hours=1))
    services.no_comments(minutes=minutes, actor=parent.user, now=SHARED_AT + timedelta(hours=2))
    services.minutes_approve(minutes=minutes, actor=chair.user, now=SHARED_AT + timedelta(hours=3))
    minutes.refresh_from_db()
    assert minutes.status == MinutesStatus.APPROVED


def test_accepting_with_an_amendment_changes_the_section_as_a_tracked_change(minutes, chair, parent):
    purpose = section(minutes, "purpose")
    services.section_save(section=purpose, actor=chair.user, text="To decide on a plan for the children.", version=1)
    share(minutes, chair)
    comment = services.comment_add(
        minutes=minutes, actor=parent.user, section=purpose, text="Say it was for one child", now=SHARED_AT
    )
    response = services.comment_respond(
        comment=comment,
        actor=chair.user,
        accepted=True,
        amended_text="To decide on a plan for the child.",
        section_version=2,
        now=SHARED_AT,
    )
    purpose.refresh_from_db()
    assert (purpose.text, purpose.version) == ("To decide on a plan for the child.", 3)
    assert (response.text_before, response.text_after, response.amended) == (
        "To decide on a plan for the children.",
        "To decide on a plan for the child.",
        True,
    )
    assert [h.text for h in purpose.history.order_by("history_id")][-2:] == [
        "To decide on a plan for the children.",
        "To decide on a plan for the child.",
    ]


def test_accepting_without_changing_the_section_needs_the_chairs_reason_which_the_family_reads(
    client, minutes, chair, parent
):
    """A comment answered 'Yes: amend the minutes' used to be saved as Accepted with the
    section unchanged, and the final copy still said what the family disputed."""
    purpose = section(minutes, "purpose")
    services.section_save(section=purpose, actor=chair.user, text="To decide on a plan.", version=1)
    share(minutes, chair)
    comment = services.comment_add(
        minutes=minutes, actor=parent.user, section=purpose, text="Say who attended", now=SHARED_AT
    )
    for amended in (None, "To decide on a plan.", "  To decide on a plan.  "):
        with pytest.raises(MinutesError, match="change the section so it carries the amendment, or say why"):
            services.comment_respond(
                comment=comment, actor=chair.user, accepted=True, amended_text=amended, now=SHARED_AT
            )
    assert not Response.objects.exists()
    services.comment_respond(
        comment=comment,
        actor=chair.user,
        accepted=True,
        amended_text="To decide on a plan.",
        reason="Who attended is listed under Attendance.",
        now=SHARED_AT,
    )
    client.force_login(parent.user)
    page = " ".join(client.get(reverse("minutes:overview", args=[minutes.meeting_id])).content.decode().split())
    assert "Accepted</strong> No change to the minutes was needed: Who attended is listed under Attendance." in page


def test_a_not_accepted_comment_stands_in_the_approved_version(minutes, chair, parent):
    share(minutes, chair)
    worries = section(minutes, "worries")
    comment = services.comment_add(
        minutes=minutes, actor=parent.user, section=worries, text="I was never late collecting them", now=SHARED_AT
    )
    services.comment_respond(
        comment=comment,
        actor=chair.user,
        accepted=False,
        reason="The school's records show three late collections",
        now=SHARED_AT,
    )
    after = DEADLINE + timedelta(hours=1)
    version = services.minutes_approve(minutes=minutes, actor=chair.user, now=after)
    assert "Comments from the family that were not accepted" in version.content
    assert "The family said: I was never late collecting them" in version.content
    assert "The school's records show three late collections" in version.content

    assert version.sha256 == hashlib.sha256(version.content.encode()).hexdigest()
    with pytest.raises(TypeError, match="immutable"):
        version.save()
    with pytest.raises(MinutesError, match="already approved"):
        services.minutes_approve(minutes=minutes, actor=chair.user, now=after)
    assert Version.objects.count() == 1


def test_withdrawing_keeps_comments_and_sharing_again_never_shortens_the_window(minutes, chair, parent):
    share(minutes, chair)
    services.comment_add(minutes=minutes, actor=parent.user, text="Keep me", now=SHARED_AT)
    services.minutes_withdraw(minutes=minutes, actor=chair.user, reason="Typo in the plan", now=SHARED_AT)
    minutes.refresh_from_db()
    assert minutes.status == MinutesStatus.DRAFT
    services.section_save(section=section(minutes, "plan"), actor=chair.user, text="Fixed", version=1)
    services.minutes_share(minutes=minutes, actor=chair.user, now=SHARED_AT + timedelta(hours=1))
    minutes.refresh_from_db()
    assert minutes.comment_deadline == DEADLINE
    assert list(minutes.comments.values_list("text", flat=True)) == ["Keep me"]


def test_restricted_from_must_be_people_at_this_meeting(minutes, chair, administrator, family):
    other_family, other_parent = factories.family_with_parent()
    other = factories.schedule(administrator=administrator, chair=chair, family=other_family)
    stranger = factories.invite(other, administrator, other_parent)
    with pytest.raises(MinutesError, match="invited to this meeting"):
        services.section_set_restrictions(
            section=section(minutes, "worries"), actor=chair.user, third_party_source=None, restricted_from=[stranger]
        )


def test_a_separate_part_is_added_right_after_its_section(minutes, chair):
    worries = section(minutes, "worries")
    part = services.section_add_part(section=worries, actor=chair.user)
    keys = list(minutes.sections.values_list("key", flat=True))
    assert keys[keys.index("worries") + 1] == part.key == "worries_part"


def test_an_invited_minute_taker_writes_but_does_not_share(minutes, chair, held_meeting):

    typist = factories.PersonFactory(full_name="Mina Taker", user=factories.UserFactory())
    # Invited before the meeting was held (the service refuses new invitations afterwards).
    Invitation.objects.create(meeting=held_meeting, person=typist, role=InvitationRole.MINUTE_TAKER)
    purpose = section(minutes, "purpose")
    saved = services.section_save(section=purpose, actor=typist.user, text="Typed by the minute-taker", version=1)
    assert (saved.text, saved.updated_by) == ("Typed by the minute-taker", typist.user)
    with pytest.raises(PermissionDenied, match="Only the chair shares"):
        services.minutes_share(minutes=minutes, actor=typist.user, now=SHARED_AT)


def test_parts_of_parts_keep_short_keys_and_headings(minutes, chair):
    part = section(minutes, "worries")
    for _ in range(12):
        part = services.section_add_part(section=part, actor=chair.user)
    assert part.key == "worries_part"
    assert part.heading == "What are we worried about? Harm and complicating factors (separate part)"
