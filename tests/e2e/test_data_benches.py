"""Tiny runs of issue 16's benchmarks, as their users run them: bench/data.py (every screen on a
big database beside a small one) and bench/retention.py (a month and more of traffic with the
retention job on). They check that each run completes and prints every figure, and that the
retention run shows what the README says: what the job bounds stops growing after 30 days (7
for phone numbers and spots), the history keeps every order. How fast is the benchmarks' own
business.
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
SCREENS = {"restaurant list", "menu", "cart", "checkout summary", "placing (with its summary)",
           "/orders (most orders)", "one order's history", "partner /job", "queue claim",
           "outbox claim", "/allorders", "/allorders delivered", "/showorder", "/partners",
           "/deadletters", "/audit", "/stats"}
PER_DAY = 100


def bench(name: str, *options: str) -> dict[str, Any]:
    run = subprocess.run([sys.executable, str(ROOT / "bench" / name), *options], cwd=ROOT,
                         capture_output=True, text=True, timeout=600, check=False)
    assert run.returncode == 0, run.stderr[-3000:] + run.stdout[-3000:]
    result: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    return result


def database_option(backend: str) -> list[str]:
    if backend == "sqlite":
        return []
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"{PG_ENV} not set")
    return ["--database", url]


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_the_data_benchmark_times_every_screen_on_both_databases(backend: str) -> None:
    result = bench("data.py", "--customers", "200", "--orders", "2000", "--heavy", "40",
                   "--repeat", "2", *database_option(backend))

    assert set(result["calls"]) == SCREENS
    assert all(row["big_p50_ms"] > 0 and row["small_p50_ms"] > 0
               for row in result["calls"].values())
    assert result["size_mb"] > 0


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_month_of_traffic_leaves_only_what_is_kept(backend: str) -> None:
    days = bench("retention.py", "--days", "34", "--orders-per-day", str(PER_DAY),
                 *database_option(backend))["days"]
    first, month, last = days[0], days[30], days[-1]

    for table, per_order in (("outbox", 3), ("tasks", 2), ("offers", 1)):
        assert first[table] == per_order * PER_DAY
        assert month[table] == last[table] <= 31 * per_order * PER_DAY, table  # flat after 30
    for table in ("orders with contacts", "rider_spots"):
        assert first[table] == PER_DAY
        assert days[8][table] == last[table] <= 8 * PER_DAY, table  # flat after 7
    assert last["orders"] == 34 * PER_DAY  # the history is kept
    assert last["order_events"] == 3 * 34 * PER_DAY
    assert last["stats_hours"] == 34 * 24
