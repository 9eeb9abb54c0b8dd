"""Instruments and declaration pieces shared by the England modules."""

from __future__ import annotations

from datetime import date

from lacplan.offsets import Days, Months, Weeks, WorkingDays
from lacplan.rules.schema import (
    AnchorOption,
    AttrCondition,
    DateExpr,
    EventMatch,
    Exemption,
    InForce,
    Instrument,
    OffsetOption,
)

__all__ = [
    "CPPCR",
    "CPPCR_IN_FORCE",
    "HELD_REVIEW",
    "NOT_REQUIRED_UNDER_SHORT_BREAKS",
    "NO_FIXED_TIMESCALE",
    "SHORT_BREAKS_REGIME",
    "STANDARD_REGIME",
    "SW_VISIT",
    "VERSION",
    "legislation",
    "ref",
]

_LEGISLATION = "https://www.legislation.gov.uk/"


def legislation(path: str) -> str:
    """The canonical legislation.gov.uk address of ``path`` (``uksi/2010/959/regulation/4``)."""
    return _LEGISLATION + path


CPPCR = Instrument(
    code="SI 2010/959",
    title="Care Planning, Placement and Case Review (England) Regulations 2010",
    url=legislation("uksi/2010/959"),
)

#: CPPCR 2010 came into force on 1 April 2011; earlier clocks ran under the 1991 regulations.
CPPCR_IN_FORCE = InForce(start=date(2011, 4, 1))
VERSION = "2011-04-01"

HELD_REVIEW = EventMatch(type="review", fields=(("cancelled", False),))  # A22: never cancelled
SW_VISIT = EventMatch(type="visit", fields=(("by", "social_worker"),))

#: The variant of a rule for ``regime: standard`` periods, and for series of short breaks (reg 48).
STANDARD_REGIME = (AttrCondition(target="period", field="regime", equals="standard"),)
SHORT_BREAKS_REGIME = (AttrCondition(target="period", field="regime", equals="short_breaks"),)

#: A duty reg 48(3) disapplies: the short-breaks variant is one unconditional exemption.
NO_FIXED_TIMESCALE = (OffsetOption(offset=None, label="no timescale applies"),)


def NOT_REQUIRED_UNDER_SHORT_BREAKS(what: str) -> tuple[Exemption, ...]:
    """The exemption of a short-breaks variant: ``what`` (``"regulation 9 (the placement
    plan)"``) does not apply to a series of short breaks (reg 48(3))."""
    return (
        Exemption(
            when=(),
            status="not_required",
            reason="short_breaks",
            label=f"{what} does not apply to a child placed for a series of short breaks "
            "(reg 48(3))",
        ),
    )


def ref(ref: str, offset: Days | Weeks | Months | WorkingDays | None = None) -> DateExpr:
    """``DateExpr(ref=..., offset=...)``, for brevity."""
    return DateExpr(ref=ref, offset=offset)


PLACEMENT_START = (AnchorOption(date=ref("placement.start"), label="the start of the placement"),)
