from django.db.models import Prefetch

from meetings.selectors import meetings_for_user
from minutes.models import Comment, Minutes, Section


def meeting_minutes(request, pk: int):
    """The meeting (visible to the user, else an audited 404) and its minutes, if started."""
    from audit.access import get_visible_or_404

    meeting = get_visible_or_404(request, meetings_for_user(request.user).select_related("chair", "family"), pk=pk)
    minutes = Minutes.objects.filter(meeting=meeting).first()
    if minutes is not None:
        minutes.meeting = meeting
    return meeting, minutes


def sections_with_restrictions(minutes: Minutes):
    return list(
        minutes.sections.select_related("third_party_source").prefetch_related(
            Prefetch("restricted_from", queryset=minutes.meeting.invitations.select_related("person"))
        )
    )


def comments_with_responses(minutes: Minutes, *, author=None):
    comments = (
        Comment.objects.filter(minutes=minutes)
        .select_related("section", "author__person", "response")
        .order_by("created_at", "id")
    )
    return list(comments.filter(author=author) if author is not None else comments)


def section_of(minutes: Minutes, section_pk: int) -> Section | None:
    return minutes.sections.filter(pk=section_pk).first()
