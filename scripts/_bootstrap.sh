# Shared set-up for scripts/run, scripts/test, scripts/lock and scripts/upgrade: find the
# Python the lock was made for, and give .venv exactly the locked versions. Sourced, not run.
#
# Installs come only from a lock (requirements.txt for the service, requirements-dev.txt for
# tests and tools), with every file's hash required and no dependency resolution of pip's
# own, so nothing unlocked can arrive. When the lock changes, .venv is built again from
# nothing rather than patched, so a package the new lock dropped cannot linger.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
cd "$ROOT"

# The Python minor version the locks were resolved for (also read by pyenv and uv).
LOCK_PYTHON="$(tr -d '[:space:]' <"$ROOT/.python-version")"
LOCK_MAJOR="${LOCK_PYTHON%%.*}"
LOCK_MINOR="${LOCK_PYTHON#*.}"

# Prints the candidate's "major.minor" and exits 0 when it is the locked minor or newer.
python_minor() {
    "$1" -c "import sys; print('%d.%d' % sys.version_info[:2]); sys.exit(0 if sys.version_info[:2] >= ($LOCK_MAJOR, $LOCK_MINOR) else 1)" 2>/dev/null
}

find_python() {
    local cand found=""
    # The locked minor first, wherever it is; a newer one only when there is none.
    for cand in "${CONFER_PYTHON:-}" "python$LOCK_PYTHON" \
        $(ls -d /root/.pyenv/versions/"$LOCK_PYTHON".*/bin/python3 "$HOME"/.pyenv/versions/"$LOCK_PYTHON".*/bin/python3 2>/dev/null | sort -rV) \
        python3 python; do
        [ -n "$cand" ] || continue
        command -v "$cand" >/dev/null 2>&1 || continue
        if python_minor "$cand" >/dev/null; then
            command -v "$cand"
            return 0
        fi
        local version
        version="$(python_minor "$cand" || true)"
        found="$found $cand (${version:-does not run})"
    done
    echo "$found" >&2
    return 1
}

quiet_pip() {
    # Some machines' pip config names local package folders that do not exist; pip warns
    # about each one on every install. Everything else pip says is passed through.
    grep -v "^WARNING: Location 'file:" || true
}

# The lock that .venv was last built from ("requirements-dev.txt <sha256>"), or nothing.
venv_lock() {
    cat "$VENV/.lock" 2>/dev/null || true
}

lock_id() {
    echo "$1 $(sha256sum "$1" | cut -d' ' -f1)"
}

ensure_venv() {
    # $1: the lock to install: requirements.txt (the service) or requirements-dev.txt (tests
    # and tools, a superset holding the same versions of everything the service uses).
    local lock="$1" have want py
    have="$(venv_lock)"
    want="$(lock_id "$lock")"
    # The service runs from a test environment as it is: the dev lock is built on the
    # service's lock (-c requirements.txt), so it holds the same versions of all of it.
    if [ "$lock" = requirements.txt ] && [ -f requirements-dev.txt ] && [ "$have" = "$(lock_id requirements-dev.txt)" ]; then
        want="$have"
    fi
    if [ "$have" = "$want" ] && [ -x "$VENV/bin/python" ] && python_minor "$VENV/bin/python" >/dev/null; then
        return 0
    fi
    local seen
    seen="$(mktemp)"
    if ! py="$(find_python 2>"$seen")"; then
        echo "!! Confer's locked dependencies were resolved for Python $LOCK_PYTHON (.python-version)," >&2
        echo "!! and no Python $LOCK_PYTHON or newer was found (seen:$(cat "$seen"))." >&2
        echo "!! Install Python $LOCK_PYTHON (for example 'pyenv install $LOCK_PYTHON') or point" >&2
        echo "!! CONFER_PYTHON at one, then try again." >&2
        rm -f "$seen"
        exit 1
    fi
    rm -f "$seen"
    local minor
    minor="$(python_minor "$py")"
    if [ "$minor" != "$LOCK_PYTHON" ]; then
        echo "!! Warning: the lock was made and tested for Python $LOCK_PYTHON; using $minor ($py)." >&2
        echo "!! Versions the lock chooses by Python version may differ from what CI ran." >&2
    fi
    echo "==> Building .venv from nothing with $py ($("$py" --version)) and $lock"
    rm -rf "$VENV"
    "$py" -m venv "$VENV"
    # The pip that comes with this Python installs the lock; pip itself is not upgraded,
    # since an upgrade would be an install from outside the lock.
    if ! "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        --require-hashes --no-deps -r "$lock" 2>&1 | quiet_pip; then
        echo "!! Installing $lock failed (above); .venv will be built again next time." >&2
        exit 1
    fi
    echo "$want" >"$VENV/.lock"
}
