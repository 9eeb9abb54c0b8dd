"""Plain-English explanations of obligations, built from what the engine recorded.

An explanation has three parts: how the due date was reached (the *head*), what happened (the
*tail*), and where the duty comes from (the citation and the rule version). Every phrase comes from
a declaration's labels or from the data; nothing here knows a rule. ``docs/explanations.md`` shows
one real explanation for every rule and branch (generated, checked in CI).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, Final, NamedTuple, Protocol, cast

from lacplan.calendar import fmt_date
from lacplan.model import EVENT_TYPES, Event
from lacplan.obligation import Obligation
from lacplan.offsets import OffsetNote, describe_offset
from lacplan.rules.pack import Layer
from lacplan.rules.schema import Citation, OffsetOption, Rule
from lacplan.rules.state import EndedBy, Scope
from lacplan.rules.windows import Window


class WindowLike(Protocol):
    """What ``head`` reads of a schedule window."""

    @property
    def start(self) -> date: ...
    @property
    def end(self) -> date: ...
    @property
    def name(self) -> str: ...
    @property
    def due(self) -> date: ...


__all__ = [
    "EVENT_NOUNS",
    "Deferred",
    "Label",
    "Note",
    "Tail",
    "Timing",
    "cited",
    "ended_phrase",
    "ended_words",
    "ending_tail",
    "event_phrase",
    "explanation",
    "head",
    "itself",
    "not_in_force_tail",
    "outcome_explanation",
    "outcome_tail",
    "too_late_tail",
    "verdict",
]

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
    "dental_check": "a dental check",
    "permanence_plan": "a plan for permanence",
    "review_consultation": "a consultation of the child about the review",
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
    if event.date_precision == "year":
        ref += " (recorded for the year ending on its date; the source gives no exact day)"
    return EVENT_NOUNS[event.type] + ref


def ended_phrase(scope: Scope, as_of: date) -> str:
    """How the scope ended: ``"care ended at 18 on Mon 1 Jan 2024"``."""
    return ended_words(scope.ended_by, scope.end, scope.end_label, as_of)


def ended_words(ended_by: str, end: date | None, end_label: str, as_of: date) -> str:
    """:func:`ended_phrase` from a scope's ``ended_by``, ``end`` and ``end_label``."""
    when = fmt_date(end or as_of)
    if ended_by == "18":
        return f"care ended at 18 on {when}"
    if ended_by == "rule":
        return f"{end_label} on {when}"
    if ended_by == "placement":
        return f"the placement ended on {when}"
    return f"the period of care ended on {when}"


def _after(option: OffsetOption, anchor: date, anchor_label: str, note: str) -> str:
    """``"20 working days after Fri 18 Dec 2020 (the date ...), skipping ..."``; a negative
    offset reads "before"."""
    offset = option.offset
    assert offset is not None
    word = "after" if offset.n >= 0 else "before"
    size = describe_offset(offset if offset.n >= 0 else type(offset)(n=-offset.n))
    setting = f" (setting {offset.setting})" if offset.setting else ""
    text = f"{size}{setting} {word} {fmt_date(anchor)} ({anchor_label})"
    return f"{text}, {note}" if note else text


def head(
    anchor: tuple[date, str],
    due: date | None,
    note: str,
    option: OffsetOption | None,
    capped: tuple[str, date, str] | None,
    window: WindowLike | None = None,
) -> tuple[str, str]:
    """How the due date was reached, and the *basis* a dependent rule may quote.

    ``capped`` is ``(label, offset due, offset note)`` when an ``earlier_of`` date replaced the
    offset's due date; ``window`` the window of a windowed schedule.
    """
    a_date, a_label = anchor
    if window is not None:
        span = f"{fmt_date(window.start)} to {fmt_date(window.end)}"
        if window.due == window.end:
            text = f"Due {fmt_date(window.due)}: the end of the {window.name} ({span})."
        else:
            text = (
                f"Due {fmt_date(window.due)}, the day the scope ended, in the {window.name} "
                f"({span})."
            )
        return (f"{text} {note}" if note else text), ""
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


def cited(citation: Citation, rule: Rule, layer: Layer | None = None) -> str:
    """``"SI 2010/959 reg 33(1) (version 2011-04-01)."``, naming a non-standard variant and,
    for an overlay, its pack and the base rule it tightens."""
    variant = "" if rule.variant == "standard" else f"{rule.variant.replace('_', '-')} variant, "
    text = f"{citation.label} ({variant}version {rule.version})."
    if layer is None or layer.source == "statutory":
        return text
    kind = "An agency standard" if layer.source == "agency" else "A local standard"
    beside = f", beside the statutory {rule.base_rule}" if rule.base_rule else ""
    return f"{text} {kind} of pack {layer.name}{beside}."


Deferred = tuple[Any, ...]
"""Text not written yet: ``(function, *arguments)``, a flat tuple (smaller than a ``partial``:
a report keeps one or two per unread explanation)."""

Label = str | Deferred
"""How an anchor is named: text, or a recipe writing it when asked (:func:`itself`)."""

Note = str | OffsetNote
"""How an offset reached its date from the anchor: text, or the option's shared
:class:`~lacplan.offsets.OffsetNote`, written for the obligation's anchor when an explanation
asks."""


def itself(label: str, prior: Obligation) -> str:
    """An anchor taken from ``prior``'s due date, carrying over how that date was reached (its
    skipped holidays): ``"the due date of the first review, itself 20 working days after ..."``."""
    basis = prior.basis
    return f"{label}, itself {basis}" if basis else label


