"""A tiny run of the pipeline benchmark (bench/pipeline.py is the full one), as its users run
it: customers pressing "Place order", closed and open load, a second worker process, and on
PostgreSQL when TEST_DATABASE_URL is set. It checks that the run completes, that its own
correctness checks passed (every order delivered once, each status and message written once)
and that its JSON line carries every figure; how fast is the benchmark's business.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.integration.conftest import PG_ENV

ROOT = Path(__file__).resolve().parents[2]
FIGURES = {"placed_per_s", "pipeline_per_s", "placed_to_delivered_per_s", "p50_ms", "p99_ms",
           "sketch_per_s", "pipeline_vs_sketch", "outbox_rows", "processes", "rate", "placing",
           "cpu_ms_per_order", "loop_thread_busy", "sketch_cpu_ms_per_order",
           "floor_vs_sketch", "target_vs_sketch"}
WRITER = {"writer_held", "writer_turns", "writer_turn_ms", "writer_wait_ms"}  # SQLite only


def tiny_run(*options: str) -> dict[str, Any]:
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "pipeline.py"), "--orders", "60",
         "--partners", "30", "--restaurants", "4", *options],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr[-3000:] + run.stdout[-3000:]
    result: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.parametrize("options", [(), ("--rate", "60"), ("--processes", "2"),
                                     ("--placing", "bulk")])
def test_the_pipeline_benchmark_delivers_every_order_once(options: tuple[str, ...]) -> None:
    result = tiny_run(*options)

    assert result["all_delivered_once"] is True
    assert (result["orders"], result["refused_places"], result["refused_presses"]) == (60, 0, 0)
    assert result.keys() >= FIGURES | WRITER
    assert 0 < result["writer_held"] <= 1 and 0 < result["loop_thread_busy"] <= 1
    # the floor (100,000 a minute) and the target (5,000 a second) against the same sketch
    floor = 100_000 / 60 / result["sketch_per_s"]
    assert result["floor_vs_sketch"] == pytest.approx(floor, rel=0.01, abs=0.01)
    assert result["target_vs_sketch"] == pytest.approx(3 * floor, rel=0.01, abs=0.01)


def test_the_pipeline_benchmark_runs_on_postgresql() -> None:
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"{PG_ENV} not set")
    result = tiny_run("--database-url", url, "--processes", "2")

    assert result["all_delivered_once"] is True and result["server"].startswith("PostgreSQL")
    assert result.keys() >= FIGURES and not result.keys() & WRITER  # no writer to take turns at
