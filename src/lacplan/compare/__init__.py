"""The parity report: the due dates a case system stored, beside lacplan's.

A council's case system stores its own due dates (the SSD's review due dates, or any system's
as a CSV of ``child_id, rule, due``); :func:`compare_report` (or ``Report.compare``) joins them
with lacplan's obligations by child, period, rule and sequence and classifies every difference
(``docs/parity.md``):

* ``stored.py``: reading the stored dates (a CSV path, a DataFrame, mappings, ``StoredDue``);
* ``join.py``: matching them with the report's obligations (:func:`compare_report`);
* ``classify.py``: the classes (:data:`CLASSES`) and how each is decided;
* ``comparison.py``: the result, :class:`Comparison`; ``render.py``: its table, CSV, JSON, xlsx.

Differences are facts to investigate: nothing is mended, on either side.
"""

from __future__ import annotations

from lacplan.compare.classify import CLASSES, SUMMARY_CLASSES, UNMATCHED
from lacplan.compare.comparison import COMPARISON_FIELDS, Comparison, ComparisonRow
from lacplan.compare.join import PeriodSpan, compare_report, period_spans
from lacplan.compare.stored import StoredDatesError, StoredProblem, StoredRow, read_stored

__all__ = [
    "CLASSES",
    "COMPARISON_FIELDS",
    "SUMMARY_CLASSES",
    "UNMATCHED",
    "Comparison",
    "ComparisonRow",
    "PeriodSpan",
    "StoredDatesError",
    "StoredProblem",
    "StoredRow",
    "compare_report",
    "period_spans",
    "read_stored",
]
