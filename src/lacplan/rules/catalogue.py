"""The rule catalogue, rendered from the declarations (never written by hand).

``docs/rules.md`` is this module's markdown output; CI fails when it is stale::

    python -m lacplan.rules.catalogue --write docs/rules.md   # regenerate
    python -m lacplan.rules.catalogue --check docs/rules.md   # exit 1 if stale
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import date

from lacplan.offsets import describe_offset
from lacplan.rules.gendocs import write_or_check
from lacplan.rules.pack import Layer, RulePack
from lacplan.rules.schema import (
    AgeCondition,
    AllCondition,
    AnyCondition,
    AttrCondition,
    Chain,
    Citation,
    Condition,
    ConventionCondition,
    DateBefore,
    DateExpr,
    DateOnOrAfter,
    EventExists,
    EventState,
    InPeriod,
    LegalStatusIs,
    LookedAfterFor,
    NotCondition,
    PerEvent,
    RollingWindows,
    Rule,
    RuleStatusCondition,
    Windows,
)

__all__ = [
    "anchor_id",
    "describe_condition",
    "describe_date",
    "render_catalogue",
    "row_citations",
]

_REF_WORDS = {
    "anchor": "the anchor",
    "due": "the due date",
    "period.start": "the period of care's start",
    "period.first_placement_start": "the first placement's start",
    "placement.start": "the placement's start",
    "placement.end": "the placement's end",
}
_FACT_WORDS = {
    "birthday_16": "the 16th birthday",
    "birthday_18": "the 18th birthday",
    "birthday_21": "the 21st birthday",
    "leaving_care_eligibility": "the leaving-care eligibility date",
}


def _ref_words(ref: str) -> str:
    if ref in _REF_WORDS:
        return _REF_WORDS[ref]
    if ref.startswith("fact:"):
        return _FACT_WORDS.get(ref[5:], f"the {ref[5:].replace('_', ' ')} date")
    if ref.startswith("legal_status:"):
        return f"the date the legal status became {ref[13:]}"
    rule, _, field = ref[5:].partition(".")
    return f"{rule}'s {field.replace('_', ' ')}"


def describe_date(expr: DateExpr) -> str:
    """Plain English for a date reference, e.g. ``"the first placement's start - 3 months"``."""
    text = _ref_words(expr.ref)
    if expr.latest_before is not None:
        text = f"the latest {expr.latest_before.describe()} event before {text}"
    if expr.offset is not None:
        sign = "+" if expr.offset.n >= 0 else "-"
        text += f" {sign} {describe_offset(type(expr.offset)(n=abs(expr.offset.n)))}"
    if expr.minus_months_convention:
        text += f" - `{expr.minus_months_convention}` months"
    if expr.plus_days_field:
        text += f" + `period.{expr.plus_days_field}` days"
    if expr.not_before:
        text += f", but not before {_ref_words(expr.not_before)}"
    return text


def row_citations(rule: Rule) -> tuple[Citation, ...]:
    """Every citation an obligation of ``rule`` can carry: its offsets' own citations, and the
    rule's where some offset (or a window schedule) has none."""
    own = [o.citation for o in rule.offsets if o.citation is not None]
    if not rule.offsets or len(own) < len(rule.offsets):
        own.insert(0, rule.citation)
    out: list[Citation] = []
    for c in own:
        if all(c.label != seen.label for seen in out):
            out.append(c)
    return tuple(out)


def _labels(citations: Sequence[Citation]) -> str:
    """``"SI 2010/959 reg 28(2)(b), reg 28(2)(c)(i)"``: one instrument code per run."""
    parts: list[str] = []
    last = ""
    for c in citations:
        parts.append(c.provision if c.instrument == last else c.label)
        last = c.instrument
    return ", ".join(parts)


def _short_labels(rule: Rule) -> str:
    """The rule's citation, and how many more its intervals carry (for the terminal table)."""
    more = sum(c.label != rule.citation.label for c in row_citations(rule))
    return rule.citation.label + (f" (+{more} by interval)" if more else "")


