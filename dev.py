#!/usr/bin/env python3
"""The two quick-start commands, needing nothing but Python 3.11+.

    python3 dev.py run    set up (venv, install, migrate, seed) and run the bot,
                          or the offline demo when no TELEGRAM_BOT_TOKEN is configured
    python3 dev.py test   set up and run every check: ruff, mypy, import contracts, pytest
    python3 dev.py messages   bring the message catalogs (bot/locales) in step with the code

Extra arguments after `test` go to pytest, e.g. `python3 dev.py test -k cart`.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("FOODBOT_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".foodbot-installed"


def step(*cmd: str | Path) -> None:
    """Runs one command from the project folder; stops everything if it fails."""
    print("+", " ".join(str(c) for c in cmd), flush=True)
    code = subprocess.call([str(c) for c in cmd], cwd=ROOT)
    if code != 0:
        sys.exit(code)


def setup() -> None:
    """Creates the virtual environment and installs the project when pyproject changed."""
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs on whatever python3 is
        sys.exit(f"foodbot needs Python 3.11 or newer, this is {sys.version.split()[0]}")
    if not (BIN / "python").exists():
        print(f"creating virtual environment in {VENV}", flush=True)
        # linked to its interpreter, as `python -m venv` makes it off Windows: a copied one is
        # a binary py-spy cannot read (README, "Where the CPU goes")
        venv.create(VENV, with_pip=True, symlinks=os.name != "nt")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text() != wanted:
        step(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
        step(BIN / "python", "-m", "pip", "install", "--quiet", "-e", ".[dev,postgres]")
        STAMP.write_text(wanted)


def run(args: list[str]) -> None:
    setup()
    step(BIN / "foodbot", "migrate")
    step(BIN / "foodbot", "seed")
    step(BIN / "foodbot", "start", *args)


def test(args: list[str]) -> None:
    setup()
    step(BIN / "ruff", "check", ".")
    step(BIN / "mypy")
    step(BIN / "lint-imports")
    step(BIN / "python", "-m", "pytest", *args)


def messages(args: list[str]) -> None:
    setup()
    step(BIN / "python", "-m", "bot.catalogs", *args)


def main() -> None:
    commands = {"run": run, "test": test, "messages": messages}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
