"""Plain-English explanations of obligations, built from what the engine recorded.

An explanation has three parts: how the due date was reached (the *head*), what happened (the
*tail*), and where the duty comes from (the citation and the rule version). Every phrase comes from
a declaration's labels or from the data; nothing here knows a rule. ``docs/explanations.md`` shows
one real explanation for every rule and branch (generated, checked in CI).
"""

from __future__ import annotations

from datetime import date
from typing import Final

from lacplan.calendar import fmt_date
from lacplan.model import EVENT_TYPES, Event
from lacplan.offsets import describe_offset
from lacplan.rules.schema import Citation, OffsetOption, Rule
from lacplan.rules.state import Scope

__all__ = ["EVENT_NOUNS", "cited", "ended_phrase", "event_phrase", "head", "verdict"]

#: How explanations name an event of each type.
EVENT_NOUNS: Final[dict[str, str]] = {
    "care_plan": "a care plan",
    "placement_plan": "a placement plan",
    "placement_notification": "a placement notification",
    "review": "a review",
    "health_assessment": "a health assessment",
    "health_consent_refused": "a refusal of consent to a health assessment",
    "pep": "a personal education plan",
    "pep_review": "a personal education plan review",
    "visit": "a visit",
    "reduced_visits_agreed": "an agreement to less frequent visits",
    "reduced_visits_withdrawn": "a withdrawal of the agreement to less frequent visits",
    "needs_assessment": "a needs assessment",
    "pathway_plan": "a pathway plan",
    "pathway_plan_review": "a pathway plan review",
    "sdq": "a Strengths and Difficulties Questionnaire",
    "permanence_plan": "a plan for permanence",
}
assert set(EVENT_NOUNS) == set(EVENT_TYPES), "every event type needs a noun"

_VERDICTS: Final = {
    "exempt": "Exempt",
    "not_required": "Not required",
    "missed": "Missed",
    "met_late": "Closed late",
    "not_evaluated": "Not evaluated",
}


def verdict(status: str) -> str:
    """``"Exempt"``, ``"Not required"``, ... for a status an exemption or ending gives."""
    return _VERDICTS.get(status, status)


def event_phrase(event: Event) -> str:
    """``"a review (event R7)"``."""
    ref = f" (event {event.event_id})" if event.event_id else ""
    return EVENT_NOUNS[event.type] + ref


def ended_phrase(scope: Scope, as_of: date) -> str:
    """How the scope ended: ``"care ended at 18 on Mon 1 Jan 2024"``."""
    when = fmt_date(scope.end or as_of)
    if scope.ended_by == "18":
        return f"care ended at 18 on {when}"
    if scope.ended_by == "rule":
        return f"{scope.end_label} on {when}"
    if scope.ended_by == "placement":
        return f"the placement ended on {when}"
    return f"the period of care ended on {when}"


def _after(option: OffsetOption, anchor: date, anchor_label: str, note: str) -> str:
    """``"20 working days after Fri 18 Dec 2020 (the date ...), skipping ..."``."""
    assert option.offset is not None
    text = f"{describe_offset(option.offset)} after {fmt_date(anchor)} ({anchor_label})"
    return f"{text}, {note}" if note else text


def head(
    anchor: tuple[date, str],
    due: date | None,
    note: str,
    option: OffsetOption | None,
    capped: tuple[str, date, str] | None,
) -> tuple[str, str]:
    """How the due date was reached, and the *basis* a dependent rule may quote.

    ``capped`` is ``(label, offset due, offset note)`` when an ``earlier_of`` date replaced the
    offset's due date.
    """
    a_date, a_label = anchor
    if option is None and due is not None:
        span = f"{fmt_date(a_date)} to {fmt_date(due)}"
        return f"Due {fmt_date(due)}: the end of the {a_label} ({span}).", ""
    if due is None or option is None or option.offset is None:
        what = option.label if option and option.label else "no fixed timescale"
        return (
            f"No fixed due date ({what}); the clock started on {fmt_date(a_date)}, {a_label}.",
            "",
        )
    timescale = f" Timescale: {option.label}." if option.label else ""
    if capped is not None:
        label, offset_due, offset_note = capped
        if option.offset.n == 0 and offset_due == a_date:
            was = a_label
        else:
            was = _after(option, a_date, a_label, offset_note)
        text = f"Due {fmt_date(due)}, {label}: earlier than {fmt_date(offset_due)}, {was}."
        return text + timescale, ""
    if option.offset.n == 0 and due == a_date:
        return f"Due {fmt_date(due)}, {a_label}.{timescale}", ""
    basis = _after(option, a_date, a_label, note)
    return f"Due {fmt_date(due)}: {basis}.{timescale}", basis


def cited(citation: Citation, rule: Rule) -> str:
    """``"SI 2010/959 reg 33(1) (version 2011-04-01)."``, naming a non-standard variant."""
    variant = "" if rule.variant == "standard" else f"{rule.variant.replace('_', '-')} variant, "
    return f"{citation.label} ({variant}version {rule.version})."
