"""The garbage collector during a batch: its generation-0 threshold raised while a batch runs.

Python's cyclic collector runs a young collection every 700 net new container objects and,
every so often, a full one that walks every object alive. Evaluation makes next to no
reference cycles, but a batch keeps making containers (obligations, their recipes), and a
``Report`` keeps every one of them alive: on 20,000 children the full collections walking the
growing report took a fifth to a third of ``evaluate()``'s time (``benchmarks/README.md``). With the
threshold at :data:`BATCH_GC_THRESHOLD` they all but stop, and the few cycles there are are
still collected.

:func:`raised_threshold` is what ``lacplan evaluate`` (the CLI) and :func:`lacplan.evaluate`
run their batches under. The collector's settings belong to the process, so the override is
counted: the first batch to start saves the thresholds and sets the raised one, the last to
end puts the saved ones back, whatever the threads and however they interleave. A change a
program makes to the thresholds while a batch runs is undone when the last batch ends.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator
from typing import Literal

__all__ = ["BATCH_GC_THRESHOLD", "raised_threshold"]

#: The generation-0 threshold during a batch (``None``: leave the collector alone). At 10,000
#: collections all but stop while memory stays as flat as at Python's default of 700
#: (``benchmarks/bench_outputs.py --what gc``; ``gc.freeze()`` after compiling the pack gained
#: nothing more).
BATCH_GC_THRESHOLD: int | None = 10_000

_lock = threading.Lock()
_active = 0
_saved: tuple[int, ...] = ()


@contextlib.contextmanager
def raised_threshold(threshold: int | Literal["batch"] | None = "batch") -> Iterator[None]:
    """Run the block with the collector's generation-0 threshold at ``threshold`` (``"batch"``:
    :data:`BATCH_GC_THRESHOLD` as it is when the block starts; ``None``: unchanged), and put
    the thresholds back when the last such block in the process ends."""
    global _active, _saved
    if threshold == "batch":
        threshold = BATCH_GC_THRESHOLD
    if threshold is None:
        yield
        return
    with _lock:
        if _active == 0:
            _saved = gc.get_threshold()
            gc.set_threshold(threshold, *_saved[1:])
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0:
                gc.set_threshold(*_saved)
