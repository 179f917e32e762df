"""Every change to minutes goes through one function here.

Each service locks the minutes row and re-reads the rows it changes under that lock (never
acting on the copy the caller loaded earlier), checks permission (``minutes.rules``),
checks state and time, changes, writes the audit row in the same transaction, and queues
email after commit. The modules hold one concern each; this package names them all, so
callers write ``services.minutes_share(...)``.
"""

from minutes.services.approval import full_document, minutes_approve
from minutes.services.comments import (
    comment_add,
    comment_edit,
    comment_respond,
    comment_withdraw,
    no_comments,
)
from minutes.services.common import family_invitations, has_commented
from minutes.services.distribution import distribution_due, distribution_summary, minutes_distribute
from minutes.services.letters import decision_letter_due, decision_letter_send
from minutes.services.sharing import comment_deadline_from, minutes_share, minutes_withdraw, window_reopen
from minutes.services.subject_access import requesters_for, subject_access_export
from minutes.services.writing import (
    minutes_start,
    restrictions_seen,
    section_add_part,
    section_save,
    section_set_restrictions,
)

__all__ = [
    "comment_add",
    "comment_deadline_from",
    "comment_edit",
    "comment_respond",
    "comment_withdraw",
    "decision_letter_due",
    "decision_letter_send",
    "distribution_due",
    "distribution_summary",
    "family_invitations",
    "full_document",
    "has_commented",
    "minutes_approve",
    "minutes_distribute",
    "minutes_share",
    "minutes_start",
    "minutes_withdraw",
    "no_comments",
    "requesters_for",
    "restrictions_seen",
    "section_add_part",
    "section_save",
    "section_set_restrictions",
    "subject_access_export",
    "window_reopen",
]
