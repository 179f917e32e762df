"""Forms for meetings. They collect input; the services decide (and refuse with a message)."""

import uuid

from django import forms
from django.utils import timezone
from django.utils.formats import date_format

from config.forms import IdField, ModelChoiceField, ModelMultipleChoiceField
from core import limits
from core.forms import BoundedForm
from meetings.enums import Attendance, Category, InvitationRole, MeetingKind, ReviewOutcome, Rsvp
from meetings.models import Meeting
from meetings.services import OutcomeRecord
from meetings.timescales import ends_after
from participants.enums import AgencyKind
from participants.models import Agency, Person

DURATIONS = [(60, "1 hour"), (90, "1 hour 30 minutes"), (120, "2 hours"), (150, "2 hours 30 minutes"), (180, "3 hours")]


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class ReasonForm(BoundedForm):
    reason = forms.CharField(
        max_length=limits.REASON, widget=forms.Textarea(attrs={"rows": 3}), help_text="Kept in the audit log."
    )


class WhenWhereForm(BoundedForm):
    starts_at = forms.DateTimeField(
        label="Date and start time", widget=DateTimeLocalInput(), help_text="For example 14/01/2027 10:00"
    )
    duration = forms.TypedChoiceField(label="How long", choices=DURATIONS, coerce=int, initial=120)
    venue = forms.CharField(
        label="Venue",
        required=False,
        max_length=Meeting._meta.get_field("venue").max_length,
        help_text="Leave empty for an online-only meeting.",
    )
    online_link = forms.URLField(
        label="Online meeting link", required=False, max_length=Meeting._meta.get_field("online_link").max_length
    )

    def clean(self):
        data = super().clean()
        answered = "venue" in self.errors or "online_link" in self.errors
        if not answered and not data.get("venue") and not data.get("online_link"):
            raise forms.ValidationError("Enter a venue or an online meeting link.")
        return data

    @property
    def ends_at(self):
        return ends_after(self.cleaned_data["starts_at"], self.cleaned_data["duration"])


