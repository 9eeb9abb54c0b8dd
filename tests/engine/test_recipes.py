"""What a report keeps for each explanation it has not written (issue 12): one flat recipe, and
offset notes shared by every obligation one offset option times under one calendar."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from lacplan import evaluate, load_cases
from lacplan.calendar import england_and_wales
from lacplan.model import Case
from lacplan.obligation import _QUOTED, explanation_text
from lacplan.offsets import OffsetNote, offset_note
from lacplan.report import Report
from lacplan.rules import get_pack
from lacplan.rules.compiled import program
from lacplan.rules.engine import _NOTES_MAX
from lacplan.rules.explain import explanation, outcome_explanation

DEMO = Path(__file__).parents[2] / "src" / "lacplan" / "data" / "demo_cases.jsonl"
AS_OF = date(2024, 6, 3)


# Where a recipe's parts are: (explanation, anchor label, note, capped or window, *tail), or
# (outcome_explanation, anchor label, note, [event, [capped or window, [data until]]]).
NOTE, CAPPED, TAIL = 2, 3, 4


def _capped(recipe: tuple[object, ...]) -> bool:
    """Whether an ``earlier_of`` date capped the obligation this recipe explains."""
    if recipe[0] is outcome_explanation:
        return len(recipe) > 4 and type(recipe[4]) is tuple
    return type(recipe[CAPPED]) is tuple


def _demo() -> list[Case]:
    return [c for c in load_cases(DEMO) if isinstance(c, Case)]


def _fresh(report: Report) -> Report:
    assert all(o._recipe is not None for o in report.obligations)
    return report


def test_obligations_of_one_offset_option_share_one_note() -> None:
    report = _fresh(evaluate(_demo(), as_of=AS_OF))
    notes = [
        (o._rule.option, recipe[NOTE])  # the offset option (the rule's facts) and its note
        for o in report.obligations
        if (recipe := o._recipe) is not None and isinstance(recipe[NOTE], OffsetNote)
    ]
    assert notes, "the demo cases have working-day and month offsets"
    kept: dict[tuple[int, int, str], set[int]] = {}
    for option, note in notes:
        assert option is not None and note.offset is option.offset
        kept.setdefault((id(option), id(note.calendar), note.month_arithmetic), set()).add(id(note))
    # One object per compiled option and calendar (a declaration's option may serve several
    # of a rule's compiled versions, each with its own memo).
    entries: dict[int, int] = {}
    for rp in program(get_pack("england")).rules:
        for var in rp.variants:
            for cr in var.versions:
                for entry in cr.offsets:
                    entries[id(entry[1])] = entries.get(id(entry[1]), 0) + 1
    assert all(len(ids) <= entries[key[0]] for key, ids in kept.items())
    assert len(notes) > 2 * len(kept)  # and shared by the obligations that option times


def test_a_shared_note_is_written_for_each_obligations_own_anchor() -> None:
    report = _fresh(evaluate(_demo(), as_of=AS_OF))
    checked = 0
    for o in report.obligations:
        recipe = o._recipe
        assert recipe is not None
        note = recipe[NOTE]
        if isinstance(note, OffsetNote):
            assert o.anchor is not None
            text = note.at(o.anchor)
            assert text == offset_note(o.anchor, note.offset, note.calendar, note.month_arithmetic)
            if text:  # the note is part of the explanation (unless an earlier date capped it)
                assert text in o.explanation or _capped(recipe)
                checked += 1
    assert checked


def test_a_recipe_is_one_flat_tuple_ending_with_its_tail() -> None:
    report = _fresh(evaluate(_demo(), as_of=AS_OF))
    outcomes = 0
    for o in report.obligations:
        recipe = o._recipe
        assert recipe is not None
        if recipe[0] is outcome_explanation:  # trailing Nones left out
            assert 3 <= len(recipe) <= 6 and recipe[-1] is not None
            close = o._scope.close  # how the scope ends, one tuple per scope
            assert close is not None and close[0] == AS_OF
            outcomes += 1
        else:
            assert recipe[0] is explanation
            tail = recipe[TAIL]  # the tail's text, or its function then its arguments
            if isinstance(tail, str):
                assert len(recipe) == TAIL + 1
            else:
                assert callable(tail) and len(recipe) > TAIL + 1
        assert not any(type(part) is tuple and callable(part[0]) for part in recipe[TAIL:])
        # Nothing the obligation holds itself: its dates, its status, its rule's facts.
        shared = [x for x in (o._rule.option, o._rule.citing) if x]
        assert not any(part is x for part in recipe[1:] for x in shared)
    assert outcomes > len(report.obligations) / 2  # most obligations
    assert [o.as_dict()["explanation"] for o in report.obligations] == [
        o.explanation for o in evaluate(_demo(), as_of=AS_OF).obligations
    ]


def test_the_note_memo_is_bounded_and_its_notes_stay_right() -> None:
    """A service may build a calendar (with closures) for every request: an option keeps notes
    for at most ``_NOTES_MAX`` calendars, and a note made after the memo was emptied writes the
    same text."""
    cases = _demo()[:1]
    base = england_and_wales()
    expected = [o.explanation for o in evaluate(cases, as_of=AS_OF, calendar=base).obligations]
    for k in range(_NOTES_MAX + 6):
        # Closures in 1995, long before any of the case's dates, change no date or note.
        calendar = base.with_closures([date(1995, 1, 2) + timedelta(days=k)])
        got = evaluate(cases, as_of=AS_OF, calendar=calendar)
        assert [o.explanation for o in got.obligations] == expected
    sizes = [
        len(entry[7])
        for rp in program(get_pack("england")).rules
        for var in rp.variants
        for cr in var.versions
        for entry in cr.offsets
    ]
    assert max(sizes) <= _NOTES_MAX
    assert max(sizes) > 1  # several calendars were kept, not one


def test_an_exemptions_text_and_branch_are_written_once_per_rule() -> None:
    """Every obligation one exemption exempts holds the same text and branch objects, written
    when the pack was compiled (``Not required: ...`` and ``exemption:<reason>``)."""
    report = _fresh(evaluate(_demo(), as_of=AS_OF))
    exempt = [o for o in report.obligations if o.branch.startswith("exemption:")]
    assert len(exempt) > 1
    recipes = [o._recipe for o in exempt]  # kept, so no object's id is reused while compared
    texts: dict[tuple[str, str], set[int]] = {}
    branches: dict[tuple[str, str], set[int]] = {}
    for o, recipe in zip(exempt, recipes, strict=True):
        assert recipe is not None and isinstance(recipe[TAIL], str)
        texts.setdefault((o.rule, o.branch), set()).add(id(recipe[TAIL]))
        branches.setdefault((o.rule, o.branch), set()).add(id(o.branch))
    for o, recipe in zip(exempt, recipes, strict=True):
        assert recipe is not None and recipe[TAIL] in o.explanation
    assert all(len(ids) == 1 for ids in texts.values())
    assert all(len(ids) == 1 for ids in branches.values())
    assert len(exempt) > len(texts)  # shared, not only unique


def test_most_recipes_are_kept_in_the_obligations_own_slots() -> None:
    """(outcome_explanation, label, note[, event]) is kept as the function in ``_said`` and
    its arguments in three slots; reading the explanation writes it and drops them."""
    report = _fresh(evaluate(_demo(), as_of=AS_OF))
    in_slots = [o for o in report.obligations if type(o._said) is not tuple]
    assert len(in_slots) > len(report.obligations) / 2
    expected = [o.explanation for o in evaluate(_demo(), as_of=AS_OF).obligations]
    for o in in_slots:
        assert o._said is outcome_explanation and o._label is not None
        recipe = o._recipe
        assert recipe is not None and recipe[0] is outcome_explanation and len(recipe) in (3, 4)
    assert [explanation_text(o) for o in report.obligations] == expected
    # A copy keeps no explanation (only the bases later explanations quoted).
    assert all(type(o._said) is not tuple or o._said[0] is _QUOTED for o in in_slots)
    for o in in_slots:
        assert o.explanation  # written and kept ...
        assert o._label is None and o._note is None and o._event is None  # ... slots dropped
    assert [o.explanation for o in report.obligations] == expected


def test_a_quoted_basis_is_kept_without_the_explanation() -> None:
    """A later obligation's explanation reads an earlier one's basis (``itself``): the basis
    is kept beside the recipe, the explanation still written only when asked for."""
    fresh = evaluate(_demo(), as_of=AS_OF)
    expected = [o.explanation for o in evaluate(_demo(), as_of=AS_OF).obligations]
    texts = [explanation_text(o) for o in fresh.obligations]  # writes and quotes, keeps none
    assert texts == expected
    quoted = [o for o in fresh.obligations if type(o._said) is tuple and o._said[0] is _QUOTED]
    assert quoted, "the demo's reviews quote the due date of the review before"
    assert all(o._recipe is not None for o in fresh.obligations)  # no explanation kept
    for o in quoted:
        assert o.basis == o._said[1] and o.basis in o.explanation  # the kept basis, then text
        assert o._recipe is None
    assert [o.explanation for o in fresh.obligations] == expected
