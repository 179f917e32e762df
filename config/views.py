"""Pages that belong to the service rather than to any family's record."""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader


def privacy(request):
    """How Confer handles people's information. It reads nothing from the database beyond
    the signed-in user the middleware already loaded, so it is also the floor the load
    benchmark compares every other page against."""
    return render(request, "privacy.html")


def server_error(request):
    """Django's last resort. A database that is restarting or unreachable is a 503 with a
    plain "try again" (the request's transaction rolled back, so nothing was half-saved);
    anything else is a 500. Both pages render without the database and show the request
    id, so a person can quote it and the logs can be searched for it."""
    error = sys.exc_info()[1]
    unavailable = isinstance(error, OperationalError | InterfaceError)
    template = loader.get_template("503.html" if unavailable else "500.html")
    context = {"request_id": getattr(request, "request_id", "")}
    response = template.render(context)  # no request context: its processors may need the database
    result = HttpResponse(response, status=503 if unavailable else 500)
    if unavailable:
        result["Retry-After"] = "30"
    return result


def bad_request(request, exception):
    """A request Confer will not read (a body past the upload limit, text that is not
    UTF-8, a malformed form): the service's own page, saying nothing was saved, with the
    request id. Rendered without the database, like the 500 page."""
    context = {"request_id": getattr(request, "request_id", "")}
    return HttpResponse(loader.get_template("400.html").render(context), status=400)
