"""A tiny run of the cost benchmark (bench/cost.py), as its users run it: instructions an order
under callgrind, CPU seconds without it, and on PostgreSQL when TEST_DATABASE_URL is set. It
checks that the run completes, that every order was delivered once and that each phase has a
figure; what the figures are is the benchmark's business.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.integration.conftest import PG_ENV

ROOT = Path(__file__).resolve().parents[2]
PHASES = ("placing", "worker", "accepting", "delivering", "sketch")


def tiny_run(*options: str) -> dict[str, Any]:
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "cost.py"), "--orders", "12", "--warm-up", "3",
         "--restaurants", "3", *options],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert run.returncode == 0, run.stderr[-3000:] + run.stdout[-3000:]
    result: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["all_delivered_once"] is True and result["orders"] == 12
    assert all(result[phase] > 0 for phase in PHASES), result
    assert result["order"] == sum(result[phase] for phase in PHASES[:-1])
    return result


def test_the_cost_benchmark_counts_each_phase_in_instructions() -> None:
    if not shutil.which("valgrind"):
        pytest.skip("valgrind is not installed (Debian: apt-get install valgrind)")
    result = tiny_run()

    assert result["unit"] == "instructions"
    assert result["order"] > 100_000  # an order is more than a few thousand instructions


def test_the_cost_benchmark_measures_cpu_seconds_without_valgrind() -> None:
    assert tiny_run("--cpu")["unit"] == "CPU µs"


@pytest.mark.parametrize(("option", "value", "said"), [
    ("--orders", "0", "0 is below 1"), ("--warm-up", "-1", "-1 is below 0"),
    ("--batch", "many", "'many' is not a whole number")])
def test_the_cost_benchmark_refuses_a_count_it_cannot_run(option: str, value: str,
                                                          said: str) -> None:
    run = subprocess.run([sys.executable, str(ROOT / "bench" / "cost.py"), option, value],
                         cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)

    assert run.returncode == 2 and run.stdout == ""  # nothing seeded, nothing measured
    assert f"argument {option}: {said}" in run.stderr


def test_the_cost_benchmark_runs_on_postgresql() -> None:
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"{PG_ENV} not set")
    result = tiny_run("--cpu", "--database-url", url)

    assert result["server"].startswith("PostgreSQL")
