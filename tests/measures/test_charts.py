"""Charts: the CLI writes valid PNG and SVG files; the API returns matplotlib Figures."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from xml.etree import ElementTree

import pytest

from lacplan import evaluate, load_cases
from lacplan.cli import main
from lacplan.model import Case

pytest.importorskip("matplotlib")

EXAMPLE = "docs/examples/case.json"
DEMO = "src/lacplan/data/demo_cases.jsonl"


def test_plot_writes_a_png(tmp_path: Path) -> None:
    out = tmp_path / "child.png"
    assert main(["plot", EXAMPLE, "--as-of", "2021-03-01", "-o", str(out)]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_needs_a_child_among_several_and_an_image_name(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["plot", DEMO, "--as-of", "2024-06-03", "-o", str(tmp_path / "x.png")])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["plot", EXAMPLE, "--as-of", "2021-03-01", "-o", str(tmp_path / "x.pdf")])
    assert exc.value.code == 2
    out = tmp_path / "demo.svg"
    assert main(["plot", DEMO, "--as-of", "2024-06-03", "--child", "DEMO-004", "-o", str(out)]) == 0
    assert ElementTree.parse(out).getroot().tag.endswith("svg")


def test_summary_chart_svg_is_valid_xml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "summary.svg"
    code = main(
        [
            "summary",
            DEMO,
            "--as-of",
            "2024-06-03",
            "--period",
            "2020-04-01..2025-03-31",
            "--chart",
            str(out),
        ]
    )
    assert code == 0
    root = ElementTree.parse(out).getroot()
    assert root.tag.endswith("svg")
    text = out.read_text(encoding="utf-8")
    assert "review-first" in text and "days late" in text
    capsys.readouterr()


def test_api_returns_figures() -> None:
    from matplotlib.figure import Figure

    from lacplan.charts import child_timeline, summary_chart
    from lacplan.measures import summary_rows

    cases = [c for c in load_cases(DEMO) if isinstance(c, Case)]
    report = evaluate(cases, as_of=date(2024, 6, 3))
    fig = child_timeline(cases[0], report.children[0], as_of=report.as_of)
    assert isinstance(fig, Figure)
    rows = summary_rows(
        report.children, as_of=report.as_of, period=(date(2020, 4, 1), date(2025, 3, 31))
    )
    assert isinstance(summary_chart(rows, report.obligations), Figure)
