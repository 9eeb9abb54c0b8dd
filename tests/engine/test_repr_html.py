"""The notebook views: Report._repr_html_ and ChildResult._repr_html_."""

from __future__ import annotations

import dataclasses
import time
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

import lacplan
from lacplan import Case, ChildResult, Finding, Obligation, RecordError, Report, evaluate
from lacplan.model import Problem
from lacplan.report import HTML_CHILD_MAX_ROWS, HTML_MAX_ROWS, STATUS_ORDER

DEMO = Path(lacplan.__file__).parent / "data" / "demo_cases.jsonl"
AS_OF = date(2024, 3, 31)
VOID = {"br"}
CHECKED = {"div", "p", "span", "b", "table", "thead", "tbody", "tr", "th", "td"}


class _Tables(HTMLParser):
    """Checks that tags nest and close, and collects the text of each table row's cells."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.rows: list[list[str]] = []
        self.tags: set[str] = set()
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        if tag in VOID:
            return
        assert tag in CHECKED, f"unexpected tag {tag}"
        self.stack.append(tag)
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def parse(html: str) -> _Tables:
    parser = _Tables()
    parser.feed(html)
    parser.close()
    assert parser.stack == [], f"unclosed {parser.stack}"
    return parser


def body_rows(html: str) -> list[list[str]]:
    """The table's rows without its header row."""
    rows = parse(html).rows
    return rows[1:] if rows else []


@pytest.fixture(scope="module")
def report() -> Report:
    return evaluate(lacplan.load_cases(DEMO), as_of=AS_OF)


def _reference(obligations: tuple[Obligation, ...]) -> list[Obligation]:
    """The attention order, by a full sort: status order, then overdue and met late by most
    days late, missed and pending by due date (undated last), then report order."""

    def key(item: tuple[int, Obligation]) -> tuple[int, int, int]:
        pos, o = item
        if o.status in ("overdue", "met_late"):
            within = -(o.days_late or 0)
        elif o.status in ("missed", "pending"):
            within = o.due.toordinal() if o.due else 10**9
        else:
            within = 0
        return (STATUS_ORDER.index(o.status), within, pos)

    return [o for _, o in sorted(enumerate(obligations), key=key)]


def test_report_html_is_well_formed_and_self_contained(report: Report) -> None:
    """Tags balance; inline styles only: no script, style sheet, link or external resource."""
    html = report._repr_html_()
    parsed = parse(html)
    assert {"table", "tr", "td", "th"} <= parsed.tags
    lowered = html.lower()
    for banned in ("<script", "<style", "<link", "src=", "href=", "http"):
        assert banned not in lowered
    assert "as of 2024-03-31" in html and "rules england 2026.12" in html
    assert "6 children" in html and "204 obligations" in html


def test_header_badges_in_status_order(report: Report) -> None:
    """The header counts each status present, in STATUS_ORDER, each in a coloured badge."""
    html = report._repr_html_()
    header = html.split("<table", 1)[0]
    positions = [header.index(f">{n} {s}</span>") for s, n in report.status_counts().items()]
    assert positions == sorted(positions)
    assert "background:#" in header


def test_rows_are_most_urgent_first(report: Report) -> None:
    """Every cut (including inside a status) shows the first rows of the full attention
    order: overdue by most days late, then missed, met late, pending by due date..."""
    expected = _reference(report.obligations)
    for max_rows in (1, 3, 5, 9, 20, 40, 150, 204, 500):
        rows = body_rows(report._repr_html_(max_rows=max_rows))
        want = expected[:max_rows]
        assert [(r[0], r[2], r[3], r[4], r[6]) for r in rows] == [
            (
                o.child_id,
                o.rule,
                o.placement_id or "",
                o.due.isoformat() if o.due else "-",
                o.status,
            )
            for o in want
        ]
    top = body_rows(report._repr_html_(max_rows=1))[0]
    assert top[6] == "overdue" and top[7] == str(
        max(o.days_late or 0 for o in report.obligations if o.status == "overdue")
    )


def test_columns(report: Report) -> None:
    """The report's table: child, period, rule, placement, due, met on, status, days late,
    reason."""
    header = parse(report._repr_html_()).rows[0]
    assert header == [
        "child",
        "period",
        "rule",
        "placement",
        "due",
        "met on",
        "status",
        "days late",
        "reason",
    ]


def test_row_cap_and_the_note(report: Report) -> None:
    """At most max_rows rows, then a note saying how many more and where to find them."""
    html = report._repr_html_(max_rows=10)
    assert len(body_rows(html)) == 10
    assert "194 more obligations not shown; use report.to_dataframe() or report.rows()" in html
    assert len(body_rows(report._repr_html_())) == min(HTML_MAX_ROWS, 204)
    assert "not shown" not in report._repr_html_(max_rows=204)