class RescheduleForm(WhenWhereForm):
    reason = forms.CharField(
        label="Why is it moving?",
        error_messages={"required": "Enter why the meeting is moving"},
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Everyone invited is sent the new time; the reason is kept in the record, not sent.",
    )
    late_reason = forms.CharField(
        label="Reason it cannot be held by its due date",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed only when the new date is after the due date.",
    )
    # The calendar sequence the form was filled in against (see meeting_reschedule).
    version = IdField(widget=forms.HiddenInput)

    @classmethod
    def for_meeting(cls, meeting, data=None):
        start = timezone.localtime(meeting.starts_at)
        minutes = int((meeting.ends_at - meeting.starts_at).total_seconds() // 60)
        initial = {
            "starts_at": start,
            "duration": minutes,
            "venue": meeting.venue,
            "online_link": meeting.online_link,
            "late_reason": meeting.late_reason,
            "version": meeting.sequence,
        }
        form = cls(data, initial=initial)
        if minutes not in dict(DURATIONS):
            form.fields["duration"].choices = [*DURATIONS, (minutes, f"{minutes} minutes")]
        if meeting.due_on:
            due = date_format(meeting.due_on, "l j F Y")
            form.fields["late_reason"].help_text = f"This meeting is due by {due}. Needed only for a later date."
        else:
            del form.fields["late_reason"]
        return form


class CancelForm(BoundedForm):
    reason = forms.CharField(
        label="Why is it cancelled?",
        error_messages={"required": "Enter why the meeting is cancelled"},
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Everyone invited is told it is cancelled; the reason is kept in the record, not sent.",
    )


class RsvpForm(BoundedForm):
    rsvp = forms.ChoiceField(
        label="Can you come?",
        choices=[(Rsvp.ACCEPTED, "Yes, I can come"), (Rsvp.DECLINED, "No, I cannot come"), (Rsvp.TENTATIVE, "Maybe")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether you can come"},
    )
    note = forms.CharField(
        label="Anything you want us to know (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example your apologies, or help you need to take part.",
    )


class ScheduleForm(WhenWhereForm):
    kind = forms.ChoiceField(label="Kind of meeting", choices=MeetingKind.choices, widget=forms.RadioSelect)
    children = ModelMultipleChoiceField(
        label="Which children is it about?", queryset=None, widget=forms.CheckboxSelectMultiple
    )
    chair = ModelChoiceField(label="Chair", queryset=None, empty_label="Choose a chair")
    strategy_discussion_on = forms.DateField(
        label="Date of the strategy discussion",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Initial conferences only: they are due 15 working days after it.",
    )
    notes_for_participants = forms.CharField(
        label="Notes for participants (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown on the meeting page. Do not write about the family here.",
    )
    late_reason = forms.CharField(
        label="Reason it cannot be held by its due date",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed only when the date is after the due date.",
    )
    confirm_clash = forms.BooleanField(
        label="The chair has another meeting at that time: schedule anyway", required=False
    )
    field_order = [
        "kind",
        "children",
        "chair",
        "strategy_discussion_on",
        "starts_at",
        "duration",
        "venue",
        "online_link",
        "notes_for_participants",
        "late_reason",
        "confirm_clash",
    ]

    # A one-time token per form shown: posting the same form twice schedules one meeting.
    submission = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, family, chairs, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["submission"] = uuid.uuid4()
        self.fields["children"].queryset = family.children.select_related("person")
        self.fields["children"].label_from_instance = lambda c: f"{c.person.full_name} ({c.identifier})"
        self.fields["chair"].queryset = chairs


class AttendanceForm(BoundedForm):
    """One invitee's attendance, prefixed by the invitation id."""

    attendance = forms.ChoiceField(
        choices=[(a, label) for a, label in Attendance.choices if a != Attendance.UNKNOWN], widget=forms.RadioSelect
    )
    excluded_from_part = forms.BooleanField(label="Was asked to leave for part of the meeting", required=False)
    exclusion_reason = forms.CharField(
        label="Why", required=False, max_length=limits.REASON, widget=forms.Textarea(attrs={"rows": 2})
    )


class OutcomeForm(BoundedForm):
    """Each child's outcome: a plan decision and category for a conference, a review
    outcome otherwise. Field names carry the child's id, never the name."""

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        self.children = list(meeting.children.select_related("person"))
        for child in self.children:
            if meeting.kind_enum.is_conference:
                self.fields[f"plan_{child.pk}"] = forms.TypedChoiceField(
                    label=f"Does {child.person.full_name} need a child protection plan?",
                    choices=[("yes", "Yes"), ("no", "No")],
                    coerce=lambda v: v == "yes",
                    widget=forms.RadioSelect,
                )
                self.fields[f"category_{child.pk}"] = forms.ChoiceField(
                    label=f"Category of the plan for {child.person.full_name}",
                    choices=[("", "None (no plan)"), *Category.choices],
                    required=False,
                )
            else:
                self.fields[f"review_{child.pk}"] = forms.ChoiceField(
                    label=f"Outcome for {child.person.full_name}",
                    choices=ReviewOutcome.choices,
                    widget=forms.RadioSelect,
                )

    def outcomes(self):

        data = self.cleaned_data
        return {
            child.pk: OutcomeRecord(
                plan_needed=data.get(f"plan_{child.pk}"),
                category=data.get(f"category_{child.pk}", ""),
                review_outcome=data.get(f"review_{child.pk}", ""),
            )
            for child in self.children
        }


class InviteFamilyForm(BoundedForm):
    """Household members and young people of the meeting's family who are not invited yet."""

    adults = ModelMultipleChoiceField(
        label="Parents and carers", queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    young_people = ModelMultipleChoiceField(
        label="Young people",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Invite a young person only when it suits their age and understanding.",
    )
    young_people_checked = forms.BooleanField(
        label="I have checked that inviting each young person I ticked suits their age and understanding",
        required=False,
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        invited = meeting.invitations.values("person_id")
        self.fields["adults"].queryset = Person.objects.filter(family_memberships__family=meeting.family).exclude(
            pk__in=invited
        )
        self.fields["young_people"].queryset = Person.objects.filter(child__in=meeting.children.all()).exclude(
            pk__in=invited
        )

    def clean(self):
        data = super().clean()
        if data.get("young_people") and not data.get("young_people_checked"):
            self.add_error("young_people_checked", "Confirm that inviting the young person suits their age.")
        if not data.get("adults") and not data.get("young_people"):
            raise forms.ValidationError("Choose at least one person to invite.")
        return data


class InviteOtherForm(BoundedForm):
    """A professional, advocate, interpreter or minute-taker: someone known, or someone new."""

    role = forms.ChoiceField(
        label="Taking part as",
        choices=[
            (r, r.label)
            for r in (
                InvitationRole.PROFESSIONAL,
                InvitationRole.ADVOCATE,
                InvitationRole.INTERPRETER,
                InvitationRole.MINUTE_TAKER,
            )
        ],
        widget=forms.RadioSelect,
    )
    existing = ModelChoiceField(
        label="Someone Confer already knows",
        queryset=None,
        required=False,
        empty_label="Choose a person",
    )
    full_name = forms.CharField(label="Or someone new: full name", required=False, max_length=200)
    email = forms.EmailField(label="Their email address", required=False)
    agency = ModelChoiceField(label="Their agency", queryset=Agency.objects.all(), required=False)
    new_agency = forms.CharField(label="Or a new agency", required=False, max_length=200)
    new_agency_kind = forms.ChoiceField(label="Kind of agency", choices=AgencyKind.choices, required=False)
    interpreting_language = forms.CharField(label="Language (interpreters)", required=False, max_length=60)
    accompanies = ModelChoiceField(
        label="Who they come with (advocates and interpreters)",
        queryset=None,
        required=False,
        empty_label="Choose a family member",
        help_text="They read what that family member reads, and no more.",
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        family_roles = [role for role in InvitationRole if role.is_family]
        self.fields["accompanies"].queryset = meeting.invitations.filter(role__in=family_roles).select_related("person")
        self.fields["accompanies"].label_from_instance = lambda inv: (
            f"{inv.person.full_name} ({inv.get_role_display().lower()})"
        )
        family_people = Person.objects.filter(family_memberships__isnull=False)
        self.fields["existing"].queryset = (
            Person.objects.exclude(pk__in=meeting.invitations.values("person_id"))
            .exclude(pk__in=family_people)
            .exclude(child__isnull=False)
            .select_related("agency")
            .order_by("full_name")
        )
        self.fields["existing"].label_from_instance = lambda p: (
            f"{p.full_name}{', ' + p.agency.name if p.agency else ''}"
        )

    def clean(self):
        data = super().clean()
        if not data.get("existing") and not data.get("full_name"):
            raise forms.ValidationError("Choose someone Confer knows, or enter the new person's name.")
        if data.get("existing") and data.get("full_name"):
            raise forms.ValidationError("Choose someone Confer knows or enter a new person, not both.")
        if data.get("full_name") and not data.get("email"):
            self.add_error("email", "Enter their email address, so they can be sent the invitation.")
        if data.get("new_agency") and not data.get("new_agency_kind"):
            self.add_error("new_agency_kind", "Choose the kind of agency.")
        role = InvitationRole(data["role"]) if data.get("role") else None
        needs_companion = role is not None and role.comes_with_family and not data.get("accompanies")
        if needs_companion and self.fields["accompanies"].queryset.exists():
            self.add_error("accompanies", "Choose the family member they come with.")
        if role is not None and not role.comes_with_family and data.get("accompanies"):
            self.add_error("accompanies", "Only an advocate or an interpreter comes with a family member.")
        return data


class ReportForm(BoundedForm):
    text = forms.CharField(
        label="Your report",
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="Plain text. Or upload it as a PDF below, or both.",
    )
    file = forms.FileField(
        label="Upload the report as a PDF (optional)",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )
    share_with_family = forms.BooleanField(
        label="The family may read this report",
        required=False,
        help_text=("Leave unticked if it holds information the family must not see; the chair decides what they hear."),
    )
