"""Calendar invitations by email: what each participant is sent, and when.

Privacy rules, because these messages leave Confer for people's inboxes and calendars:

* the subject, body and iCalendar name the meeting kind and reference only, never a
  child or a family member; details sit behind login at the meeting's URL;
* family members (parents, carers, young people) and the people who come with them
  (advocates, interpreters) appear only in their own invitation, never in anyone else's:
  an invitation must not give one household member another's email address;
* the chair, minute-taker and professionals appear in everyone's invitation, so people
  know who will be there.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from audit.services import audit_record
from config import fragments
from meetings.calendar import Attendee, CalendarEvent, invitation_ics
from meetings.enums import InvitationRole, MeetingStatus, Rsvp
from meetings.errors import MeetingError
from meetings.guards import lock_for_invitations, require_action
from meetings.models import Invitation, Meeting
from notifications import mailbox
from notifications.links import absolute_url
from notifications.services import outbox_enqueue
from participants.models import Agency, Person
from participants.services import account_for_invitee, agency_get_or_create, person_create

PARTSTAT = {
    Rsvp.PENDING: "NEEDS-ACTION",
    Rsvp.ACCEPTED: "ACCEPTED",
    Rsvp.DECLINED: "DECLINED",
    Rsvp.TENTATIVE: "TENTATIVE",
}


def meeting_url(meeting: Meeting) -> str:
    return absolute_url(reverse("meetings:detail", args=[meeting.pk]))


def _attendee(invitation: Invitation, *, named: bool) -> Attendee:
    role = invitation.role_enum
    return Attendee(
        email=invitation.person.email,
        role="OPT-PARTICIPANT" if role.is_optional_attendee else "REQ-PARTICIPANT",
        partstat=PARTSTAT[Rsvp(invitation.rsvp)],
        # Ask calendars for a reply only when someone reads the mailbox replies go to.
        rsvp=role.replies and mailbox.configured(),
        cn=invitation.person.full_name if named else None,
    )


def attendees_for(recipient: Invitation, invitations: list[Invitation]) -> tuple[Attendee, ...]:
    """Everyone reading the full record is listed, by name; a family member, or someone
    who comes with one, appears only in their own invitation, unnamed."""
    listed = [_attendee(inv, named=True) for inv in invitations if inv.role_enum.reads_full_record and inv.person.email]
    if recipient.role_enum.reads_as_family:
        listed.append(_attendee(recipient, named=False))
    return tuple(listed)


def _when(meeting: Meeting) -> str:
    start, end = timezone.localtime(meeting.starts_at), timezone.localtime(meeting.ends_at)
    return f"{date_format(start, 'l j F Y')}, {date_format(start, 'g:i a')} to {date_format(end, 'g:i a')}"


def _title(meeting: Meeting) -> str:
    return f"{meeting.get_kind_display()} {meeting.reference}"


def meeting_event(
    meeting: Meeting, *, description: str, now: datetime, attendees: tuple[Attendee, ...] = ()
) -> CalendarEvent:
    """The meeting as a calendar event: the same UID, sequence, times and organiser in every
    invitation and feed; the summary names the kind and reference, never a child."""
    return CalendarEvent(
        uid=f"{meeting.calendar_uid}@confer",
        sequence=meeting.sequence,
        start=timezone.localtime(meeting.starts_at),
        end=timezone.localtime(meeting.ends_at),
        summary=_title(meeting),
        description=description,
        url=meeting_url(meeting),
        location=meeting.venue,
        organizer_email=settings.CONFER_CALENDAR_ORGANIZER,
        organizer_name=settings.CONFER_CALENDAR_ORGANIZER_NAME,
        cancelled=meeting.status == MeetingStatus.CANCELLED,
        attendees=attendees,
        stamp=now,
    )


def calendar_event(meeting: Meeting, recipient: Invitation, invitations: list[Invitation], *, now: datetime):
    where = meeting.venue or "Online (the link is on the meeting page)"
    description = (
        f"{_title(meeting)}\n{_when(meeting)}\n{where}\n\n"
        f"The meeting page, with who is invited, reports and later the minutes, is at {meeting_url(meeting)} "
        "(you need to sign in). Please reply there to say whether you can come."
    )
    return meeting_event(meeting, description=description, now=now, attendees=attendees_for(recipient, invitations))


def _body(meeting: Meeting, kind: str, email: str = "") -> str:
    what = f"the {meeting.get_kind_display().lower()} {meeting.reference}"
    opening = {
        "invitation": f"You are invited to {what}.",
        "update": f"The details of {what} have changed. The new details are below.",
        "cancel": f"{what[0].upper()}{what[1:]} has been cancelled.",
        "removed": f"You are no longer invited to {what}.",
    }[kind]
    details = "" if kind in ("cancel", "removed") else f"\nWhen: {_when(meeting)}\nWhere: {meeting.venue or 'Online'}\n"
    if kind in ("cancel", "removed"):
        return f"Hello,\n\n{opening}\n\nThe calendar entry attached takes it out of your calendar.\n"
    # Everyone invited has a login by now (invitations_send makes one), so this works the
    # first time, for a parent who has never used Confer as for anyone else.
    return (
        f"Hello,\n\n{opening}\n{details}\n"
        f"See the details and tell us if you can come at {meeting_url(meeting)}\n\n"
        f"To sign in, go to {absolute_url(reverse('account_request_login_code'))} and enter this "
        f"email address{f' ({email})' if email else ''}. We will email you a code to type in; "
        "you do not need a password.\n\n"
        "The calendar entry attached keeps your calendar up to date.\n"
    )


SUBJECT = {"invitation": "Invitation", "update": "Updated", "cancel": "Cancelled", "removed": "Cancelled"}


def _queue(meeting: Meeting, invitation: Invitation, invitations: list[Invitation], kind: str, now: datetime):
    event = calendar_event(meeting, invitation, invitations, now=now)
    if kind == "removed":
        event = CalendarEvent(
            **{**event.__dict__, "cancelled": True, "attendees": (_attendee(invitation, named=False),)}
        )
    method = "CANCEL" if event.cancelled else "REQUEST"
    outbox_enqueue(
        key=f"meeting:{meeting.pk}:invitation:{invitation.pk}:{method}:{meeting.sequence}",
        to_email=invitation.person.email,
        recipient=invitation.person,
        subject=f"{SUBJECT[kind]}: {_title(meeting)}",
        body=_body(meeting, kind, invitation.person.email),
        calendar=invitation_ics(event),
        calendar_method=method,
        sequence=meeting.sequence,
        obj=meeting,
        now=now,
    )


def _all(meeting: Meeting) -> list[Invitation]:
    return list(meeting.invitations.select_related("person").order_by("role", "id"))


@transaction.atomic
def invitations_send(*, meeting: Meeting, actor, now: datetime | None = None) -> int:
    """Email everyone not yet sent the current version of the meeting. Sending twice (a
    double click) sends nothing new. Returns how many were queued."""
    now = now or timezone.now()
    meeting = lock_for_invitations(meeting.pk, actor=actor, action="send_invitations")
    invitations = _all(meeting)
    due = [inv for inv in invitations if inv.person.email and inv.sent_sequence != meeting.sequence]
    for invitation in due:
        account_for_invitee(person=invitation.person, now=now)
        _queue(meeting, invitation, invitations, "invitation" if invitation.sent_sequence is None else "update", now)
        invitation.sent_sequence, invitation.invited_at = meeting.sequence, now
    Invitation.objects.bulk_update(due, ["sent_sequence", "invited_at"])
    fragments.moved_on("meetings")  # a bulk update saves no model
    without_email = [inv.pk for inv in invitations if not inv.person.email]
    audit_record(
        actor=actor,
        code="invitations.sent",
        obj=meeting,
        now=now,
        detail={"sent": [inv.pk for inv in due], "no_email": without_email, "sequence": meeting.sequence},
    )
    return len(due)


def invitations_update_after_change(meeting: Meeting, *, now: datetime) -> int:
    """After a reschedule or cancellation (inside its transaction): tell everyone who was
    already invited, with the new sequence."""
    invitations = _all(meeting)
    sent = [inv for inv in invitations if inv.has_been_sent and inv.person.email]
    kind = "cancel" if meeting.status == MeetingStatus.CANCELLED else "update"
    for invitation in sent:
        _queue(meeting, invitation, invitations, kind, now)
        invitation.sent_sequence = meeting.sequence
    Invitation.objects.bulk_update(sent, ["sent_sequence"])
    fragments.moved_on("meetings")
    return len(sent)


@transaction.atomic
def invitation_remove(*, invitation: Invitation, actor, now: datetime | None = None) -> None:
    """Take someone off a meeting. If invitations had gone out, the sequence rises: the
    person removed is sent a CANCEL at the new sequence, and everyone else who was sent
    the meeting an update, so no calendar keeps a stale attendee list."""
    now = now or timezone.now()
    meeting = lock_for_invitations(invitation.meeting_id, actor=actor)
    # Re-read under the meeting's lock: a second click, or someone else, may have removed it.
    invitation = meeting.invitations.select_related("person").filter(pk=invitation.pk).first()
    if invitation is None:
        raise MeetingError("That person has already been removed from this meeting.")
    if invitation.role == InvitationRole.CHAIR:
        raise MeetingError("The chair cannot be removed; choose another chair instead.")
    was_sent = invitation.has_been_sent
    if was_sent:
        meeting.bump_sequence()
        meeting.save(update_fields=["sequence"])
        if invitation.person.email:
            _queue(meeting, invitation, [], "removed", now)
    audit_record(
        actor=actor,
        code="invitation.removed",
        obj=meeting,
        now=now,
        detail={
            "invitation": invitation.pk,
            "person": invitation.person_id,
            "role": invitation.role,
            "sequence": meeting.sequence,
        },
    )
    invitation.delete()
    if was_sent:
        invitations_update_after_change(meeting, now=now)


@transaction.atomic
def invitation_respond(
    *, invitation: Invitation, actor, rsvp: Rsvp | str, note: str = "", now: datetime | None = None
) -> Invitation:
    """The invitee answers on the meeting page: attending, not attending or maybe, with an
    optional note or apologies. Later invitations carry the answer as PARTSTAT."""
    now = now or timezone.now()
    invitation = Invitation.objects.select_for_update().select_related("meeting", "person").get(pk=invitation.pk)
    if actor is None or invitation.person.user_id != actor.pk:
        raise PermissionDenied("Only the person invited can answer this invitation.")
    if not invitation.role_enum.replies:
        raise PermissionDenied("The chair runs the meeting, so does not reply to its invitation.")
    require_action(actor, "reply", invitation.meeting)
    return _record_answer(invitation, Rsvp(rsvp), note=note.strip(), source="web", actor=actor, now=now)


@transaction.atomic
def invitation_respond_from_calendar(*, invitation: Invitation, rsvp: Rsvp | str, now: datetime) -> Invitation:
    """The invitee pressed Accept, Decline or Tentative in their own calendar, whose reply
    reached the service mailbox (``meetings.replies`` has checked who sent it). Recorded
    as the same answer the page records, with its source; the note they may have written
    on the page is kept."""
    invitation = Invitation.objects.select_for_update().select_related("meeting", "person").get(pk=invitation.pk)
    if invitation.meeting.status != MeetingStatus.SCHEDULED:
        raise MeetingError("This meeting is no longer waiting for answers.")
    return _record_answer(invitation, Rsvp(rsvp), note=invitation.rsvp_note, source="calendar", actor=None, now=now)


def _record_answer(invitation: Invitation, rsvp: Rsvp, *, note: str, source: str, actor, now: datetime) -> Invitation:
    if not invitation.role_enum.replies:
        raise PermissionDenied("The chair runs the meeting, so does not reply to its invitation.")
    if rsvp == Rsvp.PENDING:
        raise MeetingError("Choose whether you can come.")
    invitation.rsvp, invitation.rsvp_note, invitation.rsvp_at, invitation.rsvp_source = rsvp, note, now, source
    invitation.save(update_fields=["rsvp", "rsvp_note", "rsvp_at", "rsvp_source"])
    audit_record(
        actor=actor,
        system_label="calendar reply",
        code="invitation.answered",
        obj=invitation.meeting,
        now=now,
        detail={
            "invitation": invitation.pk,
            "rsvp": rsvp.value,
            "source": "calendar reply" if source == "calendar" else "web",
        },
    )
    return invitation


@transaction.atomic
def invitation_add(
    *,
    meeting: Meeting,
    actor,
    person: Person,
    role: InvitationRole | str,
    agency: Agency | None = None,
    interpreting_language: str = "",
    accompanies: Invitation | None = None,
    now: datetime | None = None,
) -> Invitation:
    """Invite someone. An advocate or interpreter names the family member they come with
    (``accompanies``) and reads what that member reads."""
    now = now or timezone.now()
    meeting = lock_for_invitations(meeting.pk, actor=actor)
    role = InvitationRole(role)
    if role == InvitationRole.CHAIR:
        raise MeetingError("The chair is invited when the meeting is scheduled.")
    if role == InvitationRole.INTERPRETER and not interpreting_language.strip():
        raise MeetingError("Enter the language the interpreter will interpret.")
    if meeting.invitations.filter(person=person).exists():
        raise MeetingError(f"{person} is already invited to this meeting.")
    if accompanies is not None:
        accompanies = meeting.invitations.filter(pk=accompanies.pk).first()
        if not role.comes_with_family:
            raise MeetingError("Only an advocate or an interpreter comes with a family member.")
        if accompanies is None or not accompanies.role_enum.is_family:
            raise MeetingError("Choose a parent, carer or young person invited to this meeting.")
    if Invitation.history.filter(meeting_id=meeting.pk, person_id=person.pk, history_type="-").exists():
        # Invited again after being removed: they were sent a CANCEL at the current
        # sequence, so the new REQUEST (and everyone's update) must carry a higher one.
        meeting.bump_sequence()
        meeting.save(update_fields=["sequence"])
    invitation = Invitation.objects.create(
        meeting=meeting,
        person=person,
        role=role,
        agency=agency or (person.agency if role == InvitationRole.PROFESSIONAL else None),
        interpreting_language=interpreting_language.strip(),
        accompanies=accompanies,
    )
    audit_record(
        actor=actor,
        code="invitation.added",
        obj=meeting,
        now=now,
        detail={
            "invitation": invitation.pk,
            "person": person.pk,
            "role": role.value,
            "accompanies": accompanies.pk if accompanies else None,
            "sequence": meeting.sequence,
        },
    )
    return invitation


@transaction.atomic
def invitations_add_family(
    *, meeting: Meeting, actor, adults: Iterable[Person], young_people: Iterable[Person], now: datetime | None = None
) -> list[Invitation]:
    """Invite household members as parents or carers and children as young people, all or
    none (one refusal invites nobody)."""
    added = [
        invitation_add(meeting=meeting, actor=actor, person=person, role=InvitationRole.PARENT_CARER, now=now)
        for person in adults
    ]
    added += [
        invitation_add(meeting=meeting, actor=actor, person=person, role=InvitationRole.YOUNG_PERSON, now=now)
        for person in young_people
    ]
    return added


@transaction.atomic
def invitation_add_other(
    *,
    meeting: Meeting,
    actor,
    role: InvitationRole | str,
    person: Person | None = None,
    full_name: str = "",
    email: str = "",
    agency: Agency | None = None,
    new_agency: str = "",
    new_agency_kind: str = "",
    interpreting_language: str = "",
    accompanies: Invitation | None = None,
    now: datetime | None = None,
) -> Invitation:
    """Invite a professional, advocate, interpreter or minute-taker: someone Confer knows
    (``person``), or someone new, recorded first; with a new agency, recorded first too.

    Someone new whose email address is already invited to this meeting is refused rather
    than recorded twice (the same form posted twice, or the same person typed in again);
    the meeting is locked first, so two such posts at once take turns."""
    lock_for_invitations(meeting.pk, actor=actor)
    if person is None and email.strip():
        already = meeting.invitations.filter(person__email__iexact=email.strip()).select_related("person").first()
        if already is not None:
            raise MeetingError(f"{already.person.full_name} ({email.strip()}) is already invited to this meeting.")
    if new_agency.strip():
        agency = agency_get_or_create(actor=actor, name=new_agency, kind=new_agency_kind, now=now)
    if person is None:
        person = person_create(actor=actor, full_name=full_name, email=email, agency=agency, now=now)
    return invitation_add(
        meeting=meeting,
        actor=actor,
        person=person,
        role=role,
        agency=agency or person.agency,
        interpreting_language=interpreting_language,
        accompanies=accompanies,
        now=now,
    )
