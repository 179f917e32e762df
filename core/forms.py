"""The boundary every form of Confer's stands on.

``BoundedForm`` is the base of every form: whatever a form forgets, it has limits. Text
fields without a length get one (a text box ``limits.NOTE``, a line ``limits.LINE``), and
the page says it before anything is sent; date fields accept only ``limits.EARLIEST`` to
``limits.LATEST``; whole numbers only what a database column holds; and NUL bytes or
other control characters are refused, with a message naming the field. Every error
names its field, so a person who made three mistakes reads three different messages.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator
from django.utils.formats import date_format

from core import limits

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
INTEGER_MAX = 2**31 - 1


def _name(field: forms.Field, name: str) -> str:
    label = str(field.label or name.replace("_", " ")).rstrip("?:. ")
    return label[:1].lower() + label[1:] if label[:2] != label[:2].upper() else label


class BoundedForm(forms.Form):
    """A form whose every field has limits and whose every message names its field."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            _bound(name, field)


def _bound(name: str, field: forms.Field) -> None:
    what = _name(field, name)
    if field.error_messages.get("required") == forms.Field.default_error_messages["required"]:
        verb = "Choose" if isinstance(field, forms.ChoiceField | forms.ModelChoiceField) else "Enter"
        field.error_messages["required"] = f"{verb} {what}"
    if isinstance(field, forms.CharField):
        textarea = isinstance(field.widget, forms.Textarea)
        if field.max_length is None:
            field.max_length = limits.NOTE if textarea else limits.LINE
            field.widget.attrs.update(field.widget_attrs(field.widget))
        field.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]
        field.validators.append(_MaxLength(field.max_length, what))
        field.error_messages["null_characters_not_allowed"] = _NoControlCharacters.message(what)
        if textarea:
            # Counted as the person types (GOV.UK's character count) rather than cut off.
            field.widget.attrs.pop("maxlength", None)
            field.widget.attrs["data-maxlength"] = str(field.max_length)
        field.validators.append(_NoControlCharacters(what))
    elif isinstance(field, forms.DateTimeField | forms.DateField):
        field.validators.append(_InRange(what))
    elif isinstance(field, forms.IntegerField) and field.max_value is None:
        field.max_value = INTEGER_MAX
        field.validators.append(MaxValueValidator(INTEGER_MAX, f"Enter a smaller number for {what}"))


class _MaxLength:
    def __init__(self, limit: int, what: str) -> None:
        self.limit, self.what = limit, what[:1].upper() + what[1:]

    def __call__(self, value: str) -> None:
        if isinstance(value, str) and (message := limits.too_long(value, self.limit, self.what)):
            raise ValidationError(message, code="max_length")


class _NoControlCharacters:
    def __init__(self, what: str) -> None:
        self.what = what

    @staticmethod
    def message(what: str) -> str:
        return f"Remove the hidden control characters from {what} (they can come from pasting)"

    def __call__(self, value: str) -> None:
        # A NUL is refused by Django's own check first, with this same message.
        if isinstance(value, str) and "\x00" not in value and _CONTROL.search(value):
            raise ValidationError(self.message(self.what), code="control_characters")


class _InRange:
    def __init__(self, what: str) -> None:
        self.what = what

    def __call__(self, value: date | datetime) -> None:
        day = value.date() if isinstance(value, datetime) else value
        if not limits.EARLIEST <= day <= limits.LATEST:
            raise ValidationError(
                f"Enter {self.what} between {date_format(limits.EARLIEST, 'j F Y')} and "
                f"{date_format(limits.LATEST, 'j F Y')}",
                code="date_range",
            )
