"""Synthetic cohorts: invented looked-after children in the JSON case format, for demos, tests
and benchmarks.

No real data goes in and none comes out: every id, date and label is drawn from
:class:`random.Random` seeded with ``f"{seed}:{index}"``, so a cohort is fully determined by
``(n, seed, as_of)``, nothing reads the clock or the global random state, and child ``i`` does not
depend on ``n`` (the first ``k`` children of a cohort of ``n`` are the cohort of ``k``)::

    >>> from lacplan.synth import synth_cases
    >>> cases = synth_cases(3, seed=1)
    >>> [c["child_id"] for c in cases]
    ['SYN-000001', 'SYN-000002', 'SYN-000003']
    >>> synth_cases(2, seed=1) == cases[:2]
    True

:func:`synth_cases` returns JSON-ready dicts (ISO date strings), each accepted by
``lacplan.Case.model_validate``; :func:`write_cohort` streams them as JSON Lines.

Distributions (approximate shares; ``docs/synth.md`` has the full table):

* **Children.** ``child_id`` ``SYN-000001``, ``SYN-000002``, ... Labels ``la`` (``LA-DEMO``),
  ``team`` (``T-NORTH``, ``T-SOUTH``, ``T-EAST``, ``T-WEST``; ``T-DISABILITY`` for most
  short-breaks children; ``T-LEAVING`` for most young people 16 or over by ``as_of``) and
  ``iro`` (``IRO-01`` to ``IRO-12``).
* **Age at entry** (of the first period), close to the DfE's shares for children starting to be
  looked after: under 1 18% (a third of them in their first week), 1-4 14%, 5-9 16%, 10-15 34%,
  16-17 18%. Short-breaks children are 4-16 (mostly 5-13).
* **Periods of care.** The first starts between ``as_of`` minus 8 years and ``as_of`` minus 7
  days, weighted towards recent years. About 1 in 3 entries is an emergency. Length: 25% up to
  3 months, 25% 3-12 months, 25% 1-3 years, 25% longer; a period ends when the child returns home
  (its end date) or on the 18th birthday, and is open (``end: null``) when neither happened by
  ``as_of``. About 10% of children have a second period, starting 4 weeks to 3 years after the
  first ended (returned home, then back into care), never within 4 months of the 18th birthday.
* **Placements.** 1 (45%), 2 (28%), 3 (16%) or 4 (11%) per period, contiguous (each move is one
  placement's end equal to the next one's start), at most one per fortnight of the period. Kind
  by age: mostly ``foster``; ``residential`` for a quarter of placements at 12 or over;
  ``placed_with_parents`` and ``connected_person_temporary`` about 5% each. 40% of foster
  placements lasting 4 months or more (after the first, or in a planned entry) are long-term
  (``long_term_foster`` and ``intended_until_18``); a few others are intended to last until 18.
  A move's ``end_reason``: ``planned`` 55%, none 20%, ``other`` 15%,
  ``immediate_risk`` 10% (then the next placement is usually an emergency). About 25% of foster
  placements are with an agency and have monthly supervising social worker visits.
* **Legal status.** A period with a placement with parents usually has ``interim_care_order``
  then ``care_order`` (half the time made during that placement); others ``section_20`` (more
  for teenagers), ``interim_care_order`` -> ``care_order`` (-> ``placement_order`` for some
  under-5s), or nothing recorded.
* **Short breaks** (about 5% of children): one ``short_breaks`` period of breaks of 1-7 nights
  every 10-45 days (at most 60 breaks), each break a placement; about 35% have an
  ``agreed_visit_interval_days`` (28 to 91 days); social worker visits are dated inside breaks
  (that interval, else within 3 then 6 months). No health, PEP, SDQ or leaving-care events.
* **Events**, dated on or before ``as_of`` and within the child's care (never before birth, after
  the period, or after the 18th birthday, except leaving-care events up to the 21st):
  ``care_plan``, ``placement_plan`` and ``placement_notification`` (each naming its placement),
  ``review`` (first within about 20 working days, second 3 months later, then 6-monthly, and one
  before most planned moves; a few ``cancelled`` or without a ``meeting``),
  ``review_consultation`` (before half the later reviews), ``health_assessment`` (initial before
  the first review, then 6- or 12-monthly by age; young people 10 or over sometimes refuse:
  ``health_consent_refused`` by the child), ``pep`` and one ``pep_review`` in most school terms
  (ages 3-17), ``visit`` (by the social worker, on the visiting timescale of the placement: weekly
  or 4- or 6-weekly with parents or a connected person, 6-weekly, 3-monthly after the first year
  of a placement intended to last until 18, 6-monthly after ``reduced_visits_agreed`` in a
  long-term foster placement; from age 3 ``seen_alone`` true 85%, false 8% mostly with a
  ``not_seen_alone_reason``, not recorded 7%; babies and toddlers are mostly not seen alone, as
  ``inappropriate``), ``sdq`` (ages 4-16) and ``dental_check`` in most years ending 31 March,
  ``permanence_plan`` by the second review, and for young people looked after at 16 or over
  ``needs_assessment``, ``pathway_plan`` and 6-monthly ``pathway_plan_review`` to 21.
* **Lateness.** Each duty is done on time (a little before its deadline) most of the time; about
  10% are late (60% by 1-7 days, 30% by 1-4 weeks, 10% by 1-4 months) and 3% of one-off duties
  are never done. These rates are scaled per child by a team factor (0.7 to 1.5) and a child
  factor (0.4 to 2, averaging 1), so some teams and children fare worse. Working days are
  approximated by weekdays (bank holidays only make a deadline later, so "on time" stays on
  time). Evaluated as at ``as_of``, about 70% of obligations are ``met_on_time``.

See ``docs/synth.md``.

Modules: ``model.py`` (the distributions' constants, date helpers, the child being written),
``story.py`` (one child's periods and placements), ``duties.py`` (the events of a standard
period), ``short_breaks.py`` (a series of short breaks); this file holds the API.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable
from datetime import date, datetime
from typing import IO, Any, cast

from lacplan.errors import UsageError
from lacplan.synth.model import _FIRST_AS_OF, _LAST_AS_OF, DEFAULT_AS_OF
from lacplan.synth.story import _case

__all__ = ["DEFAULT_AS_OF", "synth_cases", "write_cohort"]


def _check(n: int, seed: int, as_of: date) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise UsageError("n must be a whole number, 0 or more")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise UsageError("seed must be a whole number")
    if not isinstance(as_of, date) or isinstance(as_of, datetime):
        raise UsageError("as_of must be a datetime.date (not a datetime or a string)")
    if not _FIRST_AS_OF <= as_of <= _LAST_AS_OF:
        raise UsageError(
            f"as_of must be from {_FIRST_AS_OF.isoformat()} to {_LAST_AS_OF.isoformat()}"
        )


def synth_cases(n: int, *, seed: int = 0, as_of: date = DEFAULT_AS_OF) -> list[dict[str, Any]]:
    """``n`` invented children as case dicts in the JSON case format (dates as ISO strings).

    Deterministic: the same ``(n, seed, as_of)`` always gives the same cases, and child ``i``
    depends only on ``(seed, i, as_of)``, so ``synth_cases(k, ...)`` is the first ``k`` of
    ``synth_cases(n, ...)``. Every case is valid (``lacplan.Case.model_validate`` accepts it) and
    has no events after ``as_of``. The distributions are described in the module docstring.
    """
    _check(n, seed, as_of)
    return [_case(seed, i, as_of) for i in range(n)]


def _write_lines(write: Callable[[str], object], n: int, seed: int, as_of: date) -> None:
    dumps = json.JSONEncoder(ensure_ascii=True).encode
    for i in range(n):
        write(dumps(_case(seed, i, as_of)) + "\n")


def write_cohort(
    path_or_file: str | os.PathLike[str] | IO[str] | IO[bytes],
    n: int,
    *,
    seed: int = 0,
    as_of: date = DEFAULT_AS_OF,
) -> int:
    """Write :func:`synth_cases` ``(n, seed=seed, as_of=as_of)`` as JSON Lines; return ``n``.

    ``path_or_file`` is a path (created or overwritten, UTF-8, ``\\n`` line ends) or a file
    object opened for writing, text or binary (left open). One case a line, keys in a fixed
    order, so the same arguments always write the same bytes. Cases are generated one at a time:
    memory does not grow with ``n``.
    """
    _check(n, seed, as_of)
    if isinstance(path_or_file, str | os.PathLike):
        with open(path_or_file, "w", encoding="utf-8", newline="\n") as fh:
            _write_lines(fh.write, n, seed, as_of)
    elif isinstance(path_or_file, io.RawIOBase | io.BufferedIOBase) or "b" in str(
        getattr(path_or_file, "mode", "")
    ):
        binary = cast(IO[bytes], path_or_file)
        _write_lines(lambda s: binary.write(s.encode("utf-8")), n, seed, as_of)
    else:
        _write_lines(cast(IO[str], path_or_file).write, n, seed, as_of)
    return n
