import uuid

from django import forms

from config.forms import IdField, ModelChoiceField, ModelMultipleChoiceField
from core import limits
from core.forms import BoundedForm
from minutes.models import Feedback
from participants.models import ThirdPartySource


class SectionForm(BoundedForm):
    text = forms.CharField(
        label="Text",
        required=False,
        max_length=limits.SECTION,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="Plain text. Leave a blank line between paragraphs.",
    )
    version = IdField(widget=forms.HiddenInput)


class RestrictionForm(BoundedForm):
    third_party_source = ModelChoiceField(
        label="Information from a third party",
        queryset=None,
        required=False,
        empty_label="No: this is not a third party's information",
        help_text="Families see it only if that person has given consent.",
    )
    restricted_from = ModelMultipleChoiceField(
        label="Withhold this section from",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="For example someone asked to leave for this part of the meeting.",
    )
    # Who could read it when the page was opened (minutes.services.restrictions_seen).
    seen = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, minutes, **kwargs):
        super().__init__(*args, **kwargs)
        meeting = minutes.meeting
        self.fields["third_party_source"].queryset = ThirdPartySource.objects.filter(family=meeting.family)
        self.fields["restricted_from"].queryset = meeting.invitations.select_related("person").order_by("role", "id")
        self.fields["restricted_from"].label_from_instance = lambda inv: (
            f"{inv.person.full_name} ({inv.get_role_display().lower()})"
        )


class ApproveForm(BoundedForm):
    close_early_reason = forms.CharField(
        label="Reason for closing the time for comments early",
        required=False,
        max_length=limits.REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReasonForm(BoundedForm):
    reason = forms.CharField(
        label="Reason",
        max_length=limits.REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept in the record.",
    )


class CommentForm(BoundedForm):
    text = forms.CharField(label="Your comment", max_length=limits.COMMENT, widget=forms.Textarea(attrs={"rows": 4}))
    section = IdField(required=False, widget=forms.HiddenInput)
    # The page's one-time token (see ``comment_add``); a malformed one is simply ignored.
    submission = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_submission(self) -> uuid.UUID | None:
        try:
            return uuid.UUID(self.cleaned_data["submission"])
        except ValueError:
            return None


class ResponseForm(BoundedForm):
    accepted = forms.TypedChoiceField(
        label="Do you accept the comment?",
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        choices=[("yes", "Yes: amend the minutes"), ("no", "No: keep the family's view in the final record")],
    )
    amended_text = forms.CharField(
        max_length=limits.SECTION,
        label="The section with your amendment",
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="Only when you accept a comment on a section.",
    )
    reason = forms.CharField(
        max_length=limits.ANSWER,
        label="Your answer to the family",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            "Needed when you do not accept the comment, or accept it without changing the section "
            "(say why no change is needed). The family will read this; it stays in the final "
            "minutes beside their comment."
        ),
    )
    show_to_family = forms.BooleanField(
        label="Show this comment and your reason to the rest of the family in the final minutes",
        required=False,
        help_text=(
            "Its author, staff and professionals always see it. Leave unticked if it holds something "
            "another family member must not read."
        ),
    )
    section_version = IdField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if data.get("accepted") is False and not data.get("reason", "").strip():
            self.add_error("reason", "Give the reason the comment is not accepted.")
        return data


class DistributeForm(BoundedForm):
    late_reason = forms.CharField(
        label="Why the minutes are late",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed only after the distribution due date. It is kept and reported.",
    )


class DecisionLetterForm(BoundedForm):
    lead_social_worker = forms.CharField(label="Lead social worker", max_length=200)
    core_group_on = forms.DateField(
        label="First core group meeting (optional)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    late_reason = forms.CharField(
        label="Why the letter is late",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed only after its due date. It is kept and reported.",
    )


class SubjectAccessForm(BoundedForm):
    requester = ModelChoiceField(
        label="Who made the request?", queryset=None, empty_label="Choose the person", widget=forms.RadioSelect
    )

    def __init__(self, *args, requesters, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requester"].queryset = requesters


class TimelinessForm(BoundedForm):
    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    chair = ModelChoiceField(label="Chair", queryset=None, required=False, empty_label="Every chair")

    def __init__(self, *args, chairs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = chairs

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError("The 'from' date must be on or before the 'to' date.")
        return data


class FeedbackForm(BoundedForm):
    """A family member's compliment, comment or complaint; the parts of the minutes offered
    are those this reader can see (``feedback.sections_for``)."""

    kind = forms.ChoiceField(
        label="What would you like to send?",
        choices=Feedback.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a complaint, a comment or a compliment"},
    )
    about = forms.ChoiceField(
        label="What is it about?",
        choices=Feedback.About.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether it is about the meeting or the minutes"},
    )
    section = forms.TypedChoiceField(label="Which part of the minutes (optional)", coerce=int, required=False)
    text = forms.CharField(
        label="Tell us in your own words",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10000,
        error_messages={"required": "Tell us what you want to say"},
    )
    submission = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, sections: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        if sections:
            self.fields["section"].choices = [("", "The minutes as a whole"), *sections]
        else:
            del self.fields["section"]

    def clean_submission(self) -> uuid.UUID | None:
        try:
            return uuid.UUID(self.cleaned_data["submission"])
        except ValueError:
            return None


class FeedbackAnswerForm(BoundedForm):
    answer = forms.CharField(
        label="Your answer to the family",
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=20000,
        help_text="Sent to them by email and kept beside the record.",
        error_messages={"required": "Write the answer to send to the family"},
    )


class EscalateForm(BoundedForm):
    reason = forms.CharField(
        label="Why does the answer not settle your complaint?",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10000,
        error_messages={"required": "Tell us why the answer does not settle it"},
    )
