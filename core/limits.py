"""How much Confer accepts from a person, in one place: forms show these limits before
anything is sent, and services enforce them again, so a request that skips the form (a
script, a replayed post) meets the same rule and the same message.

Why these numbers: a family's comment on one part of the minutes, or the chair's answer,
is a few paragraphs; 5,000 characters is about two pages of A4. A section of the minutes
may be long (the chair may paste a report's summary), but 50,000 characters is some
twenty pages, past which the record needs splitting, not a longer box. Reasons are for
the record, not essays. One-line answers are capped by their column, or at 300.
"""

from __future__ import annotations

from datetime import date

COMMENT = 5_000  # a family member's comment; a professional's suggestion
ANSWER = 5_000  # the chair's answer to a comment, feedback or a suggestion
SECTION = 50_000  # one section of the minutes, or its amended text
REASON = 2_000  # reasons kept in the record: lateness, cancellation, withdrawal ...
NOTE = 2_000  # other free text: notes for participants, an invitee's note
LINE = 300  # any one-line answer without a column of its own

# Dates a person may enter: anything outside is a typing slip, and past 9999 Python's own
# date arithmetic fails. A child's date of birth may be long past; meetings are not.
EARLIEST = date(1900, 1, 1)
LATEST = date(2099, 12, 31)


def too_long(text: str, limit: int, what: str) -> str | None:
    """The message for text over ``limit`` characters, or None when it fits."""
    if len(text) <= limit:
        return None
    return f"{what} must be {limit:,} characters or fewer; it is {len(text):,}. Shorten it and send it again."


def enforce(text: str, limit: int, what: str, error: type[Exception]) -> str:
    """``text`` stripped, or ``error`` with the message when it is over ``limit``: for the
    services, which raise their own domain errors."""
    text = (text or "").strip()
    if message := too_long(text, limit, what):
        raise error(message)
    return text
