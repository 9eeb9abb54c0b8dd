"""The built-in England pack is declared without validation (``trusted_construction``, for the
cold start); here every declaration goes through the full pydantic path and must come out equal.

Rule files, overlays, ``Rule.model_validate`` and ``Rule(...)`` outside that block are validated
as always; the content hash, computed without pydantic's serializers, equals the one of
``model_dump(mode="json")``.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import sys
import threading
from collections.abc import Iterator
from datetime import date
from types import ModuleType
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

import lacplan.rules
from lacplan.domain import base
from lacplan.domain.base import trusted_construction
from lacplan.offsets import WorkingDays
from lacplan.rules import get_pack
from lacplan.rules.conventions import _DEFAULT_CONVENTIONS, Conventions, TermWindow
from lacplan.rules.england import ENGLAND
from lacplan.rules.files import dump_rule_file, loads_rule_file
from lacplan.rules.pack import RulePack
from lacplan.rules.schema import (
    AnchorOption,
    DateExpr,
    EventMatch,
    InForce,
    OffsetOption,
    Rule,
    Satisfaction,
    Windows,
)
from lacplan.rules.terms import Citation, _json_value

ENGLAND_MODULES = "lacplan.rules.england"


@contextlib.contextmanager
def _validating() -> Iterator[None]:
    """Stands in for ``trusted_construction``: declarations are validated as any others."""
    assert not base._TRUSTED.get()
    yield


def _england_declared_with_validation(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """A fresh import of ``lacplan.rules.england`` (and its modules) in which every
    declaration is validated; the modules already imported are put back afterwards."""
    monkeypatch.setattr(base, "trusted_construction", _validating)
    saved = {
        name: module
        for name, module in sys.modules.items()
        if name == ENGLAND_MODULES or name.startswith(ENGLAND_MODULES + ".")
    }
    for name in saved:
        del sys.modules[name]
    try:
        return importlib.import_module(ENGLAND_MODULES)
    finally:
        for name in [n for n in sys.modules if n.startswith(ENGLAND_MODULES)]:
            del sys.modules[name]
        sys.modules.update(saved)
        lacplan.rules.england = saved[ENGLAND_MODULES]  # type: ignore[attr-defined]


def _nodes(obj: Any) -> Iterator[Any]:
    yield obj
    if isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            yield from _nodes(getattr(obj, name))
    elif isinstance(obj, tuple | list):
        for item in obj:
            yield from _nodes(item)


def test_every_builtin_declaration_validates_to_what_is_constructed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    validated = _england_declared_with_validation(monkeypatch).ENGLAND
    assert validated is not ENGLAND
    assert validated.ids == ENGLAND.ids
    assert len(validated.rules) == len(ENGLAND.rules)
    for checked, trusted in zip(validated.rules, ENGLAND.rules, strict=True):
        assert checked == trusted, checked.key
        assert checked.model_fields_set == trusted.model_fields_set, checked.key
        for a, b in zip(_nodes(checked), _nodes(trusted), strict=True):
            assert type(a) is type(b), checked.key
            if isinstance(a, BaseModel):
                assert a.model_fields_set == b.model_fields_set, (checked.key, type(a))
                assert list(a.__dict__) == list(b.__dict__), (checked.key, type(a))
    assert validated.content_hash == ENGLAND.content_hash
    assert repr(validated.rules) == repr(ENGLAND.rules)


def test_every_builtin_declaration_round_trips_through_validation() -> None:
    for rule in ENGLAND.rules:
        assert Rule.model_validate(rule.model_dump()) == rule, rule.key
        assert Rule.model_validate_json(rule.model_dump_json()) == rule, rule.key


def test_the_builtin_pack_round_trips_through_its_rule_file() -> None:
    again = loads_rule_file(dump_rule_file(ENGLAND))
    assert again.rules == ENGLAND.rules
    assert again.content_hash == ENGLAND.content_hash


# ---------------------------------------------------------------- what stays validated
def test_declarations_are_validated_outside_the_trusted_block() -> None:
    with pytest.raises(ValidationError, match="must be lower-case words"):
        _rule(id="Not An Id")
    with pytest.raises(ValidationError, match="unknown date reference"):
        DateExpr(ref="no.such.ref")
    with pytest.raises(ValidationError, match="must use https"):
        Citation(instrument="X", instrument_title="X", provision="1", url="http://x", status="P")
    with pytest.raises(ValidationError, match=r"in_force\.end is before"):
        InForce(start=date(2020, 1, 2), end=date(2020, 1, 1))
    with pytest.raises(ValidationError, match="give exactly one"):
        Windows(starting_after=DateExpr(ref="period.start"))
    with pytest.raises(ValidationError, match="valid integer"):
        WorkingDays(n="twenty")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        EventMatch(type="visit", colour="red")  # type: ignore[call-arg]
    assert EventMatch(type="visit", fields={"by": "social_worker"}).fields == (  # type: ignore[arg-type]
        ("by", "social_worker"),
    )


def test_rule_files_are_validated() -> None:
    text = dump_rule_file(ENGLAND).replace('id = "care-plan"', 'id = "Care Plan"', 1)
    with pytest.raises(Exception, match="must be lower-case words"):
        loads_rule_file(text)


def test_the_trusted_block_stores_values_as_given_and_defaults_in_field_order() -> None:
    with trusted_construction():
        stored = DateExpr(ref="no.such.ref")
        rule = _rule(id="Not An Id")
    assert stored.ref == "no.such.ref"
    assert list(stored.__dict__) == list(DateExpr.model_fields)
    assert stored.model_fields_set == {"ref"}
    assert rule.id == "Not An Id"
    assert rule.schedule == Rule.model_fields["schedule"].default_factory()  # type: ignore[misc]
    assert list(rule.__dict__) == list(Rule.model_fields)
    # Outside the block again: validated.
    with pytest.raises(ValidationError):
        DateExpr(ref="no.such.ref")


def test_the_trusted_block_still_refuses_missing_and_unknown_fields() -> None:
    with trusted_construction():
        with pytest.raises(TypeError, match="missing field 'ref'"):
            DateExpr()  # type: ignore[call-arg]
        with pytest.raises(TypeError, match="unknown field"):
            DateExpr(ref="anchor", colour="red")  # type: ignore[call-arg]


def test_the_trusted_block_is_local_to_its_thread() -> None:
    errors: list[BaseException] = []

    def other_thread() -> None:
        try:
            DateExpr(ref="no.such.ref")
        except ValidationError as exc:
            errors.append(exc)

    with trusted_construction():
        thread = threading.Thread(target=other_thread)
        thread.start()
        thread.join()
    assert len(errors) == 1


# ---------------------------------------------------------------- conventions
def test_the_default_conventions_are_those_validated() -> None:
    checked = Conventions()
    assert checked == _DEFAULT_CONVENTIONS
    assert _DEFAULT_CONVENTIONS.model_fields_set == checked.model_fields_set == set()
    for term in _DEFAULT_CONVENTIONS.school_terms:
        assert TermWindow.model_validate(term.model_dump()) == term
    assert Conventions.model_validate(_DEFAULT_CONVENTIONS.model_dump()) == checked


@pytest.mark.parametrize(
    "conventions",
    [
        Conventions(),
        Conventions(
            month_arithmetic="fixed_days",
            review_before_move_months=6,
            school_terms=(
                TermWindow(name="year", start_month=4, start_day=1, end_month=3, end_day=31),
            ),
            pep_ages=(5, 15),
        ),
    ],
)
def test_conventions_as_dict_is_model_dump(conventions: Conventions) -> None:
    dumped = conventions.model_dump(mode="json")
    assert list(conventions.as_dict().items()) == list(dumped.items())
    assert json.dumps(conventions.as_dict()) == json.dumps(dumped)
    assert json.dumps(_DEFAULT_CONVENTIONS.as_dict()) == json.dumps(
        Conventions().model_dump(mode="json")
    )


def test_conventions_are_validated() -> None:
    with pytest.raises(ValidationError):
        TermWindow(name="x", start_month=13, start_day=1, end_month=1, end_day=1)
    with pytest.raises(ValidationError):
        Conventions(review_before_move_months=-1)
    with pytest.raises(ValidationError):
        Conventions(month_arithmetic="lunar")  # type: ignore[arg-type]


# ---------------------------------------------------------------- the content hash
@pytest.mark.parametrize("name", ["england", "england+ifa"])
def test_content_hash_is_that_of_model_dump(name: str) -> None:
    pack = get_pack(name)
    dumped = [r.model_dump(mode="json") for r in pack.rules]
    assert [_json_value(r) for r in pack.rules] == dumped
    content: list[Any] = list(dumped)
    if len(pack.layers) > 1 or pack.layers[0].closures:
        content.append(
            [[la.name, la.source, [d.isoformat() for d in la.closures]] for la in pack.layers]
        )
    blob = json.dumps(content, sort_keys=True)
    assert pack.content_hash == hashlib.sha256(blob.encode()).hexdigest()[:16]


def test_content_value_refuses_types_it_does_not_know() -> None:
    assert _json_value((date(2020, 1, 2), None, True, 3, "x")) == ["2020-01-02", None, True, 3, "x"]
    with pytest.raises(TypeError, match="float"):
        _json_value(1.5)


def test_a_pack_of_validated_rules_hashes_like_the_same_rules_constructed() -> None:
    with trusted_construction():
        trusted = _rule(id="my-rule")
    checked = _rule(id="my-rule")
    assert trusted == checked
    a = RulePack("p", "1", [trusted])
    b = RulePack("p", "1", [checked])
    assert a.content_hash == b.content_hash


def _rule(**overrides: Any) -> Rule:
    fields: dict[str, Any] = {
        "id": "my-rule",
        "title": "A rule",
        "scope": "period",
        "citation": Citation(
            instrument="SI 2010/959",
            instrument_title="CPPCR",
            provision="reg 4",
            url="https://www.legislation.gov.uk/uksi/2010/959",
            status="P",
        ),
        "version": "1",
        "in_force": InForce(start=date(2011, 4, 1)),
        "anchor": (AnchorOption(date=DateExpr(ref="period.start"), label="the start"),),
        "offsets": (OffsetOption(offset=WorkingDays(n=10)),),
        "satisfied_by": Satisfaction(events=(EventMatch(type="care_plan"),)),
    }
    fields.update(overrides)
    return Rule(**fields)
