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


class InvitationRole(models.TextChoices):
    PARENT_CARER = "parent_carer", "Parent or carer"
    YOUNG_PERSON = "young_person", "Young person"
    PROFESSIONAL = "professional", "Professional"
    CHAIR = "chair", "Chair"
    MINUTE_TAKER = "minute_taker", "Minute-taker"
    ADVOCATE = "advocate", "Advocate"
    INTERPRETER = "interpreter", "Interpreter"

    @property
    def is_family(self) -> bool:
        return self in (InvitationRole.PARENT_CARER, InvitationRole.YOUNG_PERSON)


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