def _in_force(rule: Rule) -> str:
    span = (
        rule.in_force.start.isoformat()
        + " to "
        + (rule.in_force.end.isoformat() if rule.in_force.end else "open")
    )
    return span + (" (by anchor)" if rule.chosen_by == "anchor" else "")


def describe_condition(c: Condition) -> str:
    """Plain English for one condition."""
    if isinstance(c, AttrCondition):
        return f"{c.target.replace('_', ' ')} {c.field} is {json.dumps(c.equals)}"
    if isinstance(c, InPeriod):
        return f"{_ref_words(c.on)} falls in the period of care"
    if isinstance(c, LegalStatusIs):
        return f"the legal status on {_ref_words(c.on)} is {' or '.join(c.status_in)}"
    if isinstance(c, AgeCondition):
        parts = []
        if c.below is not None:
            parts.append(f"under {c.below}")
        if c.at_least is not None:
            parts.append(f"at least {c.at_least}")
        if c.range_convention is not None:
            parts.append(f"within the `{c.range_convention}` ages")
        return f"the child is {' and '.join(parts)} on {_ref_words(c.on)}"
    if isinstance(c, DateBefore):
        return f"{_ref_words(c.on)} is before {describe_date(c.limit)}"
    if isinstance(c, DateOnOrAfter):
        return f"{_ref_words(c.on)} is on or after {c.date.isoformat()}"
    if isinstance(c, EventState):
        return (
            f"the latest {c.set.describe()} / {c.clear.describe()} event ({c.scope}) on or before "
            f"{_ref_words(c.on)} is {c.set.describe()}"
        )
    if isinstance(c, EventExists):
        return (
            f"a {c.match.describe()} event ({c.scope}) is dated on or after "
            f"{describe_date(c.start)} and before {describe_date(c.before)}"
        )
    if isinstance(c, LookedAfterFor):
        return (
            f"the child has been looked after continuously for {c.months} months on "
            f"{_ref_words(c.on)}"
        )
    if isinstance(c, RuleStatusCondition):
        return f"{c.rule} is {' or '.join(c.status_in)}"
    if isinstance(c, ConventionCondition):
        return f"convention `{c.name}` is {json.dumps(c.equals)}"
    if isinstance(c, NotCondition):
        return "not (" + " and ".join(describe_condition(x) for x in c.conditions) + ")"
    if isinstance(c, AnyCondition):
        return "(" + " or ".join(describe_condition(x) for x in c.conditions) + ")"
    if isinstance(c, AllCondition):
        return "(" + " and ".join(describe_condition(x) for x in c.conditions) + ")"
    raise TypeError(type(c).__name__)  # pragma: no cover


def _when(conds: Sequence[Condition]) -> str:
    return " and ".join(describe_condition(c) for c in conds) if conds else "always"


def _schedule(rule: Rule) -> str:
    s = rule.schedule
    if isinstance(s, Chain):
        return "recurring: each interval starts on the date the previous one was met or closed"
    if isinstance(s, PerEvent):
        return f"one per {s.event.describe()} event, anchored on its date"
    if isinstance(s, RollingWindows):
        return (
            f"one per window of {describe_offset(s.every)} from {describe_date(s.starting)} "
            f"({s.name.format(n='N', nth='Nth')}), due on its last day (at least "
            f"{s.min_count} event in it)"
        )
    if isinstance(s, Windows):
        source = (
            f"`{s.windows_convention}`"
            if s.windows_convention
            else ", ".join(
                f"{w.name} ({w.start_day}/{w.start_month} to {w.end_day}/{w.end_month})"
                for w in s.windows
            )
        )
        text = (
            f"one per {source} window starting after "
            f"{describe_date(s.starting_after)}, due at the window's end (at least {s.min_count} "
            "event in the window)"
        )
        if s.pro_rata_convention:
            text += (
                "; a window looked after only in part needs one event per "
                f"`{s.pro_rata_convention}` window looked after, and is due when the scope ends "
                "inside it"
            )
        return text
    return "once per scope"


