from django import forms

from core.forms import BoundedForm


class AuditSearchForm(BoundedForm):
    person = forms.CharField(required=False, label="Person", help_text="Part of a name or email address of who acted")
    child = forms.CharField(required=False, label="Child reference", help_text="For example CH000123")
    date_from = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError("The 'from' date must be on or before the 'to' date.")
        return data
