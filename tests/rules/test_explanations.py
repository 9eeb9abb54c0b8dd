"""Explanations are prose a person can read, the catalogue and the rows cite alike, and the
generated pages (docs/explanations.md, docs/regimes.md, docs/rules.md) are current."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lacplan import evaluate
from lacplan.model import parse_case
from lacplan.rules import get_pack
from lacplan.rules.catalogue import render_catalogue, row_citations
from lacplan.rules.england.scenarios import SCENARIOS
from lacplan.rules.explanations import DOCS_PACK, missing_branches, render
from lacplan.rules.regimes import render as render_regimes
from lacplan.rules.schema import Citation

from .conftest import case, ev, expect, ob, period, run

DOCS = Path(__file__).resolve().parents[2] / "docs"
PACK = get_pack(DOCS_PACK)
ALL = [
    (s, o)
    for s in SCENARIOS
    for o in evaluate(parse_case(s.case), as_of=s.as_of, rules=PACK).obligations
]


def test_every_branch_of_every_rule_has_an_example() -> None:
    assert missing_branches(PACK) == []


@pytest.mark.parametrize(
    ("page", "text"),
    [
        ("explanations.md", lambda: render(PACK)),
        ("regimes.md", lambda: render_regimes(PACK)),
        ("rules.md", lambda: render_catalogue(PACK, "markdown")),
    ],
)
def test_generated_pages_are_current(page: str, text: object) -> None:
    assert callable(text)
    assert (DOCS / page).read_text(encoding="utf-8") == text(), f"regenerate docs/{page}"


def test_explanations_read_as_sentences() -> None:
    for _, o in ALL:
        text = o.explanation
        assert text.endswith(".") and "  " not in text, text
        assert not re.search(r"\bthe (became|first review held|move date date)\b", text), text
        assert not re.search(r"\b(a|an|the) (a|an|the)\b", text), text
        assert "()" not in text and ".." not in text and " ." not in text, text
        assert f"version {o.rule_version})" in text, text


def test_rows_cite_what_the_catalogue_lists() -> None:
    versions = {r.key: r for r in PACK.rules}
    for _, o in ALL:
        rule = versions[(o.rule, o.rule_variant or "", o.rule_version or "")]
        labels = {c.label: c.url for c in row_citations(rule)}
        assert o.citation in labels, (o.key, o.citation)
        assert o.citation_url == labels[o.citation]


def test_visit_rows_cite_the_paragraph_of_their_interval() -> None:
    rows = {o.citation for _, o in ALL if o.rule == "visit" and o.rule_variant == "standard"}
    assert {"SI 2010/959 reg 28(2)(b)", "SI 2010/959 reg 28(2)(c)(i)"} <= rows
    assert "SI 2010/959 reg 28(2)" not in rows  # every interval names its own provision


def test_legislation_is_cited_in_one_canonical_form() -> None:
    for rule in PACK.rules:
        for c in (
            rule.citation,
            *rule.also_cites,
            *(o.citation for o in rule.offsets if o.citation),
        ):
            if "legislation" in c.url:
                assert c.url.startswith("https://www.legislation.gov.uk/"), c.url
                assert "/cy/" not in c.url, c.url
    for bad in (
        "https://legislation.gov.uk/uksi/2010/959",
        "https://www.legislation.gov.uk/cy/uksi/2010/959/part/6/made",
        "http://www.legislation.gov.uk/uksi/2010/959",
    ):
        with pytest.raises(ValueError, match="citation url"):
            Citation(instrument="SI", instrument_title="t", provision="p", url=bad, status="P")


def test_care_ended_at_18_is_said_so() -> None:
    # Born Sun 2 Jun 2006, in care from Mon 8 Jan 2024 (open period): the scope ends at 18 on
    # Sun 2 Jun 2024. The second review, due 3 months after a first review on Mon 5 Feb 2024
    # (Sun 5 May), is missed "before care ended at 18", never "the period ended".
    r = run(case("2006-06-02", [period("2024-01-08")], [ev("review", "2024-02-05")]), "2024-07-01")
    o = ob(r, "review-second")
    expect(o, status="missed", due="2024-05-05")
    assert "Not met before care ended at 18 on Sun 2 Jun 2024." in o.explanation
    assert "period of care ended" not in o.explanation
