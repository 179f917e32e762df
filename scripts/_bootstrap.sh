# Shared set-up for scripts/run and scripts/test: find Python >= 3.12, create .venv and
# install the requirements when they changed since the last install. Sourced, not run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
cd "$ROOT"

python_ok() {
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1
}

find_python() {
    local cand
    for cand in "${CONFER_PYTHON:-}" python3.13 python3.12 python3 python; do
        [ -n "$cand" ] || continue
        if command -v "$cand" >/dev/null 2>&1 && python_ok "$cand"; then
            command -v "$cand"
            return 0
        fi
    done
    # pyenv installs that are not on PATH (this is how the project machines ship them).
    for cand in $(ls -d /root/.pyenv/versions/3.1[2-9]*/bin/python3 "$HOME"/.pyenv/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do
        if python_ok "$cand"; then
            echo "$cand"
            return 0
        fi
    done
    return 1
}

quiet_pip() {
    # Some machines' pip config names local package folders that do not exist; pip warns
    # about each one on every install. Everything else pip says is passed through.
    grep -v "^WARNING: Location 'file:" || true
}

ensure_venv() {
    # $1: the requirements file to install.
    local reqs="$1" stamp="$VENV/.requirements.sha256" want
    if [ ! -x "$VENV/bin/python" ] || ! python_ok "$VENV/bin/python"; then
        local py
        if ! py="$(find_python)"; then
            echo "Confer needs Python 3.12 or newer (Django 6.1 requires it), and none was found." >&2
            echo "Install one (for example with pyenv) or point CONFER_PYTHON at it, then try again." >&2
            exit 1
        fi
        echo "==> Creating .venv with $py ($("$py" --version))"
        rm -rf "$VENV"
        "$py" -m venv "$VENV"
        "$VENV/bin/python" -m pip install --quiet --upgrade pip 2>&1 | quiet_pip
    fi
    want="$(cat requirements.txt "$reqs" | sha256sum | cut -d' ' -f1)"
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
        echo "==> Installing $reqs"
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$reqs" 2>&1 | quiet_pip
        echo "$want" >"$stamp"
    fi
}
