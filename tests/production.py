"""Confer as docs/deploy.md runs it: the Procfile's processes, DEBUG off, its own database
(PostgreSQL when the suite runs on it, else a SQLite file), Redis for cache, sessions
and the scheduler's lock, and a real SMTP server to read what was sent."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import redis
from django.db import connection

from tests.smtp import Inbox, free_port, start_server

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
REDIS = "redis://127.0.0.1:6379"


def procfile() -> dict[str, str]:
    """The process types and their commands, as a Procfile runner (honcho, Heroku) reads them."""
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line and not line.startswith("#"))


def redis_available() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


class Stack:
    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.smtp_port = free_port()
        self.smtp, self.inbox = start_server(self.smtp_port, Inbox())
        self.processes: dict[str, subprocess.Popen] = {}
        self.logs: dict[str, Path] = {}
        if connection.vendor == "postgresql":
            db = connection.settings_dict
            self.database_url = (
                f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/confer_stack_{os.getpid()}"
            )
        else:
            self.database_url = f"sqlite:///{tmp}/confer.sqlite3"
        # A Redis database of its own, so a session store or scheduler lock never meets another run's.
        self.redis_url = f"{REDIS}/{8 + os.getpid() % 8}" if redis_available() else ""
        if self.redis_url:
            redis.Redis.from_url(self.redis_url).flushdb()
        self.env = {
            k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
        }
        self.env.update(
            PATH=f"{VENV_BIN}:{os.environ['PATH']}",
            DEBUG="0",
            SECRET_KEY="stack-test-" + "k" * 50,
            ALLOWED_HOSTS="127.0.0.1,localhost",
            SECURE_SSL_REDIRECT="0",
            SECURE_HSTS_SECONDS="0",
            DATABASE_URL=self.database_url,
            DATABASE_CONN_MAX_AGE="60",
            REDIS_URL=self.redis_url,
            TASK_BACKEND="database",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(self.smtp_port),
            MEDIA_ROOT=str(tmp / "media"),
            CONFER_BASE_URL=self.url,
            PORT=str(self.port),
            WEB_CONCURRENCY="2",
        )

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def run(self, command: str) -> None:
        result = subprocess.run(
            ["bash", "-c", command], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, f"{command}\n{result.stdout}{result.stderr}"

    def start(self) -> Stack:
        if self.database_url.startswith("postgres"):
            subprocess.run([sys.executable, "scripts/ensure_database.py", self.database_url], cwd=ROOT, check=True)
        commands = procfile()
        self.run(commands["release"])
        self.manage("seed_demo", "--if-empty")
        for name in ("web", "worker", "scheduler"):
            self.logs[name] = self.tmp / f"{name}.log"
            with self.logs[name].open("w") as log:
                self.processes[name] = subprocess.Popen(
                    ["bash", "-c", f"exec {commands[name]}"],
                    cwd=ROOT,
                    env=self.env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
        self.wait_for_health()
        return self

    def wait_for_health(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=5) as response:
                    # Healthy once one worker answers; ready once every worker has booted
                    # (gunicorn forks them one after another).
                    if response.status == 200 and self.log("web").count("Booting worker") >= self.workers:
                        return
            except OSError:  # not listening yet, or still starting (URLError and timeouts are OSErrors)
                pass
            time.sleep(0.3)
        raise AssertionError("Confer did not become healthy:\n" + self.log("web"))

    @property
    def workers(self) -> int:
        return int(self.env["WEB_CONCURRENCY"])

    def log(self, name: str) -> str:
        return self.logs[name].read_text() if name in self.logs else ""

    def last_code_for(self, email: str, after: int = 0, seconds: float = 30) -> str:
        """The sign-in code in the newest email to ``email`` (sent by the worker over SMTP)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for message in reversed(self.inbox.messages()[after:]):
                if message["To"] == email and (found := re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", _text(message))):
                    return found.group(1)
            time.sleep(0.2)
        raise AssertionError(f"No sign-in code reached {email}; worker log:\n{self.log('worker')}")

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, 15)
        for process in self.processes.values():
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)
        self.smtp.stop()
        if self.database_url.startswith("postgres"):
            self.admin_sql(f'DROP DATABASE IF EXISTS "{self.database_name}" WITH (FORCE)')

    def drop_database_connections(self) -> None:
        """What a PostgreSQL restart or failover does to Confer: every connection is cut."""
        name = self.database_name  # our own generated name, never input
        self.admin_sql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")  # noqa: S608

    @property
    def database_name(self) -> str:
        return self.database_url.rpartition("/")[2]

    def admin_sql(self, sql: str) -> str:
        """Run SQL on the PostgreSQL server as its administrator would (psql, own connection)."""
        server = self.database_url.rpartition("/")[0]
        result = subprocess.run(["psql", "-At", "-c", sql, f"{server}/postgres"], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        return result.stdout


def _text(message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode()
    return ""