def anchor_id(rule: Rule) -> str:
    """The HTML anchor of a declaration's section in ``docs/rules.md``."""
    return f"{rule.id}--{rule.variant}--{rule.version}".replace("_", "-")


def _rule_markdown(rule: Rule, layer: Layer | None = None) -> list[str]:
    c = rule.citation
    chosen = "chosen by its anchor date" if rule.chosen_by == "anchor" else "chosen by its due date"
    out = [
        f'<a id="{anchor_id(rule)}"></a>',
        "",
        f"### `{rule.id}` ({rule.variant}, {rule.version}): {rule.title}",
        "",
        f"- **Scope:** {rule.scope}; **schedule:** {_schedule(rule)}",
        f"- **Variant / version:** `{rule.variant}` / `{rule.version}`, in force from "
        f"{rule.in_force.start.isoformat()}"
        + (f" to {rule.in_force.end.isoformat()}" if rule.in_force.end else "")
        + f" ({chosen}, A20)",
        f"- **Citation:** [{c.label}]({c.url}) ({c.instrument_title}); verification: "
        f"**{c.status}**" + (f". {c.note}" if c.note else ""),
    ]
    if layer is not None and layer.source != "statutory":
        beside = f"; beside the statutory `{rule.base_rule}`" if rule.base_rule else ""
        out.insert(4, f"- **Pack:** `{layer.name}` ({layer.source} standard){beside}")
    if c.quote:
        out.append(f"  > {c.quote}")
    for extra in rule.also_cites:
        out.append(f"- **Also:** [{extra.label}]({extra.url}); verification: **{extra.status}**")
        if extra.quote:
            out.append(f"  > {extra.quote}")
    if rule.variant_when:
        out.append(f"- **Variant applies when:** {_when(rule.variant_when)}")
    if rule.applies:
        out.append(f"- **Arises when:** {_when(rule.applies)}")
    if rule.scope_end is not None:
        until = (
            "the end of the period of care"
            if rule.scope_end.date is None
            else f"{describe_date(rule.scope_end.date)} ({rule.scope_end.label})"
        )
        out.append(f"- **Runs until:** {until}, instead of the scope's end and the 18th birthday")
    out.append("- **Anchor:**")
    for a in rule.anchor:
        out.append(f"  - {a.label}: {describe_date(a.date)} (when {_when(a.when)})")
    if rule.offsets:
        out.append("- **Due:**")
        for o in rule.offsets:
            what = describe_offset(o.offset) + " after the anchor" if o.offset else "no fixed date"
            cite = f" [{o.citation.label}, {o.citation.status}]" if o.citation else ""
            label = f"{o.label}: " if o.label else ""
            out.append(f"  - {label}{what} (when {_when(o.when)}){cite}")
            for e in o.earlier_of:
                cond = f" when {_when(e.when)}" if e.when else ""
                out.append(
                    f"    - or earlier: {describe_date(e.date)} ({e.label}){cond}, if it resolves"
                )
    sat = rule.satisfied_by
    bounds = []
    if sat.start:
        bounds.append(f"on or after {describe_date(sat.start)}")
    if sat.after:
        bounds.append(f"after {describe_date(sat.after)}")
    if sat.end:
        bounds.append(f"on or before {describe_date(sat.end)} (instead of the scope's end)")
    if sat.within_placements:
        bounds.append("dated inside one of the period's placements")
    if sat.closes_at_end:
        bounds.append("missed once that end has passed")
    out.append(
        f"- **Satisfied by:** {' or '.join(e.describe() for e in sat.events)} "
        f"({sat.scope or rule.scope} events, {sat.pick} match"
        + (", " + ", ".join(bounds) if bounds else "")
        + ")"
    )
    for ex in rule.exemptions:
        out.append(f"- **{ex.status} (`{ex.reason}`):** {ex.label}; when {_when(ex.when)}")
    for en in rule.endings:
        what = f" ({en.label})" if en.label else ""
        out.append(
            f"- **Closed by** {en.event.describe()}{what} (`{en.reason}`): {en.on_or_before_due} "
            f"if on or before the due date, {en.after_due} after it"
        )
    if rule.conventions:
        out.append(f"- **Conventions:** {', '.join(rule.conventions)} (see `docs/conventions.md`)")
    if rule.notes:
        out.append(f"- **Notes:** {rule.notes}")
    out.append("")
    return out


