"""The Standard Safeguarding Dataset (SSD) as lacplan cases.

    >>> from lacplan.adapters.ssd import read_ssd
    >>> batch = read_ssd(["extract/"], extract_date=date(2025, 6, 30))   # doctest: +SKIP
    >>> report = evaluate(batch, as_of=date(2025, 6, 30))                  # doctest: +SKIP
    >>> report.accounting["ssd_cla_visits"]                               # doctest: +SKIP
    >>> report.compare(batch.stored_due_dates)                           # doctest: +SKIP

The SSD is the council-led child-level dataset extracted from every major case system
(Liquidlogic, Mosaic, Eclipse); its tables are read as CSV exports or Parquet files, joined by
person and period-of-care ids, and turned into the same ``Case``/``RecordError`` stream as every
other source. Modules, one concept each: ``tables.py`` (the tables, recognised by their
columns, and the columns read), ``readers.py`` (CSV, Parquet), ``values.py`` (dates, flags,
NULLs in cells), ``codes.py`` (legal-status descriptions and health-check types),
``periods.py`` (episodes and placements to periods of care), ``child.py`` (one child's case)
and ``build.py`` (the batch: joining, the extract's date, accounting). ``docs/ssd.md`` is the
user's guide.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from lacplan.adapters.ssd.build import SSD_ERROR_CODES, SSD_FINDING_CODES, SsdBatch
from lacplan.adapters.ssd.child import EVENTS_BY_TABLE
from lacplan.adapters.ssd.tables import TABLES

__all__ = [
    "EVENTS_BY_TABLE",
    "SSD_ERROR_CODES",
    "SSD_FINDING_CODES",
    "TABLES",
    "SsdBatch",
    "read_ssd",
]


def read_ssd(
    paths: Sequence[str], *, extract_date: date | None = None, window_years: int | None = 6
) -> SsdBatch:
    """The cases of an SSD extract: ``paths`` are files (CSV or Parquet) or directories.

    Tables are recognised by their columns; ``ssd_person`` and ``ssd_cla_episodes`` are
    needed, the others are read where given (and the source then shows their events).
    ``extract_date`` is the day the extract was taken (the data's last day; default: the latest
    date recorded in it); ``window_years`` the look-back the extract kept (the SSD scripts'
    default, 6; ``None``: all of each child's history is there). Files are read when iteration
    starts; afterwards ``batch.accounting``, ``batch.findings`` and ``batch.stored_due_dates``
    (the review due dates the case system stored) are complete. Raises
    :class:`~lacplan.errors.UsageError` (when iterated) for a file that cannot be read or
    matches no table.
    """
    return SsdBatch([str(p) for p in paths], extract_date=extract_date, window_years=window_years)
