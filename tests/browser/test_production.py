"""docs/deploy.md, followed: the Procfile's release step, then web (gunicorn serving static
files with whitenoise), a db_worker and the scheduler, DEBUG off, against its own
database and Redis; the demo journey in a real browser through gunicorn; the database
dropping every connection under load; a pg_dump backup restored and checked."""

from __future__ import annotations

import re
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections import Counter

import pytest
from playwright.sync_api import expect

from tests.production import ROOT, Stack

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "confer-demo-password"


@pytest.fixture(scope="session")
def stack(tmp_path_factory, django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        running = Stack(tmp_path_factory.mktemp("stack")).start()
    yield running
    with django_db_blocker.unblock():
        running.stop()


def test_the_processes_run_as_production_runs_them(stack):
    assert all(process.poll() is None for process in stack.processes.values()), stack.log("web")
    with urllib.request.urlopen(stack.url + "/static/govuk/confer.css", timeout=5) as css:
        # whitenoise serves the collected, fingerprinted files with a long cache lifetime.
        assert css.status == 200
    page = urllib.request.urlopen(stack.url + "/", timeout=5).read().decode()
    stylesheet = re.search(r'href="(/static/govuk/confer\.[0-9a-f]{12}\.css)"', page).group(1)
    with urllib.request.urlopen(stack.url + stylesheet, timeout=5) as css:
        assert "max-age=315360000" in css.headers["Cache-Control"]
    deadline = time.monotonic() + 30
    while "Starting scheduler" not in stack.log("scheduler"):
        assert time.monotonic() < deadline, stack.log("scheduler")
        time.sleep(0.2)
    if stack.redis_url:
        assert "Acquiring lock" in stack.log("scheduler")
    # One JSON line per request, with its id and route.
    assert re.search(r'\{"time": .*"request_id": "[0-9a-f]{32}".*"route": "healthz"', stack.log("web"))


def test_the_demo_journey_through_gunicorn(stack, new_page):
    """A parent signs in with an emailed code (sent by the worker over SMTP), comments on
    the draft; the chair signs in with password and authenticator code and answers it."""
    parent = new_page()
    parent.goto(stack.url + "/")
    parent.get_by_role("button", name="Sign in").click()
    parent.get_by_role("link", name="Send me a sign-in code").click()
    before = len(stack.inbox.envelopes)
    parent.get_by_label("Email").fill("parent2@demo.confer.test")
    parent.get_by_role("button", name=re.compile("code", re.I)).click()
    parent.get_by_label(re.compile("code", re.I)).fill(stack.last_code_for("parent2@demo.confer.test", before))
    parent.get_by_role("button", name="Confirm").click()
    expect(parent.get_by_role("heading", name="Your meetings")).to_be_visible()
    expect(parent.get_by_text(re.compile("Draft minutes of the conference on .* are ready"))).to_be_visible()
    parent.get_by_role("button", name="Read the draft minutes").click()
    expect(parent.get_by_text("Send your comments by")).to_be_visible()
    assert "neighbour reported shouting" not in parent.content()  # withheld from the family
    block = parent.locator("[id^=section-]").first
    block.get_by_text("Comment on this part").click()
    block.get_by_label("Your comment").fill("My son was at his grandmother's that week.")
    block.get_by_role("button", name="Send comment").click()
    expect(parent.get_by_text("Your comment has been sent to the chair.")).to_be_visible()

    chair = new_page()
    chair.goto(stack.url + "/accounts/login/")
    chair.get_by_label("Email").fill("chair@demo.confer.test")
    chair.get_by_label("Password").fill(DEMO_PASSWORD)
    chair.get_by_role("button", name="Sign in", exact=True).click()
    chair.get_by_label("Code from your authenticator app").fill(
        stack.manage("demo_code", "chair@demo.confer.test").strip().split()[-1]
    )
    chair.get_by_role("button", name="Sign in", exact=True).click()
    expect(chair.get_by_role("heading", name="Meetings you chair")).to_be_visible()
    row = chair.get_by_role("row").filter(has_text="Answer the family's comments (1 waiting)")
    row.get_by_role("link").first.click()
    chair.goto(chair.url + "minutes/")
    chair.get_by_role("link", name=re.compile("^Answer the comment from")).first.click()
    chair.get_by_label("No: keep the family's view in the final record").check()
    chair.get_by_label("Your answer to the family").fill("The school's register shows him present.")
    chair.get_by_role("button", name="Save the answer").click()
    expect(chair.get_by_text("Your answer is saved")).to_be_visible()


@pytest.mark.postgresql
def test_requests_fail_cleanly_while_the_database_drops_connections_and_recover_without_a_restart(stack):
    """Every connection to Confer's database is terminated, ten times, while 8 clients
    keep asking for the health check and for a page that reads the database (a calendar
    feed with a wrong token: a 404 when all is well). Every answer is the page or a clean
    503, never a broken response; afterwards the same gunicorn processes answer normally."""
    pages = {"/healthz": 200, "/meetings/calendar/not-a-real-token.ics": 404}
    seen: Counter = Counter()
    stop = threading.Event()

    def client(path: str) -> None:
        while not stop.is_set():
            try:
                with urllib.request.urlopen(stack.url + path, timeout=10) as response:
                    seen[path, response.status] += 1
            except urllib.error.HTTPError as error:
                seen[path, error.code] += 1
            except (urllib.error.URLError, ConnectionError) as error:
                seen[path, f"broken: {error}"] += 1

    clients = [threading.Thread(target=client, args=(path,)) for path in pages for _ in range(4)]
    web_pids = _gunicorn_pids(stack)
    for thread in clients:
        thread.start()
    try:
        for _ in range(10):
            time.sleep(0.3)
            stack.drop_database_connections()
    finally:
        stop.set()
        for thread in clients:
            thread.join(15)
    assert set(seen) <= {(path, status) for path, ok in pages.items() for status in (ok, 503)}, seen
    assert all(seen[path, ok] > 0 for path, ok in pages.items()), seen
    assert seen["/healthz", 503] + seen["/meetings/calendar/not-a-real-token.ics", 503] > 0, seen

    for path, ok in pages.items():
        for _ in range(10):
            try:
                status = urllib.request.urlopen(stack.url + path, timeout=10).status
            except urllib.error.HTTPError as error:
                status = error.code
            assert status == ok
    assert _gunicorn_pids(stack) == web_pids  # recovered without restarting anything


def _gunicorn_pids(stack) -> set[int]:
    found = subprocess.run(["pgrep", "-g", str(stack.processes["web"].pid)], capture_output=True, text=True)
    return {int(pid) for pid in found.stdout.split()}


@pytest.mark.postgresql
def test_a_pg_dump_backup_restores_into_a_working_database(stack, tmp_path):
    """The backup and restore commands of docs/deploy.md, run as written there."""
    source = stack.database_url
    server, _, _ = source.rpartition("/")
    restored = f"{server}/confer_restore_check"
    dump = tmp_path / "confer.dump"
    subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", source], check=True)
    stack.admin_sql("DROP DATABASE IF EXISTS confer_restore_check WITH (FORCE)")
    stack.admin_sql("CREATE DATABASE confer_restore_check")
    try:
        subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={restored}", str(dump)], check=True)
        check = subprocess.run(
            ["bash", "-c", "python manage.py migrate --check && python manage.py demo_logins"],
            cwd=ROOT,
            env=dict(stack.env, DATABASE_URL=restored),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert check.returncode == 0, check.stdout + check.stderr
        assert "parent2@demo.confer.test" in check.stdout
        counts = "SELECT (SELECT count(*) FROM meetings_meeting), (SELECT count(*) FROM audit_auditevent)"
        assert _psql(source, counts) == _psql(restored, counts)
    finally:
        stack.admin_sql("DROP DATABASE IF EXISTS confer_restore_check WITH (FORCE)")


def _psql(url: str, sql: str) -> str:
    return subprocess.run(["psql", "-At", "-c", sql, url], check=True, capture_output=True, text=True).stdout
