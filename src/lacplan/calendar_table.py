"""The shipped England and Wales holiday table, and the command that generates it.

Importing ``holidays`` loads every country it knows, which costs more than everything else a
cold ``lacplan`` process does before its first result. lacplan therefore ships the one table it
needs, ``lacplan/data/england_and_wales_holidays.tsv``: every day that
``holidays.country_holidays("GB", subdiv="ENG")`` gives for 1990 to 2060 (bank holidays,
substitute days, one-off proclaimed days, Christmas Day and Good Friday, weekend ones included),
with its name and the ``holidays`` version it came from.

:func:`holiday_names` is what :func:`lacplan.calendar.england_and_wales` calls. It reads the
installed ``holidays`` version from the package metadata (``importlib.metadata``, without
importing ``holidays``). When that equals the recorded version it parses the shipped table;
otherwise it builds the same mapping from ``holidays`` itself. Either way the calendar's
``source.provider_version`` is the installed version, and nothing is written to disk at run time.

The file is generated, never edited by hand; CI fails when it is stale::

    python -m lacplan.calendar_table --write src/lacplan/data/england_and_wales_holidays.tsv
    python -m lacplan.calendar_table --check src/lacplan/data/england_and_wales_holidays.tsv

``--check`` fails when the installed ``holidays`` computes different days or names, or is a
different version from the recorded one (then the shipped table would not be used).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from importlib.metadata import PackageNotFoundError, distribution
from importlib.metadata import version as _dist_version
from importlib.resources import files
from itertools import pairwise

from lacplan.calendar import COVERED_FIRST, COVERED_LAST

__all__ = [
    "NOT_INSTALLED",
    "TABLE_RESOURCE",
    "HolidayTable",
    "compute",
    "holiday_names",
    "installed_holidays_version",
    "main",
    "parse",
    "render",
    "shipped",
]

#: What :func:`installed_holidays_version` gives when ``holidays`` is not installed (the
#: in-browser bundle leaves it out: the shipped table is all it needs).
NOT_INSTALLED = "not installed"

#: Where the table lives inside the installed package.
TABLE_RESOURCE = "data/england_and_wales_holidays.tsv"

_HEADER = (
    "# lacplan's England and Wales holiday table. Generated, do not edit:\n"
    "#   python -m lacplan.calendar_table --write src/lacplan/{resource}\n"
    '# Every day holidays.country_holidays("GB", subdiv="ENG") gives for {first}..{last},\n'
    "# weekend days included (the calendar passes over weekends itself). Columns: date, name.\n"
)


@dataclass(frozen=True, slots=True)
class HolidayTable:
    """Holidays by date, with the ``holidays`` version and the years they were computed for."""

    holidays_version: str
    first: date
    last: date
    names: tuple[tuple[date, str], ...]
    """``(day, name)`` in date order; a day with two holidays has their names joined by ``; ``
    (as ``holidays`` gives them)."""

    def as_mapping(self) -> dict[date, str]:
        """``{day: name}``, the form :class:`~lacplan.calendar.WorkingDayCalendar` takes."""
        return dict(self.names)


def installed_holidays_version() -> str:
    """The installed ``holidays`` distribution's version, from its metadata (no import).

    The ``Version:`` header is read straight from the metadata file, which is what
    ``importlib.metadata.version`` returns without parsing the whole file as an e-mail
    message; anything unusual falls back to ``importlib.metadata.version`` itself."""
    try:
        dist = distribution("holidays")
    except PackageNotFoundError:
        return NOT_INSTALLED
    text = dist.read_text("METADATA") or dist.read_text("PKG-INFO") or ""
    for line in text.partition("\n\n")[0].splitlines():
        if line.startswith("Version:"):
            found = line[len("Version:") :].strip()
            if found:
                return found
            break
    return _dist_version("holidays")  # pragma: no cover - metadata without a Version line


def compute() -> HolidayTable:
    """The table as the installed ``holidays`` computes it now (imports ``holidays``)."""
    import holidays

    table = holidays.country_holidays(
        "GB", subdiv="ENG", years=range(COVERED_FIRST.year, COVERED_LAST.year + 1)
    )
    names = tuple(sorted((d, str(nm)) for d, nm in table.items()))
    return HolidayTable(installed_holidays_version(), COVERED_FIRST, COVERED_LAST, names)


def render(table: HolidayTable) -> str:
    """The file text of ``table``: a comment header, three ``key<TAB>value`` lines (holidays,
    first, last), then one ``date<TAB>name`` line per day."""
    out = [
        _HEADER.format(resource=TABLE_RESOURCE, first=table.first.year, last=table.last.year),
        f"holidays\t{table.holidays_version}\n",
        f"first\t{table.first.isoformat()}\n",
        f"last\t{table.last.isoformat()}\n",
    ]
    for d, name in table.names:
        if "\t" in name or "\n" in name:  # pragma: no cover - no holiday name has either
            raise ValueError(f"holiday name on {d.isoformat()} has a tab or a line break")
        out.append(f"{d.isoformat()}\t{name}\n")
    return "".join(out)


def parse(text: str) -> HolidayTable:
    """The inverse of :func:`render`; ``ValueError`` names the first malformed line."""
    lines = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    meta: dict[str, str] = {}
    for number, line in enumerate(lines[:3], 1):
        key, sep, value = line.partition("\t")
        if not sep or key not in ("holidays", "first", "last") or key in meta:
            raise ValueError(f"holiday table: data line {number} is not a header line")
        meta[key] = value
    if len(meta) != 3:
        raise ValueError("holiday table: the holidays, first and last header lines are missing")
    try:
        first, last = date.fromisoformat(meta["first"]), date.fromisoformat(meta["last"])
    except ValueError:
        raise ValueError("holiday table: the first or last header line is not a date") from None
    names: list[tuple[date, str]] = []
    for number, line in enumerate(lines[3:], 4):
        day, sep, name = line.partition("\t")
        try:
            if not sep or not name:
                raise ValueError
            names.append((date.fromisoformat(day), name))
        except ValueError:
            raise ValueError(f"holiday table: data line {number} is not 'date<TAB>name'") from None
    if any(a[0] >= b[0] for a, b in pairwise(names)):
        raise ValueError("holiday table: days are not in strictly increasing order")
    return HolidayTable(meta["holidays"], first, last, tuple(names))


def shipped() -> HolidayTable:
    """The table shipped inside the package."""
    return parse(_resource_text(TABLE_RESOURCE))


def _resource_text(resource: str) -> str:
    """A data file of the ``lacplan`` package, through its module loader (what
    ``importlib.resources`` does for a package on disk or in a zip file, without loading its
    resource readers on the way)."""
    package = sys.modules["lacplan"]
    get_data = getattr(getattr(package, "__loader__", None), "get_data", None)
    if get_data is not None and package.__file__ is not None:
        path = os.path.join(os.path.dirname(package.__file__), *resource.split("/"))
        data: bytes = get_data(path)
        return data.decode("utf-8")
    return files("lacplan").joinpath(resource).read_text(encoding="utf-8")  # pragma: no cover


def holiday_names() -> tuple[dict[date, str], str]:
    """``({day: name}, holidays version)`` for the England and Wales calendar.

    From the shipped table when the installed ``holidays`` is the version it was generated
    from (``holidays`` is then never imported), else from ``holidays`` itself. Where
    ``holidays`` is not installed at all (the in-browser bundle, docs/web.md), the shipped table
    is used and the version is the one it was generated from.
    """
    installed = installed_holidays_version()
    table = shipped()
    if installed == NOT_INSTALLED:
        return table.as_mapping(), table.holidays_version
    if (
        table.holidays_version != installed
        or table.first != COVERED_FIRST
        or table.last != COVERED_LAST
    ):
        table = compute()
    return table.as_mapping(), installed


def main(argv: Sequence[str] | None = None) -> int:
    """``--write PATH`` the table computed by the installed ``holidays``, or ``--check PATH``
    that the file there is that table (exit 1 if stale)."""
    from lacplan.rules.gendocs import write_or_check

    return write_or_check("lacplan.calendar_table", lambda: render(compute()), argv)


if __name__ == "__main__":
    sys.exit(main())
