"""The shape of the code, checked like behaviour: the dependency rules between the apps
(``[tool.importlinter]`` in pyproject.toml, explained in docs/architecture.md), and a
repository that explains itself."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ["participants", "meetings", "minutes", "audit", "notifications", "demo", "config", "core"]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(tree / "pyproject.toml"), "--no-cache"],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": ""},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_dependency_rules_hold():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_forbidden_import_breaks_the_rules(tmp_path):
    """A copy of the code with meetings importing minutes: the check must fail."""
    for app in APPS:
        shutil.copytree(ROOT / app, tmp_path / app, ignore=shutil.ignore_patterns("__pycache__", "migrations"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    services = tmp_path / "meetings" / "services.py"
    services.write_text(services.read_text() + "\nfrom minutes.models import Minutes  # noqa\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert "meetings knows nothing of minutes BROKEN" in result.stdout


def test_the_repository_cites_nothing_outside_itself():
    """The repository explains itself (docs/): no file points at guidance outside it or at
    issue numbers, which a person who clones it cannot read."""
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    outside = re.compile("shared" + r"/(DESIGN|STYLE)|\.\./shared|\b[Ii]ssue #?[0-9]+\b")
    found = []
    for name in files:
        if name.startswith("static/") or not (ROOT / name).is_file():
            continue
        text = (ROOT / name).read_text(errors="ignore")
        found += [f"{name}: {m.group(0)}" for m in outside.finditer(text)]
    assert found == []
