from meetings.selectors import meetings_for_user
from minutes.models import Minutes


def meeting_minutes(request, pk: int):
    """The meeting (visible to the user, else an audited 404) and its minutes, if started."""
    from audit.access import get_visible_or_404

    meeting = get_visible_or_404(request, meetings_for_user(request.user).select_related("chair", "family"), pk=pk)
    minutes = Minutes.objects.filter(meeting=meeting).first()
    if minutes is not None:
        minutes.meeting = meeting
    return meeting, minutes
