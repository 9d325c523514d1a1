"""`foodbot run` moves what start-up made out of the garbage collector's way once started
(bot.runner.settle_start_up): full collections no longer walk modules, tables and the
Application; start-up's garbage is collected first, and what comes later as before."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from bot.runner import YOUNG_COLLECTION_AFTER, settle_start_up


class Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector frees it


@pytest.fixture
def unfrozen() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()  # the rest of the test session collects as usual
    gc.set_threshold(*thresholds)


@pytest.mark.usefixtures("unfrozen")
def test_start_ups_objects_are_kept_out_of_collections_and_its_garbage_is_not() -> None:
    kept = [Node() for _ in range(1000)]  # alive, as the Application is
    garbage = weakref.ref(Node())  # start-up's cycle nobody holds

    frozen = settle_start_up()

    assert garbage() is None, "start-up's garbage was frozen instead of collected"
    assert frozen == gc.get_freeze_count() >= len(kept)
    oldest = {id(o) for o in gc.get_objects(generation=2)}  # what full collections walk
    assert not any(id(node) in oldest for node in kept)


@pytest.mark.usefixtures("unfrozen")
def test_what_is_made_after_start_up_is_still_collected() -> None:
    settle_start_up()
    later = weakref.ref(Node())

    gc.collect()

    assert later() is None


@pytest.mark.usefixtures("unfrozen")
def test_garbage_made_after_start_up_is_collected_without_asking() -> None:
    """Young collections come less often once started, but they still come by themselves."""
    settle_start_up()
    later = weakref.ref(Node())

    made = [[] for _ in range(3 * YOUNG_COLLECTION_AFTER)]  # objects a busy bot makes

    assert later() is None, "a cycle made after start-up outlived a young collection"
    assert len(made) == 3 * YOUNG_COLLECTION_AFTER
