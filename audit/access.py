"""Object lookups for views: what the user may not see is a 404, and the attempt is logged.

A parent who edits a URL to reach another family's meeting gets the same 404 as for a
meeting that does not exist, so the response says nothing; the audit log records the
attempt, so a manager can see it.
"""

from typing import Any, NoReturn

from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest

from audit.services import audit_record


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def get_visible_or_404(request: HttpRequest, queryset: QuerySet, **lookup: Any) -> Model:
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        not_found(request, queryset.model, **lookup)


def not_found(request: HttpRequest, model: type[Model], **lookup: Any) -> NoReturn:
    """Audit a look-up of a ``model`` the user may not see (or that does not exist), and
    answer 404."""
    audit_record(
        actor=request.user,
        code="access.not_found",
        detail={
            "model": model._meta.label_lower,
            "lookup": {key: str(value) for key, value in lookup.items()},
            "path": request.path,
        },
        ip_address=client_ip(request),
    )
    raise Http404("No such page")


def audit_view(request: HttpRequest, obj: Model, code: str, **detail: Any) -> None:
    """Record that the signed-in user took ``obj`` away (a download): the record is on
    disk before the file is sent."""
    audit_record(actor=request.user, code=code, obj=obj, detail=detail, ip_address=client_ip(request))


def audit_page_view(request: HttpRequest, obj: Model, code: str, **detail: Any) -> None:
    """Record that the signed-in user opened a page showing ``obj`` (a meeting, minutes).

    The record is written before the page is, but its commit does not wait for the disk
    (``audit.services._append``): these pages are opened far more than anything else, and
    that wait was the part of their cost that grew whenever the disk was busy. Changes,
    refusals and downloads always wait."""
    audit_record(
        actor=request.user, code=code, obj=obj, detail=detail, ip_address=client_ip(request), wait_for_disk=False
    )