class Timing(NamedTuple):
    """How one obligation was timed, as the engine recorded it (what its explanation reads)."""

    anchor: tuple[date, Label]  # the date and its label (or the label's recipe: :func:`itself`)
    due: date | None
    note: Note  # how the offset reached the due date (holidays skipped, month-end clamp)
    option: OffsetOption | None
    option_index: int  # -1 for windows and per-event anchors without offsets
    capped: tuple[str, date, Note] | None  # (label, offset due, offset note) of an earlier_of
    capped_index: int
    window: Window | None = None


Tail = str | Deferred
"""The "what happened" part of an explanation: text, or ``(function, *arguments)`` writing it
when asked."""


def explanation(
    ob: Obligation,
    a_label: Label,
    note: Note,
    shape: tuple[str, date, Note] | Window | None,
    tail: str | Any,
    *tail_args: Any,
) -> tuple[str, str]:
    """``(explanation, basis)`` of ``ob``, from what the evaluation recorded (run only when the
    explanation, or the basis a dependent rule quotes, is first read).

    What the obligation holds is read from it: its anchor and due date, its branch (a duty
    that does not arise, under an exemption without a due date, has no timescale to explain)
    and, from its :class:`~lacplan.obligation.RuleFacts`, the offset option that timed it and
    the :func:`cited` sentence that ends the text. The arguments are the rest, as the engine's
    ``_build`` writes the recipe ``(explanation, *arguments)``: what the explanation reads of
    a :class:`Timing` (``a_label`` its anchor's label; ``shape`` its ``capped`` tuple or its
    ``window``, which never come together, or ``None``), then the :data:`Tail`, flattened: its
    text, or its function then the function's arguments (``tail_args``). One flat tuple, and
    nothing in it that the obligation has already, keeps a report small. Offset notes are
    written here, for the anchor."""
    due = ob.due
    facts = ob._rule
    capped: tuple[str, date, Note] | None = None
    window: Window | None = None
    if type(shape) is tuple:
        capped = cast("tuple[str, date, Note]", shape)
    elif shape is not None:
        window = cast(Window, shape)
    if due is None and ob.branch.startswith("exemption:"):
        text, basis = "", ""
    else:  # each deferred part written here (without a call per part)
        a_date = ob.anchor
        assert a_date is not None  # the engine dates every obligation's anchor
        written: tuple[str, date, str] | None = None
        if capped is not None:  # the offset's own note, from the same anchor
            offset_note = capped[2]
            written = (
                capped[0],
                capped[1],
                offset_note if isinstance(offset_note, str) else offset_note.at(a_date),
            )
        label: str = a_label if isinstance(a_label, str) else a_label[0](*a_label[1:])
        how: str = note if isinstance(note, str) else note.at(a_date)
        text, basis = head((a_date, label), due, how, facts.option, written, window)
    what = tail if isinstance(tail, str) else tail(*tail_args)
    if what:  # the parts that are not empty, joined by spaces (no generator per call)
        text = f"{text} {what}" if text else what
    citing: str = facts.citing
    if citing:
        text = f"{text} {citing}" if text else citing
    return text, basis


def outcome_explanation(
    ob: Obligation,
    a_label: Label,
    note: Note,
    event: str | None = None,
    shape: tuple[str, date, Note] | Window | None = None,
    data_until: date | None = None,
) -> tuple[str, str]:
    """:func:`explanation` with the :func:`outcome_tail` of ``ob`` (most obligations: timed by
    an offset or a window, no ending event), its status, the day it was met and how its scope
    ends (``ScopeFacts.close``) read from the obligation itself. The engine leaves the
    trailing arguments that are ``None`` out of the recipe (most are), so a report keeps
    three to six items for it instead of ten."""
    close = ob._scope.close
    assert close is not None  # set by the engine before it builds the scope's obligations
    return explanation(
        ob, a_label, note, shape, outcome_tail, ob.status, event, ob.closed_on, data_until, close
    )


def ending_tail(status: str, label: str, event: str | None, on: date | None) -> str:
    """What an ending event did (``event``: its :func:`event_phrase`)."""
    assert event is not None and on is not None
    if label:
        return f"{verdict(status)}: {label} ({event}, {fmt_date(on)})."
    return f"{verdict(status)}: {event} on {fmt_date(on)}."


def not_in_force_tail(versions: Sequence[Rule], on: date) -> str:
    """Why no version of a rule judged it: none was in force on ``on``."""
    starts = ", ".join(fmt_date(v.in_force.start) for v in versions)
    return (
        f"Not evaluated: no version of this rule was in force on {fmt_date(on)} "
        f"(versions start {starts})."
    )


def too_late_tail(closes: date | None) -> str:
    assert closes is not None
    return f"Not met by {fmt_date(closes)}, after which it could not be done in time."


def outcome_tail(
    status: str,
    event: str | None,
    closed_on: date | None,
    data_until: date | None,
    close: tuple[date, EndedBy, date | None, str],
) -> str:
    """What happened, for an obligation timed by its offset or window (no ending); ``event`` is
    the :func:`event_phrase` of the event that met it, ``close`` the scope's ``(as_of,
    ended_by, end, end_label)`` (one tuple per scope). (Tails keep phrases, not events: a
    report's unread explanations must not keep every child's events alive.)"""
    as_of, ended_by, end, end_label = close
    if event is not None and closed_on is not None:
        return f"Met on {fmt_date(closed_on)} by {event}."
    if data_until is not None:
        return f"Not met by {fmt_date(data_until)}, when the data ends."
    if status == "overdue":
        return f"Not met as at {fmt_date(as_of)}."
    if status == "pending":
        return f"Not yet met as at {fmt_date(as_of)}."
    ended = ended_words(ended_by, end, end_label, as_of)
    if status == "missed":
        return f"Not met before {ended}."
    return f"{ended[0].upper()}{ended[1:]}, before the due date."  # not_required