def test_ids_and_labels_are_escaped() -> None:
    """Child, period and placement ids and labels with markup characters appear escaped."""
    nasty = '<script>&"x"'
    case = Case.model_validate(
        {
            "child_id": nasty,
            "date_of_birth": "2012-04-02",
            "labels": {"team": "<i>T&'1'"},
            "periods": [
                {
                    "period_id": "<p>",
                    "start": "2020-12-18",
                    "placements": [{"placement_id": "<PL&>", "start": "2020-12-18"}],
                }
            ],
        }
    )
    report = evaluate(case, as_of=date(2021, 2, 1))
    bad = RecordError(file="<f>.jsonl", line=3, child_id='<e>&"', problems=())
    report = dataclasses.replace(report, errors=(bad,))
    for html in (report._repr_html_(), report.children[0]._repr_html_()):
        for raw in (nasty, "<i>", "<p>", "<PL&>", "<f>", "<e>"):
            assert raw not in html
        assert "&lt;script&gt;&amp;&quot;x&quot;" in html
        parse(html)
    rows = body_rows(report._repr_html_())
    assert rows[0][0] == nasty and {r[1] for r in rows} == {"<p>"}


def test_errors_and_findings_counted_and_only_a_few_listed(report: Report) -> None:
    """Rejected records and findings are counted in the header; only the first few listed."""
    errors = tuple(
        RecordError(
            file="cases.jsonl",
            line=n,
            child_id=f"R{n}",
            problems=(Problem("date_of_birth", "invalid_date", "not a date"),),
        )
        for n in range(1, 11)
    )
    finding = Finding("odd_gap", "periods[1]", "a gap of a day between periods")
    children = (dataclasses.replace(report.children[0], findings=(finding,) * 5),)
    small = dataclasses.replace(report, errors=errors, children=children)
    html = small._repr_html_()
    assert "10 records rejected" in html and "5 findings" in html
    assert "cases.jsonl:1 (child R1): invalid_date" in html
    assert "cases.jsonl:4 " not in html and "and 7 more rejected" in html
    assert html.count("odd_gap") == 3 and "and 2 more findings" in html
    parse(html)


def test_an_empty_report() -> None:
    """No children: a header and a line saying there are no obligations, no table."""
    report = evaluate([], as_of=AS_OF)
    html = report._repr_html_()
    assert "0 children" in html and "No obligations." in html and "<table" not in html
    parse(html)


def test_child_html(report: Report) -> None:
    """A child's view: its id, labels, counts and its own table (no child column)."""
    child = report.child("DEMO-003")
    html = child._repr_html_()
    parsed = parse(html)
    assert "child DEMO-003" in html and "team=T-NORTH" in html
    assert parsed.rows[0][0] == "period"
    assert [r[5] for r in parsed.rows[1:]] == [o.status for o in _reference(child.obligations)]


def test_child_html_row_cap() -> None:
    """A child with more obligations than HTML_CHILD_MAX_ROWS shows that many and a note."""
    report = evaluate(lacplan.load_cases(DEMO), as_of=AS_OF)
    obligations = report.obligations[:150]
    child = ChildResult(child_id="BIG", labels={}, obligations=obligations, findings=())
    html = child._repr_html_()
    assert len(body_rows(html)) == HTML_CHILD_MAX_ROWS
    assert f"{150 - HTML_CHILD_MAX_ROWS} more obligations not shown" in html
    assert len(body_rows(child._repr_html_(max_rows=7))) == 7


def test_twenty_thousand_children_stay_small_and_fast(report: Report) -> None:
    """20,000 children: the HTML stays under 200,000 characters, shows HTML_MAX_ROWS rows
    (the most urgent), and is built in well under a few seconds."""
    many = tuple(
        dataclasses.replace(report.children[i % len(report.children)], child_id=f"K{i:05}")
        for i in range(20_000)
    )
    big = dataclasses.replace(report, children=many)
    total = sum(len(c.obligations) for c in many)
    start = time.perf_counter()
    html = big._repr_html_()
    elapsed = time.perf_counter() - start
    assert len(html) < 200_000
    rows = body_rows(html)
    assert len(rows) == HTML_MAX_ROWS < total
    assert f"{total - HTML_MAX_ROWS} more obligations not shown" in html
    statuses = [r[6] for r in rows]
    assert statuses == sorted(statuses, key=STATUS_ORDER.index)
    assert "20000 children" in html
    assert elapsed < 5.0
