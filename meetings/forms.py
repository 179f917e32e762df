from django import forms


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="Kept in the audit log.")


class RescheduleForm(ReasonForm):
    starts_at = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    venue = forms.CharField(required=False)
    online_link = forms.URLField(required=False)


class OutcomeForm(forms.Form):
    """Each child's outcome: a plan decision and category for a conference, a review
    outcome otherwise. Field names carry the child's id, never the name."""

    def __init__(self, *args, meeting, **kwargs):
        from meetings.enums import Category, ReviewOutcome

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
                    label="Category", choices=[("", "None (no plan)"), *Category.choices], required=False
                )
            else:
                self.fields[f"review_{child.pk}"] = forms.ChoiceField(
                    label=f"Outcome for {child.person.full_name}", choices=ReviewOutcome.choices
                )

    def outcomes(self):
        from meetings.services import OutcomeRecord

        data = self.cleaned_data
        return {
            child.pk: OutcomeRecord(
                plan_needed=data.get(f"plan_{child.pk}"),
                category=data.get(f"category_{child.pk}", ""),
                review_outcome=data.get(f"review_{child.pk}", ""),
            )
            for child in self.children
        }
