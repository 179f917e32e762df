"""How long `seed_demo --meetings N` takes on a fresh database, and how big it gets.

    .venv/bin/python bench/seed_scale.py [N]          # SQLite in a temporary folder
    DATABASE_URL=postgres://... .venv/bin/python bench/seed_scale.py [N]

The issue's target: 50,000 meetings in under two minutes.
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(meetings: int) -> None:
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as tmp:
        env.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
        started = time.perf_counter()
        subprocess.run([*manage, "seed_demo", "--meetings", str(meetings)], env=env, check=True)
        elapsed = time.perf_counter() - started
        print(f"seed_demo --meetings {meetings}: {elapsed:.1f} s ({meetings / elapsed:,.0f} meetings/s)")
        if env["DATABASE_URL"].startswith("sqlite"):
            size = Path(f"{tmp}/bench.sqlite3").stat().st_size
            print(f"SQLite file: {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50_000)
