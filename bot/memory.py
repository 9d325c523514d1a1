"""Fewer malloc arenas for the long-running bot (README "Memory").

glibc gives each thread that allocates an arena of its own, up to 8 per core, and memory freed
in one arena is not reused by the others. The bot's threads are the database driver's (one per
aiosqlite connection) and the event loop's executor; their arenas held ~6 MB more resident
memory after a few hundred users' first messages than two shared arenas do, at no measurable
CPU cost (the threads hold the GIL for most of their work anyway). An operator's own
MALLOC_ARENA_MAX, which glibc reads itself, is left alone.
"""

from __future__ import annotations

import ctypes
import logging
import os
import sys

logger = logging.getLogger(__name__)

ARENAS = 2
_M_ARENA_MAX = -8  # glibc's malloc.h


def cap_malloc_arenas(arenas: int = ARENAS) -> bool:
    """Caps glibc's malloc arenas for the threads started from now on; whether it was set
    (False off glibc, or when the environment sets MALLOC_ARENA_MAX)."""
    if not sys.platform.startswith("linux") or "MALLOC_ARENA_MAX" in os.environ:
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library the interpreter runs on
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    done: bool = mallopt(_M_ARENA_MAX, arenas) == 1
    if not done:
        logger.debug("could not cap malloc arenas (not glibc?)")
    return done
