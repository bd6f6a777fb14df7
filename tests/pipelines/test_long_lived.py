"""A run leaves what its process imported out of the cyclic garbage collection, and
collects what it allocates itself as before."""

from __future__ import annotations

import gc
import weakref

from pipelines.definitions import long_lived_frozen


class _Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the cyclic collection frees it


def test_what_a_run_allocates_is_collected_and_nothing_stays_frozen_after_it():
    before = _Node()
    with long_lived_frozen():
        assert gc.get_freeze_count() > 0
        during = _Node()
        gone, kept = weakref.ref(during), weakref.ref(before)
        del during, before
        gc.collect()
        assert gone() is None  # allocated within: collected
        assert kept() is not None  # held when the run began: left alone
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert kept() is None  # collected again once the run is over
