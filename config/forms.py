"""GOV.UK Design System markup for every Django form (labels, hints, errors).

The renderer points Django at our field and form templates; ``GovukBoundField`` gives each
widget the GOV.UK class for its type, the error modifier, and ``aria-describedby`` naming
its hint and error message, so screen readers announce them with the field.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BoundField
from django.forms.renderers import TemplatesSetting

WIDGET_CLASSES = {
    "textarea": "govuk-textarea",
    "select": "govuk-select",
    "clearablefile": "govuk-file-upload",
    "file": "govuk-file-upload",
    "checkbox": "govuk-checkboxes__input",
}
ERROR_CLASSES = {
    "govuk-input": "govuk-input--error",
    "govuk-textarea": "govuk-textarea--error",
    "govuk-select": "govuk-select--error",
    "govuk-file-upload": "govuk-file-upload--error",
}


class GovukBoundField(BoundField):
    @property
    def hint_id(self) -> str:
        return f"{self.auto_id}-hint"

    @property
    def error_id(self) -> str:
        return f"{self.auto_id}-error"

    @property
    def govuk_widget(self) -> str:
        css = WIDGET_CLASSES.get(self.widget_type, "govuk-input")
        classes = [css]
        if self.errors and css in ERROR_CLASSES:
            classes.append(ERROR_CLASSES[css])
        described = [i for i, present in ((self.hint_id, self.help_text), (self.error_id, self.errors)) if present]
        if self.widget_type == "textarea" and getattr(self.field, "max_length", None):
            classes.append("govuk-js-character-count")  # see the character count in field.html
            described.append(f"{self.auto_id}-info")
        attrs = {"class": " ".join(classes)}
        if described:
            attrs["aria-describedby"] = " ".join(described)
        return self.as_widget(attrs=attrs)


class GovukFormRenderer(TemplatesSetting):
    form_template_name = "govuk/forms/form.html"
    field_template_name = "govuk/forms/field.html"
    bound_field_class = GovukBoundField


# --- Ids from the browser -----------------------------------------------------------------
# A database id is a positive 64-bit integer. Django's model choice fields and IntegerField
# pass any integer on to the database, where one past 2**63 is an error (an overflow on
# SQLite, "out of range" on PostgreSQL) and the person would see a server error. These
# check the range first and answer like any other invalid choice.
ID_MAX = 2**63 - 1


def _plausible_id(value) -> bool:
    text = str(value).strip()
    return text.isascii() and text.isdigit() and 0 < int(text) <= ID_MAX


class ModelChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values and not _plausible_id(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for pk in value if isinstance(value, list | tuple) else [value]:
            if not _plausible_id(pk):
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": pk}
                )
        return super()._check_values(value)


class IdField(forms.IntegerField):
    """A hidden id or version number: a whole number a database can hold."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(**kwargs)
