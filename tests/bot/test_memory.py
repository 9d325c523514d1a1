"""`foodbot run` caps glibc's malloc arenas: its threads share two instead of one each."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
THREADS = 8

pytestmark = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's arenas")

# THREADS threads allocate while all alive (a finished thread's arena would be handed on),
# then glibc's malloc_stats() lists every arena on stderr ("Arena 0:", "Arena 1:", ...)
SCRIPT = f"""
import ctypes, sys, threading
from bot.memory import cap_malloc_arenas
print(cap_malloc_arenas() if sys.argv[1] == "cap" else None, flush=True)
libc = ctypes.CDLL(None)
libc.malloc.argtypes, libc.malloc.restype = [ctypes.c_size_t], ctypes.c_void_p
all_in, counted = threading.Barrier({THREADS} + 1), threading.Barrier({THREADS} + 1)
def allocate():
    libc.malloc(4096)
    all_in.wait()
    counted.wait()
threads = [threading.Thread(target=allocate) for _ in range({THREADS})]
for thread in threads:
    thread.start()
all_in.wait()
libc.malloc_stats()
counted.wait()
for thread in threads:
    thread.join()
"""


def arenas_used(cap: bool, **env: str) -> tuple[str, int]:
    """(what cap_malloc_arenas returned, the arenas in use) in a fresh interpreter."""
    clean = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"} | env
    done = subprocess.run([sys.executable, "-c", SCRIPT, "cap" if cap else "no"], cwd=ROOT,
                          env=clean, capture_output=True, text=True, timeout=120, check=True)
    arenas = sum(line.startswith("Arena ") for line in done.stderr.splitlines())
    return done.stdout.strip(), arenas


def test_without_the_cap_each_thread_gets_an_arena() -> None:
    """The baseline the cap is for (and proof that the count below sees arenas)."""
    assert arenas_used(cap=False)[1] > THREADS // 2


def test_with_the_cap_the_threads_share_two_arenas() -> None:
    assert arenas_used(cap=True) == ("True", 2)


def test_an_operators_malloc_arena_max_is_left_to_glibc() -> None:
    assert arenas_used(cap=True, MALLOC_ARENA_MAX="4") == ("False", 4)
