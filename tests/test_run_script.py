"""The README's first command, as a newcomer runs it: ``scripts/run`` on a port of their
choosing serves Confer there, and the links in the emails it prints lead there too."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_port_that_is_not_a_number_is_refused_with_a_message():
    done = subprocess.run([str(ROOT / "scripts" / "run"), "80a"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "The port must be a number from 1 to 65535, not '80a'." in done.stderr


def test_scripts_run_serves_on_the_port_given_and_its_emails_link_there(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "CONFER_BASE_URL"}}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path}/demo.sqlite3"
    log = tmp_path / "run.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [str(ROOT / "scripts" / "run"), str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 150
        while f"Confer is at http://127.0.0.1:{port}" not in log.read_text():
            assert server.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, "scripts/run did not start"
            time.sleep(0.5)
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    assert response.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, "nothing answered on the port"
                time.sleep(0.3)
        printed = log.read_text()
        assert f"http://127.0.0.1:{port}/meetings/" in printed  # the demo's emails
        assert "http://127.0.0.1:8000" not in printed
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(20)
