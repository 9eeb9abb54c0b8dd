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
    RuleStatusCondition,
)

__all__ = [
    "CPPCR",
    "CPPCR_IN_FORCE",
    "FIRST_REVIEW_IN_DATA",
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

#: A26: with a source that starts part-way through a period, the review chain runs from the first
#: held review the data shows (when the first review's own clock started before the data).
FIRST_REVIEW_IN_DATA = AnchorOption(
    when=(
        RuleStatusCondition(
            rule="review-first", status_in=("not_evaluated",), reason_in=("start_before_data",)
        ),
    ),
    date=DateExpr(ref="data.start", first_on_or_after=HELD_REVIEW),
    label="the first review the data shows (the clock started before the data)",
)

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
