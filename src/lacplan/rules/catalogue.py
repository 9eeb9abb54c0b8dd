"""The rule catalogue, rendered from the declarations (never written by hand).

``docs/rules.md`` is this module's markdown output; CI fails when it is stale::

    python -m lacplan.rules.catalogue --write docs/rules.md   # regenerate
    python -m lacplan.rules.catalogue --check docs/rules.md   # exit 1 if stale
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from lacplan.offsets import describe_offset
from lacplan.rules.pack import RulePack
from lacplan.rules.schema import (
    AgeCondition,
    AttrCondition,
    Chain,
    Condition,
    ConventionCondition,
    DateBefore,
    DateExpr,
    DateOnOrAfter,
    EventExists,
    EventState,
    LookedAfterFor,
    NotCondition,
    PerEvent,
    Rule,
    RuleStatusCondition,
    Windows,
)

__all__ = ["describe_condition", "describe_date", "render_catalogue"]

_REF_WORDS = {
    "anchor": "the anchor",
    "due": "the due date",
    "period.start": "the period of care's start",
    "period.first_placement_start": "the first placement's start",
    "placement.start": "the placement's start",
    "placement.end": "the placement's end",
}


def describe_date(expr: DateExpr) -> str:
    """Plain English for a date reference, e.g. ``"the first placement's start - 3 months"``."""
    rr = expr.rule_ref
    if rr:
        text = f"{rr[0]}'s {rr[1].replace('_', ' ')}"
    elif expr.fact:
        text = f"the {expr.fact.replace('_', ' ')} date"
    else:
        text = _REF_WORDS[expr.ref]
    if expr.offset is not None:
        sign = "+" if expr.offset.n >= 0 else "-"
        text += f" {sign} {describe_offset(type(expr.offset)(n=abs(expr.offset.n)))}"
    if expr.minus_months_convention:
        text += f" - `{expr.minus_months_convention}` months"
    return text


def describe_condition(c: Condition) -> str:
    """Plain English for one condition."""
    if isinstance(c, AttrCondition):
        return f"{c.target.replace('_', ' ')} {c.field} is {json.dumps(c.equals)}"
    if isinstance(c, AgeCondition):
        parts = []
        if c.below is not None:
            parts.append(f"under {c.below}")
        if c.at_least is not None:
            parts.append(f"at least {c.at_least}")
        if c.range_convention is not None:
            parts.append(f"within the `{c.range_convention}` ages")
        return f"the child is {' and '.join(parts)} on {_REF_WORDS.get(c.on, c.on)}"
    if isinstance(c, DateBefore):
        return f"{_REF_WORDS.get(c.on, c.on)} is before {describe_date(c.limit)}"
    if isinstance(c, DateOnOrAfter):
        return f"{_REF_WORDS.get(c.on, c.on)} is on or after {c.date.isoformat()}"
    if isinstance(c, EventState):
        return (
            f"the latest {c.set.describe()} / {c.clear.describe()} event ({c.scope}) on or before "
            f"{_REF_WORDS.get(c.on, c.on)} is {c.set.describe()}"
        )
    if isinstance(c, EventExists):
        return (
            f"a {c.match.describe()} event ({c.scope}) is dated on or after "
            f"{describe_date(c.start)} and before {describe_date(c.before)}"
        )
    if isinstance(c, LookedAfterFor):
        return (
            f"the child has been looked after continuously for {c.months} months on "
            f"{_REF_WORDS.get(c.on, c.on)}"
        )
    if isinstance(c, RuleStatusCondition):
        return f"{c.rule} is {' or '.join(c.status_in)}"
    if isinstance(c, ConventionCondition):
        return f"convention `{c.name}` is {json.dumps(c.equals)}"
    if isinstance(c, NotCondition):
        return "not (" + " and ".join(describe_condition(x) for x in c.conditions) + ")"
    raise TypeError(type(c).__name__)  # pragma: no cover


def _when(conds: Sequence[Condition]) -> str:
    return " and ".join(describe_condition(c) for c in conds) if conds else "always"


def _schedule(rule: Rule) -> str:
    s = rule.schedule
    if isinstance(s, Chain):
        return "recurring: each interval starts on the date the previous one was met or closed"
    if isinstance(s, PerEvent):
        return f"one per {s.event.describe()} event, anchored on its date"
    if isinstance(s, Windows):
        source = (
            f"`{s.windows_convention}`"
            if s.windows_convention
            else ", ".join(
                f"{w.name} ({w.start_day}/{w.start_month} to {w.end_day}/{w.end_month})"
                for w in s.windows
            )
        )
        return (
            f"one per {source} window starting after "
            f"{describe_date(s.starting_after)}, due at the window's end (at least {s.min_count} "
            "event in the window)"
        )
    return "once per scope"


def _rule_markdown(rule: Rule) -> list[str]:
    c = rule.citation
    out = [
        f"### `{rule.id}`: {rule.title}",
        "",
        f"- **Scope:** {rule.scope}; **schedule:** {_schedule(rule)}",
        f"- **Variant / version:** `{rule.variant}` / `{rule.version}`, in force from "
        f"{rule.in_force.start.isoformat()}"
        + (f" to {rule.in_force.end.isoformat()}" if rule.in_force.end else ""),
        f"- **Citation:** [{c.label}]({c.url}) ({c.instrument_title}); verification: "
        f"**{c.status}**" + (f". {c.note}" if c.note else ""),
    ]
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
    sat = rule.satisfied_by
    bounds = []
    if sat.start:
        bounds.append(f"on or after {describe_date(sat.start)}")
    if sat.after:
        bounds.append(f"after {describe_date(sat.after)}")
    if sat.end:
        bounds.append(f"on or before {describe_date(sat.end)}")
    out.append(
        f"- **Satisfied by:** {' or '.join(e.describe() for e in sat.events)} "
        f"({sat.scope or rule.scope} events, {sat.pick} match"
        + (", " + ", ".join(bounds) if bounds else "")
        + ")"
    )
    for ex in rule.exemptions:
        out.append(f"- **{ex.status} (`{ex.reason}`):** {ex.label}; when {_when(ex.when)}")
    for en in rule.endings:
        out.append(
            f"- **Closed by** {en.event.describe()} (`{en.reason}`): {en.on_or_before_due} if on "
            f"or before the due date, {en.after_due} after it"
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
        width = max((len(r.id) for r in rules), default=2)
        for r in rules:
            lines.append(
                f"  {r.id.ljust(width)}  {r.scope:<9}  {r.citation.label:<32}  "
                f"{r.citation.status:<10}  {r.title}"
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
        "| id | title | scope | citation | status |",
        "|---|---|---|---|---|",
    ]
    for r in rules:
        out.append(
            f"| [`{r.id}`](#{r.id}-{_slug(r.title)}) | {r.title} | {r.scope} | "
            f"{r.citation.label} | {r.citation.status} |"
        )
    out.append("")
    for r in rules:
        out.extend(_rule_markdown(r))
    return "\n".join(out)


def _slug(title: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in title.lower()).strip("-")


def main(argv: Sequence[str] | None = None) -> int:
    from lacplan.rules import get_pack

    p = argparse.ArgumentParser(prog="python -m lacplan.rules.catalogue")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--write", metavar="PATH")
    g.add_argument("--check", metavar="PATH")
    p.add_argument("--rules", default="england")
    args = p.parse_args(argv)
    text = render_catalogue(get_pack(args.rules), "markdown")
    if args.write:
        Path(args.write).write_text(text, encoding="utf-8")
        return 0
    current = Path(args.check).read_text(encoding="utf-8") if Path(args.check).exists() else ""
    if current != text:
        sys.stderr.write(
            f"{args.check} is stale: run python -m lacplan.rules.catalogue --write {args.check}\n"
        )
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
