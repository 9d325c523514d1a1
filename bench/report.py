"""How the pipeline benchmark prints what it measured, and on which machine."""

from __future__ import annotations

import logging
import os
import platform
import sqlite3
import time
from typing import Any

import sqlalchemy

from domain.health import WriterFigures

FLOOR_PER_S = 100_000 / 60  # the seed's 100,000 orders a minute: the floor that must hold
TARGET_PER_S = 5_000  # DESIGN §9's target, placed -> delivered in one process on SQLite


class Refusals(logging.Handler):
    """Counts the sandbox's 429 answers (it logs each one at INFO on "sandbox.server")."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += record.getMessage().startswith("rate limit:")


def machine() -> dict[str, Any]:
    started = time.perf_counter()
    sum(i * i for i in range(3_000_000))  # how fast this machine runs plain Python right now
    return {
        "cpu_check_s": round(time.perf_counter() - started, 3),
        "cores": os.cpu_count(), "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version, "sqlalchemy": sqlalchemy.__version__,
        "platform": platform.platform(terse=True),
    }


def writer_shares(
    before: WriterFigures | None, after: WriterFigures | None, seconds: float
) -> dict[str, Any]:
    """How much of a run of `seconds` this process held the SQLite file's one writer, from two
    readings of its turns (none on PostgreSQL)."""
    if before is None or after is None or after.turns == before.turns:
        return {}
    turns, waits = after.turns - before.turns, after.waits - before.waits
    held, waited = after.held_s - before.held_s, after.waited_s - before.waited_s
    return {
        "writer_held": round(held / seconds, 2),
        "writer_turns": turns,
        "writer_turn_ms": round(held * 1000 / turns, 2),
        "writer_wait_ms": round(waited * 1000 / waits, 2) if waits else 0.0,
    }


def print_table(result: dict[str, Any]) -> None:
    rows = [
        ("database", result["server"]),
        ("orders / partners / restaurants",
         f"{result['orders']} / {result['partners']} / {result['restaurants']}"),
        ("batch size, clock speed, prep time",
         f"{result['batch']}, x{result['speed']:g}, {result['prep_minutes']} min"),
        ("placing", f"{result['placing']}, " + (
            f"open load at {result['rate']:g} orders/s" if result["rate"] else "closed load")
         + f": {result['place_s']} s  ({result['placed_per_s']} orders/s)"),
        ("processes (instances)", str(result["processes"])),
        ("pipeline (worker + partners)",
         f"{result['pipeline_s']} s  ({result['pipeline_per_s']} orders/s)"),
        ("placed -> delivered, overall", f"{result['placed_to_delivered_per_s']} orders/s"),
        ("CPU per order (this process)", f"{result['cpu_ms_per_order']} ms"),
        ("event loop's thread busy", f"{result['loop_thread_busy']:.0%} of the run"),
        *([("SQLite writer held (this process)",
            f"{result['writer_held']:.0%} of the run: {result['writer_turns']} turns of "
            f"{result['writer_turn_ms']} ms; a wait {result['writer_wait_ms']} ms")]
          if "writer_held" in result else []),
        ("bare sketch of DESIGN §9, same run", f"{result['sketch_per_s']} orders/s, CPU "
         f"{result['sketch_cpu_ms_per_order']} ms an order (pipeline = "
         f"{result['pipeline_vs_sketch']} x sketch)"),
        ("the floor and the target need", f"{FLOOR_PER_S:,.0f} orders/s = "
         f"{result['floor_vs_sketch']} x sketch; {TARGET_PER_S:,} = "
         f"{result['target_vs_sketch']} x sketch"),
        ("latency p50 / p99 (wall clock)", f"{result['p50_ms']} ms / {result['p99_ms']} ms"),
        ("peak memory (maxrss)", f"{result['maxrss_mb']} MB"
         + (f", Python heap peak {result['tracemalloc_peak_mb']} MB (tracemalloc)"
            if "tracemalloc_peak_mb" in result else "")),
        ("every order delivered once", str(result["all_delivered_once"])),
        ("machine", "{cores} cores, Python {python}, SQLite {sqlite}, SQLAlchemy {sqlalchemy}; "
         "3e6-square sum in {cpu_check_s} s".format(**result["machine"])),
    ]
    print_rows(rows)


def print_rows(rows: list[tuple[str, str]]) -> None:
    """Name and value a line, the values lined up: every benchmark's table."""
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name.ljust(width)}  {value}")
