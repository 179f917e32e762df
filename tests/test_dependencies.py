"""The locks: what the suite runs on is exactly what they pin, they agree with their inputs,
the vulnerability check fails on a known vulnerable pin, and the set-up refuses a Python
older than the one the locks were made for.

The vulnerability check is pip-audit asking the advisory database over HTTPS. Where that
database can be reached, one test asks it about a Django release with published advisories.
The machines this project is built on reach a package mirror without advisory data, so the
other tests answer pip-audit themselves: a proxy on loopback, trusted through a certificate
authority made for the test, serves the database's JSON for the versions asked about (the
advisory below is the real one, as published). pip-audit, its HTTP client and our reading of
its report all run as they do for real.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import trustme
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


def _load_locks():
    spec = importlib.util.spec_from_file_location("locks", ROOT / "scripts" / "locks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


locks = _load_locks()

# Django 4.2 as the advisory database publishes it (CVE-2023-31047, fixed in 4.2.1).
DJANGO_42_HASH = "ad33ed68db9398f5dfb33282704925bce044bef4261cd4fb59e4e7f9ae505a78"
DJANGO_42_ADVISORY = {
    "aliases": ["CVE-2023-31047", "GHSA-r3xc-prgr-mg9p"],
    "details": "In Django 3.2 before 3.2.19, 4.x before 4.1.9, and 4.2 before 4.2.1, it was possible to "
    "bypass validation when using one form field to upload multiple files.",
    "fixed_in": ["3.2.19", "4.1.9", "4.2.1"],
    "id": "PYSEC-2023-61",
    "link": "https://osv.dev/vulnerability/PYSEC-2023-61",
    "source": "osv",
    "summary": None,
    "withdrawn": None,
}


def _inputs(name: str) -> list[Requirement]:
    lines = (ROOT / name).read_text().splitlines()
    return [Requirement(line) for line in lines if line.strip() and not line.startswith(("#", "-"))]


def test_the_environment_holds_exactly_the_dev_lock():
    """What `pip freeze --all` lists here is what requirements-dev.txt pins for this
    Python, no more and no fewer (pip itself aside, which installs the lock)."""
    frozen = subprocess.run(
        [sys.executable, "-m", "pip", "freeze", "--all", "--disable-pip-version-check"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    environment = {}
    for line in frozen.splitlines():
        name, _, version = line.partition("==")
        assert version, f"not installed from an index at one version: {line}"
        environment[canonicalize_name(name)] = version
    locked = locks.pins((ROOT / "requirements-dev.txt").read_text())
    assert locks.differences(locked, environment) == []
    assert len(environment) > 50  # the whole service and its tools, not an empty environment


def test_the_running_python_is_the_locked_minor_version():
    wanted = (ROOT / ".python-version").read_text().strip()
    assert "{}.{}".format(*sys.version_info[:2]) == wanted


def test_every_input_is_locked_within_its_bounds_and_the_locks_agree():
    """The offline half of CI's `scripts/lock --check`: an input edited without re-locking
    (a new package, or bounds the locked version falls outside) fails here too."""
    service = locks.pins((ROOT / "requirements.txt").read_text())
    dev = locks.pins((ROOT / "requirements-dev.txt").read_text())
    for name, lock in (("requirements.in", service), ("requirements-dev.in", dev)):
        for requirement in _inputs(name):
            key = canonicalize_name(requirement.name)
            assert key in lock, f"{requirement} ({name}) is not in its lock: run scripts/lock"
            assert requirement.specifier.contains(lock[key], prereleases=True), (
                f"{requirement.name} is locked at {lock[key]}, outside {requirement.specifier} ({name})"
            )
    assert {name: dev[name] for name in service} == service, "the dev lock must hold the service's versions"


def test_the_change_list_names_each_package_old_to_new():
    old = "django==6.1.2 \\\n    --hash=sha256:aa\nrules==3.5 \\\n    --hash=sha256:bb\n    # via -r requirements.in\n"
    new = (
        "django==6.1.3 \\\n    --hash=sha256:cc\n"
        "django-crontask==2.0.1 ; python_full_version < '3.14' \\\n    --hash=sha256:dd\n"
        "django-crontask==2.2.0 ; python_full_version >= '3.14' \\\n    --hash=sha256:ee\n"
    )
    assert locks.changes(old, new) == [
        "django: 6.1.2 -> 6.1.3",
        "django-crontask: added 2.0.1 / 2.2.0",
        "rules: removed (was 3.5)",
    ]
    assert locks.pins(new, environment={"python_full_version": "3.13.0"}) == {
        "django": "6.1.3",
        "django-crontask": "2.0.1",
    }


def test_setup_refuses_a_python_older_than_the_lock(tmp_path):
    """The scripts' set-up, in a copy of the project whose lock asks for a Python newer than
    any on this machine: it stops before building anything, and says what to do."""
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "_bootstrap.sh", tmp_path / "scripts")
    (tmp_path / ".python-version").write_text("3.99\n")
    (tmp_path / "requirements.txt").write_text("")
    done = subprocess.run(
        ["bash", "-c", "source scripts/_bootstrap.sh && ensure_venv requirements.txt"],
        cwd=tmp_path,
        # This very interpreter named outright (pyenv's shims will not run in a folder whose
        # .python-version names a version pyenv lacks).
        env=dict(os.environ, CONFER_PYTHON=os.path.realpath(sys.executable)),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert "resolved for Python 3.99" in done.stderr
    assert "no Python 3.99 or newer was found" in done.stderr
    # What it did find, so the reader knows what they have.
    assert "{} ({}.{})".format(os.path.realpath(sys.executable), *sys.version_info[:2]) in done.stderr
    assert not (tmp_path / ".venv").exists()


# -- The vulnerability check --------------------------------------------------------------


class AdvisoryDatabase:
    """An HTTPS proxy on loopback that answers the advisory database's per-release JSON
    (GET /pypi/NAME/VERSION/json) for the releases it was given, 404 for any other."""

    def __init__(self, tmp: Path, advisories: dict[tuple[str, str], list[dict]]):
        self.advisories = advisories
        self.asked: list[str] = []
        authority = trustme.CA()
        self.ca_bundle = tmp / "ca.pem"
        authority.cert_pem.write_to_path(str(self.ca_bundle))
        self.tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        authority.issue_cert("pypi.org").configure_cert(self.tls)
        database = self

        class Inner(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                database.asked.append(self.path)
                parts = self.path.strip("/").split("/")
                key = (parts[1], parts[2]) if len(parts) == 4 and parts[0] == "pypi" else None
                if key not in database.advisories:
                    self.send_error(404)
                    return
                body = json.dumps({"info": {"name": key[0]}, "vulnerabilities": database.advisories[key]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        class Tunnel(BaseHTTPRequestHandler):
            def do_CONNECT(self):
                self.send_response(200)
                self.end_headers()
                with database.tls.wrap_socket(self.connection, server_side=True) as tls:
                    Inner(tls, self.client_address, self.server)
                self.close_connection = True

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Tunnel)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def env(self) -> dict[str, str]:
        proxy = f"http://127.0.0.1:{self.server.server_address[1]}"
        clean = {k: v for k, v in os.environ.items() if k.lower() not in {"no_proxy", "http_proxy", "https_proxy"}}
        return dict(clean, HTTPS_PROXY=proxy, REQUESTS_CA_BUNDLE=str(self.ca_bundle))

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def _check(lock: Path, env: dict[str, str], tmp: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "vulnerabilities.py"), str(lock), "--cache-dir", str(tmp / "cache")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.fixture
def old_django_lock(tmp_path) -> Path:
    """A throwaway lock holding one release with a published, fixed vulnerability."""
    lock = tmp_path / "requirements.txt"
    lock.write_text(f"django==4.2 \\\n    --hash=sha256:{DJANGO_42_HASH}\n")
    return lock


def test_a_known_vulnerable_pin_fails_the_check(tmp_path, old_django_lock):
    database = AdvisoryDatabase(tmp_path, {("django", "4.2"): [DJANGO_42_ADVISORY]})
    try:
        done = _check(old_django_lock, database.env, tmp_path)
    finally:
        database.close()
    assert database.asked == ["/pypi/django/4.2/json"]
    assert done.returncode == 1, done.stdout + done.stderr
    found = "django 4.2: PYSEC-2023-61, CVE-2023-31047, GHSA-r3xc-prgr-mg9p (fixed in 3.2.19, 4.1.9, 4.2.1)"
    assert found in done.stderr
    assert "scripts/upgrade" in done.stderr


def test_an_advisory_with_no_fixed_release_is_shown_but_does_not_fail(tmp_path, old_django_lock):
    unfixed = dict(DJANGO_42_ADVISORY, fixed_in=[])
    database = AdvisoryDatabase(tmp_path, {("django", "4.2"): [unfixed]})
    try:
        done = _check(old_django_lock, database.env, tmp_path)
    finally:
        database.close()
    assert done.returncode == 0, done.stdout + done.stderr
    assert "django 4.2: PYSEC-2023-61" in done.stdout
    assert "no fixed release yet" in done.stdout


def test_the_service_lock_passes_when_its_versions_have_no_advisory(tmp_path):
    lock = ROOT / "requirements.txt"
    locked = locks.pins(lock.read_text())
    database = AdvisoryDatabase(tmp_path, {(name, version): [] for name, version in locked.items()})
    try:
        done = _check(lock, database.env, tmp_path)
    finally:
        database.close()
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Vulnerability check: {len(locked)} locked packages" in done.stdout
    assert len(database.asked) == len(locked)


def test_an_unreachable_advisory_database_is_one_line_saying_it_was_skipped(tmp_path, old_django_lock):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # nothing listens here once the socket closes
    env = dict(os.environ, HTTPS_PROXY=f"http://127.0.0.1:{port}", NO_PROXY="")
    done = _check(old_django_lock, env, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Vulnerability check skipped: the advisory database could not be reached")


def test_a_mirror_without_advisory_data_is_one_line_saying_it_was_skipped(tmp_path, old_django_lock):
    database = AdvisoryDatabase(tmp_path, {})  # answers, but knows no release: 404 for each
    try:
        done = _check(old_django_lock, database.env, tmp_path)
    finally:
        database.close()
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == (
        "Vulnerability check skipped: the package index reached here has no advisory data "
        "(none of the 1 locked packages could be looked up)"
    )


def test_the_public_advisory_database_fails_a_known_vulnerable_pin(tmp_path, old_django_lock):
    """The same check against the real database, where this machine reaches it."""
    done = _check(old_django_lock, dict(os.environ), tmp_path)
    if "Vulnerability check skipped" in done.stdout:
        pytest.skip(done.stdout.strip())
    assert done.returncode == 1, done.stdout + done.stderr
    assert "CVE-2023-31047" in done.stderr
