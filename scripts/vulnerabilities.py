"""Check a lock's exact versions against the public advisory database, with pip-audit.

Exit status 1 when a locked version has a known vulnerability that a released version
fixes: upgrade it (`scripts/upgrade PACKAGE`). An advisory with no fixed release yet is
printed but does not fail, since there is nothing to move to; someone must judge it.

Where the advisory source cannot be reached (no network, or a package mirror that serves
packages but not their advisories) the check prints one line saying it was skipped and
exits 0: an offline machine can still run the suite, and the line says what was not done.

    python scripts/vulnerabilities.py LOCK [pip-audit options]
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

# What pip-audit prints when its HTTP client gave up before any answer came back.
UNREACHABLE = ("ConnectionError", "ProxyError", "ConnectTimeout", "ReadTimeout", "NameResolutionError", "SSLError")
NOT_FOUND = "Dependency not found on PyPI"


def audit(lock: Path, extra: list[str]) -> tuple[int, list[str]]:
    """(exit status, the lines to print)."""
    command = [
        str(Path(sys.executable).parent / "pip-audit"),
        "--requirement",
        str(lock),
        "--require-hashes",
        "--disable-pip",
        "--format",
        "json",
        "--progress-spinner",
        "off",
        "--timeout",
        "20",
        *extra,
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        if any(word in done.stderr for word in UNREACHABLE):
            last = done.stderr.strip().splitlines()[-1][:200]
            return 0, [f"Vulnerability check skipped: the advisory database could not be reached ({last})"]
        return 1, [f"!! pip-audit failed on {lock}:", done.stderr.strip()]

    dependencies = report["dependencies"]
    unaudited = [d for d in dependencies if "skip_reason" in d]
    if dependencies and len(unaudited) == len(dependencies) and all(NOT_FOUND in d["skip_reason"] for d in unaudited):
        return 0, [
            f"Vulnerability check skipped: the package index reached here has no advisory data "
            f"(none of the {len(dependencies)} locked packages could be looked up)"
        ]

    fixable, unfixed = [], []
    for dependency in dependencies:
        for vuln in dependency.get("vulns", []):
            ids = ", ".join([vuln["id"], *sorted(vuln.get("aliases", []))])
            line = f"{dependency['name']} {dependency['version']}: {ids}"
            if vuln.get("fix_versions"):
                fixable.append(f"{line} (fixed in {', '.join(vuln['fix_versions'])})")
            else:
                unfixed.append(f"{line} (no fixed release yet)")
    lines = []
    if fixable:
        lines.append(f"!! Known vulnerabilities with a fixed release in {lock}; run scripts/upgrade PACKAGE:")
        lines += [f"!!   {line}" for line in fixable]
    if unfixed:
        lines.append(f"Known vulnerabilities in {lock} with no fixed release yet (judge each):")
        lines += [f"    {line}" for line in unfixed]
    lines += [f"Not checked: {d['name']}: {d['skip_reason']}" for d in unaudited]
    if not fixable:
        audited = len(dependencies) - len(unaudited)
        lines.append(f"Vulnerability check: {audited} locked packages, no known vulnerability with a fix to move to")
    return (1 if fixable else 0), lines


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    status, lines = audit(Path(argv[0]), argv[1:])
    print("\n".join(lines), file=sys.stderr if status else sys.stdout)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
