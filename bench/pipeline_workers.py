"""More worker processes for the pipeline benchmark (`--workers N`): each runs the real
`PipelineWorker` on the same database, as another instance of the bot would, ticking the
same way the benchmark's own worker does, until the benchmark stops it.

    python bench/pipeline_workers.py '{"url": ..., "origin": ..., "speed": ..., ...}'
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from types import TracebackType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline_world import AcceleratedClock  # the benchmark's own helpers, next to this file

from domain.pipeline.model import PipelineConfig
from domain.pipeline.worker import PipelineWorker
from domain.retry import RetryPolicy
from storage.db import make_engine, make_sessionmaker
from storage.pipeline.store import SqlPipelineStore


def settings(speed: float, batch: int, batches_per_tick: int) -> tuple[PipelineConfig, RetryPolicy]:
    """The worker's configuration, its timeouts scaled by the fake clock's speed so that
    they stay what they are in real time."""
    config = PipelineConfig(
        offer_timeout_s=60 * speed, no_partner_alert_after_s=300 * speed,
        dispatch_max_wait_s=5 * speed, batch_size=batch, lease_s=30 * speed,
        max_batches_per_tick=batches_per_tick,
    )
    return config, RetryPolicy(base_delay_s=speed, max_delay_s=30 * speed)


class Extra:
    """`count` worker processes on `url`, started on entering and stopped on leaving."""

    def __init__(self, count: int, url: str, clock: AcceleratedClock,
                 args: argparse.Namespace) -> None:
        self._spec = json.dumps({
            "url": url, "origin": clock.origin, "speed": clock.speed, "batch": args.batch,
            "batches_per_tick": args.batches_per_tick,
        })
        self._count = count
        self._processes: list[subprocess.Popen[bytes]] = []

    def __enter__(self) -> Extra:
        for _ in range(self._count):
            self._processes.append(subprocess.Popen(
                [sys.executable, __file__, self._spec], stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, env={**os.environ, "PYTHONUNBUFFERED": "1"},
            ))
        for process in self._processes:
            assert process.stdout is not None
            if process.stdout.readline().strip() != b"ready":  # imported and connected
                self.__exit__(None, None, None)
                raise SystemExit("a worker process did not start")
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        for process in self._processes:
            process.terminate()  # every order is delivered by now: nothing of theirs in flight
        for process in self._processes:
            process.wait(timeout=30)


async def _work(spec: dict[str, Any]) -> None:
    engine = make_engine(spec["url"])
    clock = AcceleratedClock(spec["speed"], origin=spec["origin"])
    config, policy = settings(spec["speed"], spec["batch"], spec["batches_per_tick"])
    worker = PipelineWorker(SqlPipelineStore(make_sessionmaker(engine)), clock, policy, config,
                            f"bench-worker-{os.getpid()}")
    try:
        await worker.next_due()  # connected
        print("ready", flush=True)
        while True:
            report = await worker.run_once(clock.now())
            if not report.claimed:
                await asyncio.sleep(0.002)  # nothing due: look again shortly, as the parent does
    finally:
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(_work(json.loads(sys.argv[1])))
