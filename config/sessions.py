"""Sessions that end after a period without requests, without a write on every request.

Django's way to an idle timeout is to save the session on every request, which is a write
to the session store for every page, image-less as they are. Here the session is saved
when it changes, and otherwise its expiry is pushed on at most once a minute: the idle
timeout (``SESSION_IDLE_MINUTES``) then holds to within that minute, and a person reading
a long page of minutes costs one write a minute at most.
"""

from __future__ import annotations

import time

from django.contrib.sessions.middleware import SessionMiddleware

REFRESH_SECONDS = 60


class IdleSessionMiddleware(SessionMiddleware):
    def process_response(self, request, response):
        session = getattr(request, "session", None)
        if session is not None and not session.modified and session.accessed and not session.is_empty():
            now = int(time.time())
            if now - session.get("_refreshed_at", 0) >= REFRESH_SECONDS:
                session["_refreshed_at"] = now  # a change: saved, and its expiry pushed on
        return super().process_response(request, response)
