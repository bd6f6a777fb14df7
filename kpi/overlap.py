"""Work on a history in chunks, the next chunk's first half beside the current one's rest.

A history load spends most of its time in Polars, DuckDB and the file system, which work
without holding Python's lock: two threads, one a chunk ahead of the other, keep both
cores busy where one thread would leave one idle.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

_Item = TypeVar("_Item")
_Result = TypeVar("_Result")


def one_ahead(
    items: Sequence[_Item], work: Callable[[_Item], _Result], name: str
) -> Iterator[_Result]:
    """``work(item)`` of each item, in their order, the next item's on a thread of its
    own (named ``name``) while the caller handles the one before: at most two items'
    results are held at once. ``work`` must not touch what the caller changes meanwhile.
    What ``work`` raises is raised here; if the caller stops early, the item under way
    is finished and dropped, and no further one is started. One item: no thread."""
    if len(items) <= 1:
        yield from map(work, items)
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix=name) as ahead:
        upcoming = ahead.submit(work, items[0])
        for item in items[1:]:
            done = upcoming.result()
            upcoming = ahead.submit(work, item)
            yield done
        yield upcoming.result()


def by_weight(
    items: Iterable[_Item], weight: Callable[[_Item], int], size: int
) -> list[list[_Item]]:
    """``items`` in their order, in chunks of about ``size`` in ``weight`` each: an item
    goes to the next chunk when it would take the current one past ``size``, and one
    heavier than ``size`` is a chunk of its own. No items: no chunks."""
    chunks: list[list[_Item]] = []
    held = 0
    for item in items:
        heavy = weight(item)
        if not chunks or held + heavy > size:
            chunks.append([])
            held = 0
        chunks[-1].append(item)
        held += heavy
    return chunks
