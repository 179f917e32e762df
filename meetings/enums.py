from __future__ import annotations

from django.db import models


class MeetingKind(models.TextChoices):
    ICPC = "icpc", "Initial child protection conference"
    RCPC = "rcpc", "Review child protection conference"
    CIN = "cin", "Child in Need meeting"
    CLA = "cla", "Children Looked After review"

    @property
    def is_conference(self) -> bool:
        return self in (MeetingKind.ICPC, MeetingKind.RCPC)

    @property
    def everyday_name(self) -> str:
        """What a family calls it in a sentence: "the conference on 20 November"."""
        return {"icpc": "conference", "rcpc": "review conference", "cin": "Child in Need meeting", "cla": "review"}[
            self.value
        ]

    @property
    def reference_prefix(self) -> str:
        return {"icpc": "CP", "rcpc": "CP", "cin": "CIN", "cla": "CLA"}[self.value]

    @property
    def track(self) -> str:
        """Meetings of one track follow on from each other: an ICPC is followed by RCPCs."""
        return {"icpc": "cp", "rcpc": "cp", "cin": "cin", "cla": "cla"}[self.value]


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    MINUTED = "minuted", "Minuted"
    CANCELLED = "cancelled", "Cancelled"


class Party(models.TextChoices):
    """Which side of the table an invitation role sits on: the one classification that
    redaction, invitations, reports and permissions all read."""

    FAMILY = "family", "Family"  # the family members the meeting is about or for
    WITH_FAMILY = "with_family", "Comes with a family member"  # reads what that member reads
    PROFESSIONAL = "professional", "Professional"  # reads the full record


class InvitationRole(models.TextChoices):
    PARENT_CARER = "parent_carer", "Parent or carer"
    YOUNG_PERSON = "young_person", "Young person"
    PROFESSIONAL = "professional", "Professional"
    CHAIR = "chair", "Chair"
    MINUTE_TAKER = "minute_taker", "Minute-taker"
    ADVOCATE = "advocate", "Advocate"
    INTERPRETER = "interpreter", "Interpreter"

    @property
    def party(self) -> Party:
        return _PARTY[self]

    @property
    def is_family(self) -> bool:
        """A parent, carer or young person: comments in their own name, answers for the draft."""
        return self.party == Party.FAMILY

    @property
    def comes_with_family(self) -> bool:
        """An advocate or interpreter: invited with a family member, reads what they read."""
        return self.party == Party.WITH_FAMILY

    @property
    def reads_as_family(self) -> bool:
        """Gets the family's copy of everything: minutes redacted, only shared reports,
        unnamed in other people's calendar invitations."""
        return self.party in (Party.FAMILY, Party.WITH_FAMILY)

    @property
    def reads_full_record(self) -> bool:
        return self.party == Party.PROFESSIONAL

    @property
    def may_comment(self) -> bool:
        """Family members comment on the draft, and an advocate may on their behalf; an
        interpreter only interprets."""
        return self in (InvitationRole.PARENT_CARER, InvitationRole.YOUNG_PERSON, InvitationRole.ADVOCATE)

    @property
    def receives_minutes(self) -> bool:
        """Sent their own copy of the final minutes: family members, the advocates who come
        with them, professionals and the chair (an interpreter and a minute-taker are not)."""
        return self in (
            InvitationRole.PARENT_CARER,
            InvitationRole.YOUNG_PERSON,
            InvitationRole.ADVOCATE,
            InvitationRole.PROFESSIONAL,
            InvitationRole.CHAIR,
        )

    @property
    def receives_decision_letter(self) -> bool:
        """A conference's decision letter goes to the parents and carers."""
        return self == InvitationRole.PARENT_CARER

    @property
    def is_optional_attendee(self) -> bool:
        """iCalendar ROLE=OPT-PARTICIPANT: the meeting goes ahead without them."""
        return self in (InvitationRole.ADVOCATE, InvitationRole.INTERPRETER, InvitationRole.MINUTE_TAKER)

    @property
    def replies(self) -> bool:
        """Everyone but the chair, who runs the meeting, says whether they can come."""
        return self != InvitationRole.CHAIR

    @classmethod
    def family_readers(cls) -> list[InvitationRole]:
        return [role for role in cls if role.reads_as_family]

    @classmethod
    def commenters(cls) -> list[InvitationRole]:
        return [role for role in cls if role.may_comment]


_PARTY = {
    InvitationRole.PARENT_CARER: Party.FAMILY,
    InvitationRole.YOUNG_PERSON: Party.FAMILY,
    InvitationRole.ADVOCATE: Party.WITH_FAMILY,
    InvitationRole.INTERPRETER: Party.WITH_FAMILY,
    InvitationRole.PROFESSIONAL: Party.PROFESSIONAL,
    InvitationRole.MINUTE_TAKER: Party.PROFESSIONAL,
    InvitationRole.CHAIR: Party.PROFESSIONAL,
}


class Rsvp(models.TextChoices):
    """The invitee's answer; the values map onto iCalendar PARTSTAT."""

    PENDING = "pending", "Not answered yet"
    ACCEPTED = "accepted", "Attending"
    DECLINED = "declined", "Not attending"
    TENTATIVE = "tentative", "Maybe"


class Attendance(models.TextChoices):
    UNKNOWN = "unknown", "Not recorded"
    ATTENDED = "attended", "Attended"
    APOLOGIES = "apologies", "Sent apologies"
    DID_NOT_ATTEND = "did_not_attend", "Did not attend"


class Category(models.TextChoices):
    NEGLECT = "neglect", "Neglect"
    PHYSICAL = "physical", "Physical abuse"
    EMOTIONAL = "emotional", "Emotional abuse"
    SEXUAL = "sexual", "Sexual abuse"


class ReviewOutcome(models.TextChoices):
    """The outcome of a CLA review or CIN meeting for one child."""

    CONTINUE = "continue", "Plan continues unchanged"
    CHANGE = "change", "Plan changed"
    END = "end", "Plan ends (no further reviews)"
