"""Template tags through which the minutes add to pages the meetings app renders."""

from django import template
from django.utils import timezone

from meetings.enums import MeetingStatus
from minutes import copies, feedback, timeline
from minutes.models import Minutes

register = template.Library()


@register.inclusion_tag("minutes/_timeline.html")
def meeting_timeline(meeting):
    """The meeting's timeline (one query for its minutes once it has been held; a scheduled
    meeting has none); nothing for a cancelled meeting."""
    if meeting.status == MeetingStatus.CANCELLED:
        return {"steps": []}
    held = meeting.status in (MeetingStatus.HELD, MeetingStatus.MINUTED)
    minutes = Minutes.objects.filter(meeting=meeting).first() if held else None
    return {"steps": timeline.timeline(meeting, minutes, timezone.now())}


@register.inclusion_tag("minutes/_family_feedback.html")
def family_feedback(meeting, invitation):
    """For a family member or their advocate (``invitation``: theirs, which the page has
    already read), once the meeting is held: what their household has sent, with its
    answers, and where to send more. Nothing for anyone else: managers read feedback from
    their own list. Two queries (the household, its feedback)."""
    if not feedback.may_send(meeting, invitation):
        return {"show": False}
    reader = copies.reader_of(invitation)
    return {"show": True, "meeting": meeting, "items": list(feedback.for_household(meeting, reader))}
