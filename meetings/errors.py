from django.utils import timezone
from django.utils.formats import date_format


class MeetingError(Exception):
    """A refusal whose message is safe and useful to show the person who asked.

    ``field`` names the form field the refusal is about, when there is one, so a page can
    show the message beside it rather than at the top.
    """

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class StaleMeeting(MeetingError):
    """The meeting changed after the person opened the form: nothing of theirs is saved,
    and they are shown what it is now."""

    def __init__(self, meeting):
        when = timezone.localtime(meeting.starts_at)
        where = meeting.venue or "online"
        super().__init__(
            "Someone else changed this meeting while you were editing it. It is now on "
            f"{date_format(when, 'l j F Y')} at {date_format(when, 'H:i')}, {where}. "
            "Your changes are below and have not been saved: check them against this and send them again."
        )
        self.meeting = meeting


def add_to_form(form, exc: MeetingError) -> None:
    """Show a refusal on the form: beside its field when the form has that field."""
    form.add_error(exc.field if exc.field in form.fields else None, str(exc))
