"""Fuzzing lacplan's input paths: mutators, targets with their properties, and a long runner.

* ``mutate.py``: byte-level mutations and a JSON encoder that can write what Python's cannot
  (duplicate keys, numbers of any length, ``NaN``, lone surrogates, deep nesting);
* ``jsonmut.py``: structure-aware mutations of case files (JSON, JSON Lines);
* ``returns.py``: structure-aware mutations of SSDA903 returns (CSV tables in year folders);
* ``rulemut.py``: structure-aware mutations of rule files (TOML);
* ``checks.py``: the properties every target checks (documented exceptions and codes, every
  record accounted for, no sentinel personal value in any message);
* ``targets.py``: the four targets (``loaders``, ``ssda903``, ``rules``, ``engine``), their
  seeds and their corpus files;
* ``run.py``: the long runner, ``python fuzz/run.py --target loaders --inputs 100000``.

``tests/fuzz`` runs the same targets under hypothesis (fixed seed, bounded time) and replays
every file of ``tests/fuzz/corpus``. ``docs/fuzzing.md`` is the guide.
"""
