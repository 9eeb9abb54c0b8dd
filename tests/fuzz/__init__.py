"""Fuzz tests: the targets of ``fuzz/`` under hypothesis, and the corpus replayed.

Every test here uses the ``lacplan-fuzz`` settings profile: derandomized (the same examples on
every run), no example database, no deadline. ``examples(n)`` scales the examples a test runs by
the environment variable ``LACPLAN_FUZZ_SCALE`` (default 1; e.g. 20 for a longer local run).
The whole directory runs in well under a minute.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "lacplan-fuzz",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FUZZ = settings.get_profile("lacplan-fuzz")


def examples(n: int) -> settings:
    """The fuzz profile with ``n`` examples (times ``LACPLAN_FUZZ_SCALE``)."""
    scale = float(os.environ.get("LACPLAN_FUZZ_SCALE", "1"))
    return settings(FUZZ, max_examples=max(1, int(n * scale)))
