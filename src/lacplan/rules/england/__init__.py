"""The England statutory rule pack (``rules="england"``).

Rules are declared, with their citations, in one module per instrument; this module fixes the
catalogue order and the pack's version.
"""

from __future__ import annotations

from lacplan.rules.england.care_planning_2010 import RULES as _CPPCR_RULES
from lacplan.rules.pack import RulePack

__all__ = ["ENGLAND", "PACK_VERSION"]

#: Bumped whenever a declaration changes (reports record it with the content hash).
PACK_VERSION = "2026.11"

ENGLAND = RulePack(
    "england",
    PACK_VERSION,
    _CPPCR_RULES,
    title="England: Care Planning, Placement and Case Review (England) Regulations 2010 and "
    "statutory guidance",
)
