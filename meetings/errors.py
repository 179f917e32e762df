class MeetingError(Exception):
    """A refusal whose message is safe and useful to show the person who asked."""
