"""Load benchmark: Confer's main pages at 5,000 and 500,000 meetings, under gunicorn.

    .venv/bin/python bench/load/run.py [--sizes 5000,500000] [--seconds 5] [--connections 20]

For each size it makes a PostgreSQL database from a migrated template, loads the demo
data (the people who sign in) and then the bulk rows (``seed.py``: the same recent year at
both sizes, more history at the larger), starts gunicorn on 127.0.0.1 as production runs
it (DEBUG off, sessions in Redis) with 2 sync workers, signs each person in, and drives
each page with wrk (loopback only, a fixed duration, then it stops), twice, the second
time in reverse order, keeping each page's pass with the lower p50 (errors are counted
over both). It prints requests/s, p50/p95/p99 and errors per page next to the signed-in
shell page (``/privacy/``, the same middleware and layout with no records on it), the
in-process median per page (and with what it keeps rendered made stale first: the first
view after a change), and the scans in the plan of every query each page runs on the
growing tables.

Needs: PostgreSQL (``BENCH_DATABASE_SERVER``, default postgres://postgres@127.0.0.1:5432),
Redis at 127.0.0.1:6379 (database 15 is flushed), and wrk (``apt-get install wrk``).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
import seed

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SERVER = os.environ.get("BENCH_DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432")
TEMPLATE = "confer_load_template"

# (page, who, path); "{meeting}" is the demo family's conference with draft minutes.
PAGES = [
    ("shell (family member)", "parent2@demo.confer.test", "/privacy/"),
    ("shell (staff)", "admin@demo.confer.test", "/privacy/"),
    ("administrator's start page", "admin@demo.confer.test", "/home/"),
    ("chair's start page", "chair@demo.confer.test", "/home/"),
    ("manager's start page", "manager@demo.confer.test", "/home/"),
    ("family member's start page", "parent2@demo.confer.test", "/home/"),
    ("due list", "admin@demo.confer.test", "/meetings/due/"),
    ("meeting page", "chair@demo.confer.test", "/meetings/{meeting}/"),
    ("family's draft minutes", "parent2@demo.confer.test", "/meetings/{meeting}/minutes/"),
    ("timeliness dashboard", "manager@demo.confer.test", "/timeliness/"),
    ("families list", "admin@demo.confer.test", "/people/families/"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def admin(sql: str) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def environment(db: str, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DEBUG="0",
        SECRET_KEY="bench-" + "s" * 50,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
        DATABASE_URL=f"{SERVER}/{db}",
        DATABASE_CONN_MAX_AGE="60",
        REDIS_URL="redis://127.0.0.1:6379/15",
        TASK_BACKEND="database",
        WEB_CONCURRENCY="2",
        PORT=str(port),
        PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    )
    return env


def manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode:
        sys.exit(result.stdout + result.stderr)
    return result.stdout


def prepare(size: int) -> tuple[str, float]:
    db = f"confer_load_{size}"
    admin(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{db}" TEMPLATE "{TEMPLATE}"')
    env = environment(db, 0)
    started = time.perf_counter()
    manage(env, "seed_demo")
    seed.seed(f"{SERVER}/{db}", size)
    return db, time.perf_counter() - started


def sessions(env: dict, emails: set[str]) -> dict[str, str]:
    # Signed in as each person, with the record allauth keeps of a sign-in that used the
    # password and (staff) the authenticator app, as a real session has.
    script = (
        "import json, time; from django.test import Client; from django.contrib.auth import get_user_model\n"
        "out = {}\n"
        f"for email in {sorted(emails)!r}:\n"
        "    user = get_user_model().objects.get(email=email)\n"
        "    c = Client(); c.force_login(user)\n"
        "    session = c.session\n"
        "    session['account_authentication_methods_user'] = str(user.pk)\n"
        "    session['account_authentication_methods'] = [{'method': 'password', 'at': time.time()}]\n"
        "    if user.groups.exists():\n"
        "        mfa = {'method': 'mfa', 'type': 'totp', 'at': time.time()}\n"
        "        session['account_authentication_methods'].append(mfa)\n"
        "    session.save()\n"
        "    out[email] = session.session_key\n"
        "print(json.dumps(out))"
    )
    return json.loads(manage(env, "shell", "-c", script).strip().splitlines()[-1])


def wrk(url: str, cookie: str, seconds: int, connections: int) -> dict:
    # A response that takes a while is slow, not an error: wrk's own 2-second timeout would
    # count queueing behind 20 clients as failures, so it is 10 s (a browser waits far longer).
    args = ["wrk", "-t2", f"-c{connections}", "--timeout", "10s", "-s", str(HERE / "report.lua")]
    # And the CSRF cookie a browser holds after its first page: without it every page with a
    # form would mint a new secret and set the cookie again, which no browser asks for.
    args += ["-H", f"Cookie: sessionid={cookie}; csrftoken={secrets.token_hex(16)}"]
    subprocess.run([*args, "-d1s", url], capture_output=True, check=True)  # warm up
    out = subprocess.run([*args, f"-d{seconds}s", url], capture_output=True, text=True, check=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    result["rps"] = result["requests"] / result["seconds"]
    return result


def measure(size: int, db: str, seconds: int, connections: int) -> dict:
    port = free_port()
    env = environment(db, port)
    with psycopg.connect(f"{SERVER}/{db}") as conn:
        meeting = conn.execute(
            "SELECT m.id FROM meetings_meeting m JOIN participants_family f ON f.id = m.family_id "
            "WHERE f.reference = 'FAM-00002' AND m.kind = 'icpc'"
        ).fetchone()[0]
        meetings = conn.execute("SELECT count(*) FROM meetings_meeting").fetchone()[0]
    pages = [(name, email, path.format(meeting=meeting)) for name, email, path in PAGES]
    cookies = sessions(env, {email for _, email, _ in pages})
    log = (Path(tempfile.gettempdir()) / f"confer-load-gunicorn-{size}.log").open("w")
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--config", "config/gunicorn.py", "config.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    sys.exit("gunicorn did not start; see " + log.name)
                time.sleep(0.3)
        # Two passes, the second in reverse order, and each page's better one: this machine
        # is shared, and a slow spell lasting a page or two only ever adds time, so without
        # it a page's ratio to the shell says more about when it ran than what it costs.
        passes = [
            {
                name: wrk(f"http://127.0.0.1:{port}{path}", cookies[email], seconds, connections)
                for name, email, path in order
            }
            for order in (pages, pages[::-1])
        ]
        loaded = {name: min((run[name] for run in passes), key=lambda r: r["p50"]) for name, _, _ in pages}
        for name in loaded:
            loaded[name]["errors"] = sum(run[name]["errors"] for run in passes)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
    inprocess = json.loads(
        subprocess.run(
            [sys.executable, str(HERE / "inprocess.py"), json.dumps(pages)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    return {"meetings": meetings, "load": loaded, "inprocess": inprocess}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="5000,500000")
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=20)
    options = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install -y wrk")
    began = time.perf_counter()
    admin(f'DROP DATABASE IF EXISTS "{TEMPLATE}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{TEMPLATE}"')
    manage(environment(TEMPLATE, 0), "migrate", "--no-input", "-v0")
    # The release step's static files: with DEBUG off, every page names its stylesheet by
    # the manifest, and without one each would be an error.
    manage(environment(TEMPLATE, 0), "collectstatic", "--no-input", "-v0")
    results = {}
    for size in (int(s) for s in options.sizes.split(",")):
        db, seeded = prepare(size)
        print(f"== {size:,} meetings: seeded in {seeded:.1f} s", flush=True)
        results[size] = measure(size, db, options.seconds, options.connections)
        admin(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    admin(f'DROP DATABASE IF EXISTS "{TEMPLATE}" WITH (FORCE)')
    report(results, options)
    print(f"\nWhole run: {time.perf_counter() - began:.0f} s")


def report(results: dict, options) -> None:
    sizes = list(results)
    small, large = sizes[0], sizes[-1]
    print(
        f"\nUnder load: wrk, {options.connections} connections, {options.seconds} s per page in each of two passes"
        " (the pass with the lower p50 shown; errors over both), gunicorn with 2 sync workers, DEBUG off,"
        " PostgreSQL, sessions in Redis; p50/p95/p99 in ms"
    )
    head = f"{'page':<28}" + "".join(
        f"| {results[s]['meetings']:>9,} meetings: rps    p50    p95    p99 err " for s in sizes
    )
    print(head + "| p50 x size | p50 x shell")
    for name, email, _path in PAGES:
        shell = "shell (family member)" if email.startswith("parent") else "shell (staff)"
        row = f"{name:<28}"
        for s in sizes:
            r = results[s]["load"][name]
            row += f"| {'':>19}{r['rps']:6.0f} {r['p50']:6.1f} {r['p95']:6.1f} {r['p99']:6.1f} {r['errors']:3d} "
        big = results[large]["load"]
        ratio = big[name]["p50"] / results[small]["load"][name]["p50"]
        row += f"| {ratio:8.2f}  | {big[name]['p50'] / big[shell]['p50']:8.2f}"
        print(row)
    print(
        "\nIn-process median (ms, Django test client, no network), queries per page, and the"
        " median rendered afresh (what the page keeps made stale before each request)"
    )
    for name, *_ in PAGES:
        cells = "  ".join(
            f"{results[s]['inprocess'][name]['median_ms']:7.2f} ms / {results[s]['inprocess'][name]['queries']:2d} q"
            f" (afresh {results[s]['inprocess'][name]['afresh_ms']:6.2f} ms)"
            for s in sizes
        )
        print(f"  {name:<28} {cells}")
    print(f"\nQuery plans at {results[large]['meetings']:,} meetings (scans of the growing tables, EXPLAIN ANALYZE):")
    for name, *_ in PAGES:
        for plan in results[large]["inprocess"][name]["plans"]:
            print(f"  {name}: {plan['ms']:.2f} ms  {'; '.join(plan['nodes'])}")
            print(f"      {plan['sql']}")


if __name__ == "__main__":
    main()
