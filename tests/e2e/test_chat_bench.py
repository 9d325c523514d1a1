"""A tiny run of the chat benchmark (bench/chat.py is the full one), as its users run it: the
command, foodbot and the bare bot as separate processes, three customers and a partner. It
checks that the run completes and that its JSON line carries every figure, not how fast
anything was: timing belongs to the benchmark, on a machine said beside its figures.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIGURES = {"updates", "answered", "unanswered", "updates_per_s", "cpu_ms_per_update", "p50_ms",
           "p99_ms", "idle_rss_mb", "peak_rss_mb", "http_429", "queries_per_update",
           "orders_placed", "deliveries", "flood_sent", "flood_answered"}


def test_the_chat_benchmark_prints_every_figure_for_foodbot_and_the_bare_bot() -> None:
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "chat.py"), "--customers", "3", "--partners", "1",
         "--calm", "2", "--flood-rate", "5", "--seconds", "2", "--patience", "5",
         "--only", "off,flood,count"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])

    assert set(result["results"]) == {"off", "flood", "count"}
    for variant in ("off", "flood"):
        assert set(result["results"][variant]) == {"foodbot", "bare PTB bot"}
        for figures in result["results"][variant].values():
            assert set(figures) >= FIGURES, figures
    off = result["results"]["off"]
    assert off["foodbot"]["answered"] > 0 and off["bare PTB bot"]["answered"] > 0, off
    assert off["foodbot"]["orders_placed"] > 0 and off["bare PTB bot"]["orders_placed"] > 0, off
    assert result["results"]["count"]["foodbot"]["queries_per_update"] > 0, result
    assert result["results"]["flood"]["foodbot"]["flood_sent"] > 0, result
    assert set(result["ratios"]["off: foodbot"]) == {"cpu_per_update", "updates_per_s",
                                                     "idle_rss", "p99"}
    assert {"cores", "cpu_check_s"} <= set(result["machine"]), result
