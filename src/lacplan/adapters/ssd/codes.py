"""What SSD codes and the descriptions case systems write in their place mean for the model.

The SSD keeps the SSDA903 code lists for placement types (``clap_cla_placement_type``),
episode reasons and legal statuses, but the System C extract writes the case system's
*description* of a legal status instead of its code (``Care Order Sec. 31(a)``), and health
checks carry free text. Descriptions are matched by the words below (case and spacing
ignored); each one read is reported once as a finding, so a council can check the match.
"""

from __future__ import annotations

from typing import Final

from lacplan.adapters.ssda903.codes import CODE_LISTS

__all__ = [
    "DENTAL_CHECK",
    "HEALTH_ASSESSMENT",
    "check_kind",
    "check_status",
    "legal_status_code",
]

_LS_CODES: Final = frozenset(CODE_LISTS["LS"])

#: (words all present in the description, upper-cased) -> SSDA903 legal status; first match.
_LS_WORDS: Final[tuple[tuple[tuple[str, ...], str], ...]] = (
    (("INTERIM", "CARE ORDER"), "C1"),
    (("INTERIM", "SUPERVISION"), "C1"),
    (("CARE ORDER",), "C2"),
    (("FREEING",), "D1"),
    (("PLACEMENT ORDER",), "E1"),
    (("EMERGENCY PROTECTION",), "L2"),
    (("POLICE PROTECTION",), "L1"),
    (("CHILD ASSESSMENT ORDER",), "L3"),
    (("REMAND",), "J1"),
    (("PACE",), "J2"),
    (("YOUTH REHABILITATION",), "J3"),
    (("SHORT BREAK",), "V3"),
    (("SHORT-TERM BREAK",), "V3"),
    (("REGULAR OCC",), "V3"),
    (("SINGLE PLACEMENT",), "V2"),
    (("S20",), "V2"),
    (("SECTION 20",), "V2"),
)


def legal_status_code(text: str) -> tuple[str, bool]:
    """The SSDA903 legal status for a cell (normalised text): ``(code, from_description)``;
    ``("", True)`` when the text is neither a code nor a description matched."""
    if text in _LS_CODES:
        return text, False
    for words, code in _LS_WORDS:
        if all(w in text for w in words):
            return code, True
    return "", True


HEALTH_ASSESSMENT: Final = "health_assessment"
DENTAL_CHECK: Final = "dental_check"


def check_kind(text: str) -> str | None:
    """``health_assessment`` (``Health Assessment``, ``Initial``/``Review Health
    Assessment``, ``Health Check``, ``HEALTH``), ``dental_check`` (``Dental Check``,
    ``DENTAL``), or ``None`` for other checks (e.g. an optician's)."""
    if "DENTAL" in text:
        return DENTAL_CHECK
    if "HEALTH" in text and not any(w in text for w in ("OPTIC", "HEARING", "SIGHT")):
        return HEALTH_ASSESSMENT
    return None


#: ``clah_health_check_status`` (normalised) -> what it means: done, refused, or not held.
_STATUS: Final[dict[str, str]] = {
    "": "done",  # Mosaic writes no status
    "COMPLETED": "done",
    "COMPLETE": "done",
    "REFUSED": "refused",
    "PLANNED": "planned",
    "CANCELLED": "cancelled",
    "CANCELED": "cancelled",
}


def check_status(text: str) -> str:
    """``done``, ``refused``, ``planned``, ``cancelled`` or ``unknown``."""
    return _STATUS.get(text, "unknown")
