"""The sections of each kind of meeting's minutes, in order.

Conferences follow the Signs of Safety layout most areas use. Each section has a heading
for professionals and a plain-language heading for a young person reading their own
minutes. ``prefill`` names what Confer fills in from the meeting (see minutes.services).
"""

from __future__ import annotations

from dataclasses import dataclass

from meetings.enums import MeetingKind


@dataclass(frozen=True)
class SectionTemplate:
    key: str
    heading: str
    plain_heading: str
    prefill: str = ""  # "attendance", "reports", "decision", "next_meeting"


ATTENDANCE = SectionTemplate("attendance", "Attendance and apologies", "Who came", "attendance")
REPORTS = SectionTemplate("reports", "Reports received", "Reports people sent", "reports")

CONFERENCE = [
    ATTENDANCE,
    REPORTS,
    SectionTemplate("purpose", "Purpose of the conference", "Why we met"),
    SectionTemplate(
        "worries", "What are we worried about? Harm and complicating factors", "What people are worried about"
    ),
    SectionTemplate("working_well", "What's working well", "What is going well"),
    SectionTemplate("parents_views", "The parents' views", "What your parents or carers said"),
    SectionTemplate("child_views", "The child's views", "What you told us"),
    SectionTemplate(
        "analysis",
        "Analysis for each child: what could happen if nothing changes (danger statements), what needs to "
        "change (safety goals), and how safe things are now on a scale of 0 to 10",
        "What it all means",
    ),
    SectionTemplate(
        "decision", "Decision and reasons, and anyone who disagreed with it", "What was decided", "decision"
    ),
    SectionTemplate("core_group", "Lead social worker and core group", "Who will help"),
    SectionTemplate("plan", "Outline plan: action, who, by when", "What will happen next"),
    SectionTemplate("contingency", "Contingency plan", "What happens if things go wrong"),
    SectionTemplate("review_date", "Date of the review conference", "When we will meet again", "next_meeting"),
]

LOOKED_AFTER = [
    ATTENDANCE,
    REPORTS,
    SectionTemplate("care_plan", "Care plan", "The plan for your care"),
    SectionTemplate("placement", "Placement", "Where you live"),
    SectionTemplate("health", "Health", "Your health"),
    SectionTemplate("education", "Education", "School and learning"),
    SectionTemplate("contact", "Family time and contact", "Seeing your family"),
    SectionTemplate("young_person_views", "The young person's views", "What you told us"),
    SectionTemplate("decision", "Review outcome", "What was decided", "decision"),
    SectionTemplate("actions", "Actions: who, by when", "What will happen next"),
    SectionTemplate("next_review", "Date of the next review", "When we will meet again", "next_meeting"),
]

CHILD_IN_NEED = [
    ATTENDANCE,
    REPORTS,
    SectionTemplate("plan_progress", "Progress of the Child in Need plan", "How the plan is going"),
    SectionTemplate("working_well", "What's working well", "What is going well"),
    SectionTemplate("worries", "What are we worried about?", "What people are worried about"),
    SectionTemplate("child_views", "The child's views", "What you told us"),
    SectionTemplate("parents_views", "The parents' views", "What your parents or carers said"),
    SectionTemplate("decision", "Outcome", "What was decided", "decision"),
    SectionTemplate("actions", "Actions: who, by when", "What will happen next"),
    SectionTemplate("next_meeting", "Date of the next meeting", "When we will meet again", "next_meeting"),
]

SECTIONS: dict[str, list[SectionTemplate]] = {
    MeetingKind.ICPC: CONFERENCE,
    MeetingKind.RCPC: CONFERENCE,
    MeetingKind.CLA: LOOKED_AFTER,
    MeetingKind.CIN: CHILD_IN_NEED,
}


def sections_for(kind: str) -> list[SectionTemplate]:
    return SECTIONS[MeetingKind(kind)]
