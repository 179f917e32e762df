"""Template tags through which the minutes add to pages the meetings app renders."""

from django import template
from django.utils import timezone

from meetings.enums import MeetingStatus
from minutes import timeline
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