def render_catalogue(pack: RulePack, fmt: str = "markdown", *, on: date | None = None) -> str:
    """The pack's catalogue as ``markdown``, ``json`` or a plain ``table``."""
    rules = pack.in_force(on)
    if fmt == "json":
        return (
            json.dumps(
                {
                    "rules": pack.name,
                    "rules_version": pack.version,
                    "content_hash": pack.content_hash,
                    "declarations": [r.model_dump(mode="json") for r in rules],
                },
                indent=2,
            )
            + "\n"
        )
    if fmt == "table":
        lines = [f"{pack.title} (pack {pack.name} {pack.version})"]
        if on is not None:
            lines[0] += f", in force on {on.isoformat()}"
        if not rules:
            when = f"on {on.isoformat()}" if on is not None else "at any date"
            lines.append(f"  No rule of pack {pack.name} is in force {when}.")
            return "\n".join(lines) + "\n"
        rows = [
            (
                r.id,
                pack.layer(r.id).name,
                r.variant,
                r.version,
                _in_force(r),
                r.scope,
                _short_labels(r),
                r.citation.status,
                r.title,
            )
            for r in rules
        ]
        head = (
            "id",
            "pack",
            "variant",
            "version",
            "in force",
            "scope",
            "citation",
            "status",
            "title",
        )
        widths = [max(len(row[i]) for row in (head, *rows)) for i in range(len(head) - 1)]
        for row in (head, *rows):
            cells = [cell.ljust(w) for cell, w in zip(row, widths, strict=False)]
            lines.append("  " + "  ".join([*cells, row[-1]]).rstrip())
        lines.append(
            "status: how far the citation is verified: P primary text read, S secondary "
            "sources only, UNVERIFIED not confirmed (treat as a hypothesis)."
        )
        return "\n".join(lines) + "\n"
    out = [
        "# Rule catalogue",
        "",
        "<!-- Generated by `python -m lacplan.rules.catalogue --write docs/rules.md` from the",
        "     rule declarations. Do not edit by hand: CI fails when this file is stale. -->",
        "",
        f"Pack `{pack.name}` version `{pack.version}` ({pack.title}); content hash "
        f"`{pack.content_hash}`.",
        "",
        "Verification status: **P** primary text read, **S** secondary sources only, "
        "**UNVERIFIED** not confirmed (treat as a hypothesis).",
        "",
        "Packs: "
        + "; ".join(
            f"`{la.name}` {la.version} ({la.source}"
            + (f", rule ids `{la.prefix}-...`, reported beside the statute" if la.prefix else "")
            + ")"
            for la in pack.layers
        )
        + ".",
        "",
        "Every variant and version is listed, with the dates it is in force and every citation "
        "its obligations can carry (an interval's own provision, such as reg 28(2)(b), where it "
        "has one). Which variant applies under which regime: [regimes.md](regimes.md); one real "
        "explanation of each: [explanations.md](explanations.md).",
        "",
        "| id | pack | variant | version | in force | scope | citations | status |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rules:
        la = pack.layer(r.id)
        source = la.name if la.source == "statutory" else f"{la.name} ({la.source})"
        out.append(
            f"| [`{r.id}`](#{anchor_id(r)}) | {source} | {r.variant} | {r.version} | "
            f"{_in_force(r)} | {r.scope} | {_labels(row_citations(r))} | {r.citation.status} |"
        )
    if not rules:
        out.append("| (no rule in force) | | | | | | | |")
    out.append("")
    for r in rules:
        out.extend(_rule_markdown(r, pack.layer(r.id)))
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    from lacplan.rules import get_pack
    from lacplan.rules.explanations import DOCS_PACK

    pack = get_pack(DOCS_PACK)
    return write_or_check(
        "lacplan.rules.catalogue", lambda: render_catalogue(pack, "markdown"), argv
    )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
