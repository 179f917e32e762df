"""gunicorn's settings for Confer (``gunicorn --config config/gunicorn.py config.wsgi``).

Sync workers: each request is short (PDFs are rendered by the background workers or once
per distribution), and a sync worker holds one database connection, which keeps the
count PostgreSQL sees predictable: web processes times WEB_CONCURRENCY. Everything here can
be overridden by the environment, as gunicorn's own GUNICORN_CMD_ARGS can.
"""

import multiprocessing
import os

bind = os.environ.get("BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", str(multiprocessing.cpu_count() * 2 + 1)))
worker_class = "sync"
# A distribution renders PDFs inside the request; allow it, but never hang for ever.
timeout = int(os.environ.get("WEB_TIMEOUT", "60"))
graceful_timeout = 30
# Recycle workers now and then so a slow leak in any library cannot grow for ever.
max_requests = 2000
max_requests_jitter = 200
# Confer writes its own request line (with the request id and the route, never the path
# or query string); gunicorn's access log would repeat paths, so it is off.
accesslog = None
errorlog = "-"
# The TLS proxy in front (and only it) may say which scheme the request came in on.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Load Django once, before forking, so workers start quickly and share memory.
preload_app = True
