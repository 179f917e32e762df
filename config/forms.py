"""GOV.UK Design System markup for every Django form (labels, hints, errors).

The renderer points Django at our field and form templates; ``GovukBoundField`` gives each
widget the GOV.UK class for its type, the error modifier, and ``aria-describedby`` naming
its hint and error message, so screen readers announce them with the field.
"""

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
        attrs = {"class": " ".join(classes)}
        if described:
            attrs["aria-describedby"] = " ".join(described)
        return self.as_widget(attrs=attrs)


class GovukFormRenderer(TemplatesSetting):
    form_template_name = "govuk/forms/form.html"
    field_template_name = "govuk/forms/field.html"
    bound_field_class = GovukBoundField
