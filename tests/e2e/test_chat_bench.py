"""A tiny run of the chat benchmark (bench/chat.py is the full one), as its users run it: the
command, foodbot and the bare bot as separate processes, three customers and a partner; and of
its mode (b), HAProxy and two webhook instances on PostgreSQL (skipped, saying why, without
`haproxy` or TEST_DATABASE_URL). It checks that the run completes and that its JSON line
carries every figure, not how fast anything was: timing belongs to the benchmark, on a machine
said beside its figures.
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
FIGURES = {"target", "updates", "answered", "unanswered", "updates_per_s", "cpu_ms_per_update",
           "balancer_cpu_ms_per_update", "p50_ms", "p99_ms", "idle_rss_mb", "peak_rss_mb",
           "idle_rss_each_mb", "peak_rss_each_mb", "http_429", "queries_per_update",
           "orders_placed", "deliveries", "flood_sent", "flood_answered", "killed", "taken_over",
           "not_done_at_end"}
FLOOR = "bare PTB bot + foodbot's libraries"


def tiny_run(*options: str) -> dict[str, Any]:
    """The benchmark with three customers and a partner for two seconds: its JSON line."""
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "chat.py"), "--customers", "3", "--partners", "1",
         "--calm", "2", "--flood-rate", "5", "--seconds", "2", "--patience", "5", *options],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr[-3000:]
    result: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    return result


def test_the_chat_benchmark_prints_every_figure_for_foodbot_and_the_bare_bot() -> None:
    result = tiny_run("--only", "off,flood,count")

    assert set(result["results"]) == {"off", "flood", "count"}
    assert set(result["results"]["flood"]) == {"foodbot", "bare PTB bot"}
    assert set(result["results"]["off"]) == {"foodbot", "bare PTB bot", FLOOR}
    for variant in ("off", "flood"):
        for figures in result["results"][variant].values():
            assert set(figures) >= FIGURES, figures
    off = result["results"]["off"]
    # the libraries are loaded in the floor's bot (tens of MB), and foodbot is read against it
    assert off[FLOOR]["idle_rss_mb"] > off["bare PTB bot"]["idle_rss_mb"] + 10, off
    assert off[FLOOR]["answered"] > 0, off
    assert set(result["rss_above_libraries"]) == {"off: foodbot"}, result
    assert off["foodbot"]["answered"] > 0 and off["bare PTB bot"]["answered"] > 0, off
    assert off["foodbot"]["orders_placed"] > 0 and off["bare PTB bot"]["orders_placed"] > 0, off
    assert result["results"]["count"]["foodbot"]["queries_per_update"] > 0, result
    assert result["results"]["flood"]["foodbot"]["flood_sent"] > 0, result
    assert set(result["ratios"]["off: foodbot"]) == {"cpu_per_update", "updates_per_s",
                                                     "idle_rss", "p99"}
    assert {"cores", "cpu_check_s"} <= set(result["machine"]), result


def test_the_chat_benchmark_runs_foodbot_as_a_cluster_behind_haproxy_on_postgresql() -> None:
    if shutil.which("haproxy") is None:
        pytest.skip("haproxy is not on PATH (apt-get install haproxy): no balancer for mode (b)")
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"{PG_ENV} not set: mode (b) runs its instances on PostgreSQL")
    result = tiny_run("--only", "off,count,kill", "--targets", "cluster",
                      "--cluster-database", url)

    assert result["targets"] == ["cluster"] and result["cluster_instances"] == 2, result
    off = result["results"]["off"]
    assert set(off) == {"foodbot cluster", "bare PTB bot", FLOOR}, off
    cluster = off["foodbot cluster"]
    assert set(cluster) >= FIGURES and cluster["target"] == "cluster", cluster
    assert cluster["answered"] > 0 and cluster["orders_placed"] > 0, cluster
    assert len(cluster["idle_rss_each_mb"]) == 2 and len(cluster["peak_rss_each_mb"]) == 2
    assert cluster["balancer_cpu_ms_per_update"] is not None, cluster  # HAProxy's pid was found
    assert off["bare PTB bot"]["balancer_cpu_ms_per_update"] is None
    assert result["results"]["count"]["foodbot cluster"]["queries_per_update"] > 0, result
    assert set(result["ratios"]["off: foodbot cluster"]) == {
        "cpu_per_update", "updates_per_s", "idle_rss", "p99"}
    killed = result["results"]["kill"]["foodbot cluster"]  # no bare bot: it has no second
    assert killed["killed"] == "i2" and killed["answered"] > 0, killed
    assert killed["taken_over"] >= 0 and killed["not_done_at_end"] >= 0, killed
