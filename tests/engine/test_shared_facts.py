"""What an obligation shares (issue 12): the fields of its rule version and citation are one
``RuleFacts``, those of its period or placement one ``ScopeFacts``, and an engine-built key is
written when read; none of it changes what an obligation says, compares or pickles as."""

from __future__ import annotations

import pickle
from datetime import date
from pathlib import Path

from lacplan import evaluate, load_cases
from lacplan.model import Case
from lacplan.obligation import RULE_FIELDS, SCOPE_FIELDS, Obligation
from lacplan.privacy import Privacy

DEMO = Path(__file__).parents[2] / "src" / "lacplan" / "data" / "demo_cases.jsonl"
AS_OF = date(2024, 6, 3)


def _demo() -> list[Case]:
    return [c for c in load_cases(DEMO) if isinstance(c, Case)]


def test_obligations_of_one_rule_version_and_scope_share_their_facts() -> None:
    report = evaluate(_demo(), as_of=AS_OF)
    rules: dict[tuple[object, ...], set[int]] = {}
    scopes: dict[tuple[object, ...], set[int]] = {}
    for o in report.obligations:
        citing = (o.rule, o.rule_version, o.rule_variant, o.citation, o._rule.option is None)
        rules.setdefault(citing, set()).add(id(o._rule))
        scopes.setdefault((o.child_id, o.period_id, o.placement_id), set()).add(id(o._scope))
        assert tuple(getattr(o._rule, f) for f in RULE_FIELDS) == tuple(
            getattr(o, f) for f in RULE_FIELDS
        )
        assert tuple(getattr(o._scope, f) for f in SCOPE_FIELDS) == tuple(
            getattr(o, f) for f in SCOPE_FIELDS
        )
    # Few objects, each shared by many obligations (a rule version may compile into several
    # programs, one per pack layer it serves, each with its own facts).
    assert len(report.obligations) > 5 * sum(len(ids) for ids in rules.values())
    assert len(report.obligations) > 5 * sum(len(ids) for ids in scopes.values())
    # One per period or placement, and one for each rule that ends its own clock there.
    assert sum(len(ids) == 1 for ids in scopes.values()) > len(scopes) / 2


def test_an_engine_key_is_written_when_read() -> None:
    report = evaluate(_demo(), as_of=AS_OF)
    for o in report.obligations:
        assert o._scope.key is None  # nothing kept per obligation
        assert o.anchor is not None
        prefix = f"{o.child_id}:{o.period_id}:{o.placement_id or '-'}:"
        assert o.key == f"{prefix}{o.rule}:{o.anchor.isoformat()}"
        assert report.obligation(o.key) is o


def test_a_copy_pickled_or_given_its_key_is_the_same_obligation() -> None:
    report = evaluate(_demo(), as_of=AS_OF)
    for o in report.obligations[:200]:
        back = pickle.loads(pickle.dumps(o))
        assert back == o and back.key == o.key and back.as_dict() == o.as_dict()
        assert back._scope.key == o.key  # a restored obligation holds its key
        given = Obligation(**{**o.as_dict(), "anchor": o.anchor, "due": o.due, "met_on": o.met_on})
        assert given == o and hash(given) == hash(o)


def test_pseudonymised_copies_carry_their_own_key_and_share_the_rules_facts() -> None:
    cases = _demo()[:3]
    plain = evaluate(cases, as_of=AS_OF)
    privacy = Privacy(pseudonymise=True, key=b"k" * 32)
    hidden = evaluate(cases, as_of=AS_OF, privacy=privacy)
    assert len(hidden.obligations) == len(plain.obligations)
    for o, p in zip(plain.obligations, hidden.obligations, strict=True):
        assert p.child_id != o.child_id and p.key != o.key and p._scope.key == p.key
        assert p.key.endswith(o.key[len(o.child_id) :])
        assert p.rule == o.rule and p.title == o.title and p.explanation == o.explanation
