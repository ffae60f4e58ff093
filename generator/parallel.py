"""Work spread over every core, for the stages where items are independent.

Cleaning raw files at import, parsing article files and linking entities at build
time each take a few milliseconds an item and share nothing: a pool of processes (one
per core) runs them side by side. Below `PARALLEL_FROM` items, starting the processes
costs more than it saves, and the work runs here.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

PARALLEL_FROM = 200


def workers() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def parallel_map(
    function: Callable[[Item], Result],
    items: Sequence[Item],
    *,
    chunksize: int = 32,
    initializer: Callable[..., object] | None = None,
    initargs: Iterable[Any] = (),
) -> list[Result]:
    """``[function(item) for item in items]``, in order, on every core when there are many.

    `function` (and `initializer`, run once in each worker process first) must be
    module-level functions, and items and results picklable.
    """
    count = workers()
    if len(items) < PARALLEL_FROM or count < 2:
        if initializer is not None:
            initializer(*initargs)
        return [function(item) for item in items]
    with ProcessPoolExecutor(
        max_workers=count, initializer=initializer, initargs=tuple(initargs)
    ) as pool:
        return list(pool.map(function, items, chunksize=chunksize))
