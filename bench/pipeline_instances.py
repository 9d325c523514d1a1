"""More instances for the pipeline benchmark (`--processes N`): each process is what another
instance of the bot would be on the same database: its share of the customers pressing
"Place order" and of the partners pressing their buttons, and a queue worker of its own,
ticking as the benchmark's own does. It runs until the benchmark stops it.

    python bench/pipeline_instances.py '{"url": ..., "origin": ..., "index": 1, ...}'
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

from pipeline_customers import Customers, ready_pairs  # the benchmark's own helpers
from pipeline_world import AcceleratedClock, Partners

from bot.runner import settle_start_up
from domain.pipeline.actions import Presses
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


class Instances:
    """The other `processes - 1` instances on `url`: started (and ready) on entering, told to
    begin by `go`, stopped on leaving."""

    def __init__(self, url: str, clock: AcceleratedClock, args: argparse.Namespace) -> None:
        self._spec = {
            "url": url, "origin": clock.origin, "speed": clock.speed, "batch": args.batch,
            "batches_per_tick": args.batches_per_tick, "orders": args.orders,
            "processes": args.processes, "rate": args.rate, "chat": args.chat,
        }
        self._processes: list[subprocess.Popen[bytes]] = []

    def __enter__(self) -> Instances:
        for index in range(1, self._spec["processes"]):
            self._processes.append(subprocess.Popen(
                [sys.executable, __file__, json.dumps(self._spec | {"index": index})],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            ))
        for process in self._processes:
            assert process.stdout is not None
            if process.stdout.readline().strip() != b"ready":  # imported and connected
                self.__exit__(None, None, None)
                raise SystemExit("an instance did not start")
        return self

    def go(self) -> None:
        for process in self._processes:
            assert process.stdin is not None
            process.stdin.write(b"go\n")
            process.stdin.flush()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        for process in self._processes:
            process.terminate()  # every order is delivered by now: nothing of theirs in flight
        for process in self._processes:
            process.wait(timeout=30)


async def _instance(spec: dict[str, Any]) -> None:
    engine = make_engine(spec["url"])
    sessions = make_sessionmaker(engine)
    clock = AcceleratedClock(spec["speed"], origin=spec["origin"])
    config, policy = settings(spec["speed"], spec["batch"], spec["batches_per_tick"])
    store = SqlPipelineStore(sessions)
    worker = PipelineWorker(store, clock, policy, config, f"bench-worker-{os.getpid()}")
    share = (spec["index"], spec["processes"])
    partners = Partners(Presses(store, clock), clock, share=share)
    buyers = Customers.of(sessions, clock, spec["rate"] / spec["processes"])
    try:
        await worker.next_due()  # connected
        settle_start_up()  # as `foodbot run` once started
        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)  # "go"

        async def work() -> None:
            while True:
                if not (await worker.run_once(clock.now())).claimed:
                    await asyncio.sleep(0.002)  # nothing due: look again shortly

        async def press() -> None:
            while True:
                if not any(await partners.look(sessions)):
                    await asyncio.sleep(0.002)  # how often to look, not a wait for anything

        placing = [buyers.press_all(ready_pairs(spec["orders"], share))] if spec["chat"] else []
        await asyncio.gather(work(), press(), *placing)
    finally:
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(_instance(json.loads(sys.argv[1])))
