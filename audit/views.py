from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from audit.selectors import search_events
from participants.rules import is_manager


@login_required
def search(request):
    """Managers search who saw and changed what. Searching is itself not audited: it reads
    the log, not a family's record."""
    if not is_manager(request.user):
        raise PermissionDenied("Only managers can search the audit log.")
    from audit.forms import AuditSearchForm

    form = AuditSearchForm(request.GET or None)
    events = None
    if form.is_bound and form.is_valid():
        events = Paginator(search_events(**form.cleaned_data), 50).get_page(request.GET.get("page"))
    return render(request, "audit/search.html", {"form": form, "events": events, "query": request.GET.urlencode()})
