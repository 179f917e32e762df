class MinutesError(Exception):
    """A refusal whose message is safe and useful to show the person who asked.

    ``field`` names the form field the refusal is about, when there is one.
    """

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class StaleSection(MinutesError):
    """Someone else saved the section first. Carries both texts so nothing is lost."""

    def __init__(self, message: str, *, yours: str, theirs: str, current_version: int):
        super().__init__(message)
        self.yours, self.theirs, self.current_version = yours, theirs, current_version
