"""SSDA903 code lists, by collection year, and what each code means for the case model.

A collection year is named by the 31 March it ends on (2025 = the 2024-25 return). Validity by
year follows the DfE validator's code-list rules (``data-to-insight/csc-validator-be-903``, rules
143-149 per year) and liiatools' schema diffs: K3 appears in 2024-25; from 2025-26 PLACE drops
H5 and P2 and splits Z1 into Z11-Z14; REC E45-E48 replace E43-E44 and REASON_PLACE_CHANGE CUSTOD
appears from 2018-19. A code outside its years is reported as a finding naming table, row and
column; the row is still used.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "CODE_LISTS",
    "END_REASON_BY_CHANGE",
    "LEGAL_STATUS_BY_LS",
    "LONG_TERM_FOSTER",
    "NEW_PLACEMENT_RNE",
    "PLACEMENT_KIND_BY_PLACE",
    "SHORT_BREAK_LS",
    "TEMPORARY_PLACE",
    "valid_code",
]

_ALWAYS = (0, 9999)

#: (column, code) -> (first collection year, last collection year) in which the code is valid.
CODE_LISTS: Final[dict[str, dict[str, tuple[int, int]]]] = {
    "RNE": {c: _ALWAYS for c in ("S", "L", "P", "T", "B", "U")},
    "LS": {
        c: _ALWAYS
        for c in ("C1", "C2", "D1", "E1", "V2", "V3", "V4", "J1", "J2", "J3", "L1", "L2", "L3")
    },
    "PLACE": {
        **{
            c: _ALWAYS
            for c in (
                "A3", "A4", "A5", "A6", "K1", "K2", "P1", "P3", "R1", "R2", "R3", "R5", "S1",
                "T0", "T1", "T2", "T3", "T4", "U1", "U2", "U3", "U4", "U5", "U6",
            )
        },
        "K3": (2025, 9999),
        "H5": (0, 2025),
        "P2": (0, 2025),
        "Z1": (0, 2025),
        **{c: (2026, 9999) for c in ("Z11", "Z12", "Z13", "Z14")},
    },
    "REC": {
        **{
            c: _ALWAYS
            for c in (
                "X1", "E11", "E12", "E2", "E3", "E4A", "E4B", "E13", "E41", "E5", "E6", "E7",
                "E8", "E9", "E14", "E15", "E16", "E17",
            )
        },
        "E43": (0, 2018),
        "E44": (0, 2018),
        **{c: (2019, 9999) for c in ("E45", "E46", "E47", "E48")},
    },
    "REASON_PLACE_CHANGE": {
        **{
            c: _ALWAYS
            for c in (
                "CARPL", "CLOSE", "ALLEG", "STAND", "APPRR", "CREQB", "CREQO", "CHILD", "LAREQ",
                "PLACE", "OTHER",
            )
        },
        "CUSTOD": (2019, 9999),
    },
    "SEX": {c: _ALWAYS for c in ("1", "2", "M", "F", "U")},
}  # fmt: skip


def valid_code(column: str, code: str, year: int) -> bool:
    """Whether ``code`` is in ``column``'s list for collection ``year``."""
    span = CODE_LISTS[column].get(code)
    return span is not None and span[0] <= year <= span[1]


#: RNE codes that start a new placement (S also starts a period; L is legal status only).
NEW_PLACEMENT_RNE: Final[frozenset[str]] = frozenset({"S", "P", "T", "B", "U"})

#: Legal statuses of an agreed series of short breaks (reg 48): a short-breaks period.
SHORT_BREAK_LS: Final[frozenset[str]] = frozenset({"V3", "V4"})

#: Temporary placements: they do not start a new placement for the placement clocks.
TEMPORARY_PLACE: Final[frozenset[str]] = frozenset({"T0", "T1", "T2", "T3", "T4"})

#: Long-term foster placements (U1 with relatives or friends, U4 with other carers).
LONG_TERM_FOSTER: Final[frozenset[str]] = frozenset({"U1", "U4"})

#: PLACE -> ``Placement.kind``; any other code is ``"other"``.
PLACEMENT_KIND_BY_PLACE: Final[dict[str, str]] = {
    **{c: "foster" for c in ("U1", "U2", "U3", "U4", "U5", "U6")},
    **{c: "residential" for c in ("K1", "K2", "R1", "S1")},
    "P1": "placed_with_parents",
}

#: LS -> the model's legal status (``LegalStatus.status``); any other code is ``"other"``.
LEGAL_STATUS_BY_LS: Final[dict[str, str]] = {
    "C1": "interim_care_order",
    "C2": "care_order",
    "V2": "section_20",
    "E1": "placement_order",
}

#: REASON_PLACE_CHANGE (on the episode starting the new placement) -> the previous placement's
#: ``end_reason``; ``None`` records no reason. ``PLACE`` is a change of status only: not a move.
END_REASON_BY_CHANGE: Final[dict[str, str | None]] = {
    "CARPL": "planned",
    "LAREQ": "planned",
    "STAND": "planned",
    "ALLEG": "immediate_risk",
    "CLOSE": "other",
    "APPRR": "other",
    "CREQB": "other",
    "CREQO": "other",
    "CHILD": "other",
    "CUSTOD": "other",
    "OTHER": None,
}
