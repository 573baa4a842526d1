#!/usr/bin/env python3
"""The newcomer's door: ``python3 tasks.py run`` and ``python3 tasks.py test``.

Each creates ``.venv`` (standard library venv + pip only), installs the pinned
versions of requirements.lock (hash-checked) when the lock changed, compiles
the gettext catalogs, then runs the bot or the whole test suite. Extra
arguments go to the bot (``run console``) or to pytest (``test -k engine``).
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
LOCK = ROOT / "requirements.lock"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def ensure_environment() -> None:
    if sys.version_info < (3, 11):
        sys.exit("Python 3.11 or newer is needed (this is %s)." % sys.version.split()[0])
    if not PYTHON.exists():
        print("Creating the virtual environment in .venv ...", flush=True)
        try:
            venv.EnvBuilder(with_pip=True).create(VENV)
        except Exception as error:  # Debian's python3 without its venv part: no ensurepip
            shutil.rmtree(VENV, ignore_errors=True)
            sys.exit(f"Could not create .venv ({error}). On Debian or Ubuntu, install the venv "
                     "module first: sudo apt-get install python3-venv")
    stamp = VENV / ".installed-lock"
    digest = hashlib.sha256(LOCK.read_bytes()).hexdigest()
    if not stamp.exists() or stamp.read_text() != digest:
        print("Installing the pinned dependencies (requirements.lock) ...", flush=True)
        subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        "--require-hashes", "-r", str(LOCK)], check=True, cwd=ROOT)
        stamp.write_text(digest)
    compile_catalogs()


def compile_catalogs() -> None:
    """Build locales/*/LC_MESSAGES/messages.mo from the .po files (not committed)."""
    subprocess.run([str(PYTHON), "-m", "babel.messages.frontend", "--quiet", "compile",
                    "-d", str(ROOT / "locales"), "-D", "messages"], check=True, cwd=ROOT)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "test"}:
        print(__doc__)
        return 2
    ensure_environment()
    if argv[0] == "run":
        command = [str(PYTHON), "-m", "bot", *argv[1:]]
    else:
        command = [str(PYTHON), "-m", "pytest", *argv[1:]]
    os.chdir(ROOT)
    if os.name == "nt":
        return subprocess.run(command).returncode
    os.execv(command[0], command)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
