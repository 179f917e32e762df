"""gunicorn's settings for Confer (``gunicorn --config config/gunicorn.py config.wsgi``).

Sync workers: each request is short (PDFs are rendered by the background workers or once
per distribution), and a sync worker holds one database connection, which keeps the
count PostgreSQL sees predictable: web processes times WEB_CONCURRENCY. Everything here can
be overridden by the environment, as gunicorn's own GUNICORN_CMD_ARGS can.
"""

import multiprocessing
import os
from pathlib import Path

bind = os.environ.get("BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", str(multiprocessing.cpu_count() * 2 + 1)))
worker_class = "sync"
# A distribution renders PDFs inside the request; allow it, but never hang for ever.
timeout = int(os.environ.get("WEB_TIMEOUT", "60"))
graceful_timeout = 30
# Recycle workers now and then so a slow leak in any library cannot grow for ever. Not
# too often: under load, 2,000 had every worker restarting every twenty seconds, and the
# workers, getting equal shares, restarted together. A wide jitter spreads them out.
max_requests = 10000
max_requests_jitter = 3000
# Confer writes its own request line (with the request id and the route, never the path
# or query string); gunicorn's access log would repeat paths, so it is off.
accesslog = None
errorlog = "-"
# The TLS proxy in front (and only it) may say which scheme the request came in on.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Load Django once, before forking, so workers start quickly and share memory.
preload_app = True


def when_ready(server) -> None:
    """In the master, after the app is loaded and before any worker is forked: compile
    every template and the URL patterns once, so each worker (and each one that replaces
    a recycled worker) starts with them instead of paying for them on its first requests.
    No database connection is opened here (a connection must not cross a fork)."""
    from django.db import connections  # noqa: PLC0415 - Django is set up by the app load
    from django.template import engines  # noqa: PLC0415
    from django.template.exceptions import TemplateSyntaxError  # noqa: PLC0415
    from django.urls import get_resolver  # noqa: PLC0415

    get_resolver()._populate()
    compiled = 0
    for engine in engines.all():
        for folder in getattr(engine, "template_dirs", ()):
            root = Path(folder)
            for path in root.rglob("*"):
                if path.suffix in {".html", ".txt", ".ics", ".xml"} and path.is_file():
                    try:
                        engine.get_template(path.relative_to(root).as_posix())
                        compiled += 1
                    except TemplateSyntaxError:
                        pass  # a library's template for a tag library not installed here
    connections.close_all()
    server.log.info("Compiled %d templates before starting the workers.", compiled)
