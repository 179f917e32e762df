"""Reading the generated locks (requirements.txt, requirements-dev.txt): what they pin, how two
of them differ, and whether an environment holds exactly what one pins.

Used by scripts/upgrade (the change list, package by package) and by the test that an
environment built from the lock is that lock and nothing else. Only the standard library
and `packaging` (which pip itself vendors, and the dev lock holds) are used, so it runs
from any of the project's environments.

    python scripts/locks.py diff OLD NEW     the change list, old -> new
    python scripts/locks.py check LOCK       this interpreter's packages against LOCK
"""

from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name


def entries(text: str) -> list[Requirement]:
    """Every pinned requirement of a lock in pip's format, continuation lines joined,
    comments and hashes dropped. A lock may pin one package twice under exclusive markers
    (one version for Python 3.13, another for 3.14)."""
    logical, current = [], ""
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].rstrip() if not raw.lstrip().startswith("#") else ""
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        current += line
        if current.strip():
            logical.append(current)
        current = ""
    found = []
    for line in logical:
        spec = " ".join(part for part in line.split() if not part.startswith("--hash="))
        if spec.startswith("-"):
            continue  # an option line (--index-url and the like); uv writes none by default
        found.append(Requirement(spec))
    return found


def pinned_version(requirement: Requirement) -> str:
    (spec,) = requirement.specifier
    if spec.operator != "==":
        raise ValueError(f"{requirement} is not pinned to one version")
    return spec.version


def pins(text: str, *, environment: dict[str, str] | None = None) -> dict[str, str]:
    """name -> version for the requirements whose markers hold in `environment` (this
    interpreter's when None): what pip installs from the lock here."""
    result = {}
    for requirement in entries(text):
        if requirement.marker is None or requirement.marker.evaluate(environment):
            result[canonicalize_name(requirement.name)] = pinned_version(requirement)
    return result


def all_pins(text: str) -> dict[str, str]:
    """name -> every version the lock names for it, whatever the markers (for the change list)."""
    result: dict[str, set[str]] = {}
    for requirement in entries(text):
        result.setdefault(canonicalize_name(requirement.name), set()).add(pinned_version(requirement))
    return {name: " / ".join(sorted(versions)) for name, versions in result.items()}


def changes(old: str, new: str) -> list[str]:
    """The change list between two locks, one line a package, sorted by name."""
    before, after = all_pins(old), all_pins(new)
    lines = []
    for name in sorted(before.keys() | after.keys()):
        if name not in before:
            lines.append(f"{name}: added {after[name]}")
        elif name not in after:
            lines.append(f"{name}: removed (was {before[name]})")
        elif before[name] != after[name]:
            lines.append(f"{name}: {before[name]} -> {after[name]}")
    return lines


def installed() -> dict[str, str]:
    """name -> version of every distribution this interpreter can import from, as
    `pip freeze --all` lists them."""
    return {canonicalize_name(dist.metadata["Name"]): dist.version for dist in metadata.distributions()}


def differences(lock: dict[str, str], environment: dict[str, str]) -> list[str]:
    """What an environment holds that the lock does not say, and the other way round.
    pip itself is left out: it comes with Python's venv and installs the lock."""
    lines = []
    for name in sorted((lock.keys() | environment.keys()) - {"pip"}):
        if name not in environment:
            lines.append(f"{name}=={lock[name]} is locked but not installed")
        elif name not in lock:
            lines.append(f"{name}=={environment[name]} is installed but not locked")
        elif lock[name] != environment[name]:
            lines.append(f"{name} is {environment[name]}, the lock says {lock[name]}")
    return lines


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[0] == "diff":
        lines = changes(Path(argv[1]).read_text(), Path(argv[2]).read_text())
        print("\n".join(lines) if lines else "No package changed.")
        return 0
    if len(argv) == 2 and argv[0] == "check":
        lines = differences(pins(Path(argv[1]).read_text()), installed())
        print("\n".join(lines) if lines else f"This environment is exactly {argv[1]}.")
        return 1 if lines else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
