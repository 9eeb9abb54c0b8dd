"""The SSDA903 children-looked-after return as lacplan cases.

    >>> from lacplan.adapters.ssda903 import read_ssda903
    >>> batch = read_ssda903(["returns/2023", "returns/2024"])      # doctest: +SKIP
    >>> report = evaluate(batch, as_of=date(2024, 3, 31))            # doctest: +SKIP
    >>> report.accounting["Episodes"]                                # doctest: +SKIP

Modules, one concept each: ``tables.py`` (the tables, recognised by their columns),
``readers.py`` (CSV, XML, xlsx), ``values.py`` (dates and codes in cells), ``codes.py`` (code
lists by collection year and their meaning for the model), ``episodes.py`` (episodes to periods
and placements), ``years.py`` (collection years), ``child.py`` (one child's case from its rows,
merging years) and ``build.py`` (reading the files, the batch, accounting).
``docs/ssda903.md`` is the user's guide.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from lacplan.adapters.ssda903.build import (
    SSDA903_ERROR_CODES,
    SSDA903_FINDING_CODES,
    Ssda903Batch,
    collection_year,
)
from lacplan.adapters.ssda903.tables import TABLES

__all__ = [
    "SSDA903_ERROR_CODES",
    "SSDA903_FINDING_CODES",
    "TABLES",
    "Ssda903Batch",
    "collection_year",
    "read_ssda903",
]


def read_ssda903(paths: Sequence[str], *, years: Mapping[str, int] | None = None) -> Ssda903Batch:
    """The cases of an SSDA903 return: ``paths`` are files (CSV, XML, xlsx) or directories.

    Tables are recognised by their columns; several collection years may be given and are
    merged by child id. ``years`` maps a path (file or directory) to its collection year (the
    year its 31 March falls in), overriding the year read from its dates. Files are read when
    iteration starts; afterwards ``batch.accounting`` and ``batch.findings`` are complete.
    Raises :class:`~lacplan.errors.UsageError` (when iterated) for a file that cannot be read
    or matches no table.
    """
    return Ssda903Batch([str(p) for p in paths], years)
