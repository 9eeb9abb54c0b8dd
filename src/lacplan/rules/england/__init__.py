"""The England statutory rule pack (``rules="england"``).

Rules are declared, with their citations, in one module per instrument or part:

* ``care_planning_2010.py``: CPPCR 2010 plans, notification, reviews, review before a move,
  health assessments and personal education plans;
* ``visits_2010.py``: CPPCR 2010 Part 5 visits (reg 28) and the child seen alone (reg 29);
* ``guidance.py``: the plan for permanence by the second review and the yearly SDQ;
* ``leaving_care_2010.py``: CPPCR 2010 Part 7 and the Care Leavers (England) Regulations 2010;
* ``short_breaks_2010.py``: the reg 48 variants for a series of short breaks;
* ``before_2011.py``: the versions in force before 1 April 2011 (the 1991 regulations);
* ``coronavirus_2020.py``: the SI 2020/445 version of the placement plan (24 Apr-25 Sep 2020).

This module fixes the catalogue order (the order rule ids first appear) and the pack's version.
The modules are imported inside ``trusted_construction()``: their declarations are stored without
validation (for the cold start) and ``tests/rules/test_builtin_declarations.py`` validates every
one of them; the ``RulePack`` checks run as for any pack.
"""

from __future__ import annotations

from lacplan.domain.base import trusted_construction
from lacplan.rules.pack import RulePack

with trusted_construction():
    from lacplan.rules.england import (
        before_2011,
        care_planning_2010,
        coronavirus_2020,
        guidance,
        leaving_care_2010,
        short_breaks_2010,
        visits_2010,
    )

__all__ = ["ENGLAND", "PACK_VERSION"]

#: Bumped whenever a declaration changes (reports record it with the content hash).
PACK_VERSION = "2026.12"

ENGLAND = RulePack(
    "england",
    PACK_VERSION,
    (
        *care_planning_2010.RULES,
        *visits_2010.RULES,
        *guidance.RULES,
        *leaving_care_2010.RULES,
        *short_breaks_2010.RULES,
        *before_2011.RULES,
        *coronavirus_2020.RULES,
    ),
    title="England: Care Planning, Placement and Case Review (England) Regulations 2010, the "
    "Care Leavers (England) Regulations 2010, earlier and temporary versions, and statutory "
    "guidance",
)
