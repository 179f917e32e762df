class MeetingError(Exception):
    """A refusal whose message is safe and useful to show the person who asked.

    ``field`` names the form field the refusal is about, when there is one, so a page can
    show the message beside it rather than at the top.
    """

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


def add_to_form(form, exc: MeetingError) -> None:
    """Show a refusal on the form: beside its field when the form has that field."""
    form.add_error(exc.field if exc.field in form.fields else None, str(exc))
