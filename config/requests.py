"""A request id on every request and every log line, and one log line per request.

The id comes from the proxy's ``X-Request-ID`` header when it is a plausible id (so the
load balancer's, gunicorn's and Confer's lines join up), otherwise a new one; it goes back
in the response header, so a person reporting a problem can quote it from the error page.

The request line carries the route *pattern* (``meetings/<id:pk>/``), never the path:
paths hold calendar-feed tokens and sign-in codes, and query strings hold search terms.
Nobody's name, address or account id is logged.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from contextvars import ContextVar

_request_id: ContextVar[str] = ContextVar("request_id", default="-")
_PLAUSIBLE = re.compile(r"[A-Za-z0-9._-]{8,64}")
logger = logging.getLogger("confer.request")


def current_request_id() -> str:
    return _request_id.get()


class RequestIdFilter(logging.Filter):
    """Stamps each log record with the current request's id ("-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        request_id = given if _PLAUSIBLE.fullmatch(given) else uuid.uuid4().hex
        request.request_id = request_id
        token = _request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            match = request.resolver_match
            route = match.route if match else "(no route)"
            elapsed = round((time.perf_counter() - started) * 1000, 1)
            logger.info(
                "%s %s %s %sms",
                request.method,
                route,
                response.status_code,
                elapsed,
                extra={
                    "method": request.method,
                    "route": route,
                    "status": response.status_code,
                    "duration_ms": elapsed,
                },
            )
            return response
        finally:
            _request_id.reset(token)
