"""The minutes as one plain text: what a version stores and hashes (pure)."""

from __future__ import annotations

import hashlib

from minutes.redaction import ReaderCopy

NOT_ACCEPTED_HEADING = "Comments from the family that were not accepted"


def full_text(title: str, copy: ReaderCopy) -> str:
    """One reader's copy as plain text (the approved version stores the full record's)."""
    not_accepted = copy.not_accepted
    parts = [title, "=" * len(title), ""]
    for section in copy.sections:
        parts += [section.heading, "-" * len(section.heading)]
        parts += [f"[{section.notice}]" if section.withheld else (section.text or "(Nothing recorded.)"), ""]
    if not_accepted:
        parts += [NOT_ACCEPTED_HEADING, "-" * len(NOT_ACCEPTED_HEADING)]
        for item in not_accepted:
            parts += [
                f"On: {item.section_heading}",
                f"The family said: {item.comment}",
                f"The chair's reason for not accepting it: {item.reason}",
                "",
            ]
    return "\n".join(parts).rstrip() + "\n"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
