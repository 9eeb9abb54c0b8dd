"""The privacy canary's data: children born on a sentinel date, sentinel keys, and the inputs
that carry them (a JSON document, JSON Lines, an SSDA903 return), good records and bad.

Every child here is born on :data:`SENTINEL_DOB` (13 July 2009) and every child id starts with
:data:`ID_PREFIX`, so that a search of any output for :func:`dob_forms`, :func:`birthday_forms`
or the prefix finds any leak. No event, period or placement of a good record falls on one of
the sentinel's birthdays, and no due date does (``test_the_data_has_no_coincidences`` checks),
so with ``--redact`` no output may hold one.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from lacplan.calendar import birthday, fmt_date
from tests.adapters.ssd_writer import case_to_tables as ssd_case_to_tables
from tests.adapters.ssd_writer import write_tables
from tests.adapters.ssda903_writer import case_to_tables, write_return

SENTINEL_DOB = date(2009, 7, 13)
#: Evaluated as at a day after the 18th birthday (care ended at 18: explanations say so).
AS_OF = "2028-01-10"
ID_PREFIX = "CANARY-ID-"
#: A key file's bytes (fixed: the outputs are compared between runs).
KEY = bytes(range(32, 64))


def forms(d: date) -> tuple[str, ...]:
    """How a date could be written: ISO, the explanations' ``Mon 13 Jul 2009`` (and without
    the weekday), the return's ``13/07/2009``."""
    return (d.isoformat(), fmt_date(d), fmt_date(d)[4:], d.strftime("%d/%m/%Y"))


def dob_forms() -> tuple[str, ...]:
    return forms(SENTINEL_DOB)


def birthdays() -> list[date]:
    """The sentinel's date of birth and its birthdays to the 25th."""
    return [birthday(SENTINEL_DOB, n) for n in range(26)]


def birthday_forms() -> tuple[str, ...]:
    return tuple(f for d in birthdays() for f in forms(d))


def leaks(text: str, needles: Iterable[str]) -> list[str]:
    """The needles found in ``text``."""
    return [n for n in needles if n in text]


def _placement(pid: str, start: str, **more: Any) -> dict[str, Any]:
    return {"placement_id": pid, "start": start, **more}


def good_case(n: int) -> dict[str, Any]:
    """A child looked after from 13 to 18 (eligible for leaving care at 16: the needs
    assessment and pathway plan are anchored on the 16th birthday and its due date)."""
    return {
        "child_id": f"{ID_PREFIX}G{n}",
        "date_of_birth": SENTINEL_DOB.isoformat(),
        "labels": {"team": f"T{n}"},
        "periods": [
            {
                "period_id": "P1",
                "start": "2023-01-09",
                "entry": "planned",
                "placements": [_placement("PL1", "2023-01-09")],
            }
        ],
        "events": [
            {"event_id": "E1", "type": "care_plan", "date": "2023-01-06"},
            {"event_id": "E2", "type": "review", "date": "2023-01-30"},
            {"event_id": "E3", "type": "health_assessment", "date": "2023-02-01"},
            {"event_id": "E4", "type": "visit", "date": "2023-01-16"},
            {"event_id": "E5", "type": "review", "date": "2023-04-24"},
            {"event_id": "E6", "type": "needs_assessment", "date": "2025-09-01"},
            {"event_id": "E7", "type": "pathway_plan", "date": "2025-10-01"},
            {"event_id": "E8", "type": "pathway_plan_review", "date": "2026-03-02"},
        ],
    }


def bad_cases() -> list[dict[str, Any]]:
    """Rejected records, each born on the sentinel or carrying it as a key or a value."""
    dob = SENTINEL_DOB.isoformat()
    return [
        # unknown keys that are the sentinel, in each form
        {
            "child_id": f"{ID_PREFIX}B1",
            "date_of_birth": dob,
            dob: 1,
            "13/07/2009": 2,
            "periods": [],
        },
        # the date of birth in the return's form: not YYYY-MM-DD
        {"child_id": f"{ID_PREFIX}B2", "date_of_birth": "13/07/2009", "periods": []},
        # an unknown event type, an event key that is the sentinel
        {
            "child_id": f"{ID_PREFIX}B3",
            "date_of_birth": dob,
            "periods": [],
            "events": [{"type": "nope", "date": "2023-01-09", fmt_date(SENTINEL_DOB): 1}],
        },
        # a label whose value is not text
        {"child_id": f"{ID_PREFIX}B4", "date_of_birth": dob, "labels": {"team": 5}, "periods": []},
        # a period that starts before the date of birth
        {
            "child_id": f"{ID_PREFIX}B5",
            "date_of_birth": dob,
            "periods": [{"start": "2009-07-12", "placements": [_placement("PL1", "2009-07-12")]}],
        },
    ]


#: Lines of JSON Lines that are not valid JSON, holding the sentinel.
BROKEN_LINES = (
    '{"child_id": "' + ID_PREFIX + 'X1", "date_of_birth": "2009-07-13",\n',
    '{"child_id": "' + ID_PREFIX + 'X2", "2009-07-13": 1, "2009-07-13": 2}\n',
)


def records() -> list[dict[str, Any]]:
    """Good and bad records, interleaved."""
    bad = bad_cases()
    return [good_case(1), bad[0], bad[1], good_case(2), bad[2], bad[3], bad[4], good_case(3)]


def write_json(path: Path) -> Path:
    path.write_text(json.dumps(records(), indent=1), encoding="utf-8")
    return path


def write_jsonl(path: Path) -> Path:
    lines = [json.dumps(r) + "\n" for r in records()]
    lines.insert(2, BROKEN_LINES[0])
    lines.insert(6, BROKEN_LINES[1])
    path.write_text("".join(lines), encoding="utf-8")
    return path


def _ssda903_case(n: int) -> dict[str, Any]:
    case = good_case(n)
    case["events"] = [e for e in case["events"] if e["type"] == "review"]
    return case


def write_ssda903(root: Path) -> list[str]:
    """A return for 2023 to 2028 of two children born on the sentinel, with rejected rows: a
    child whose first episode's DECOM is not a date, one with no CHILD."""
    years = list(range(2023, 2029))
    tables: dict[int, dict[str, list[dict[str, Any]]]] = {y: {} for y in years}
    for n in (1, 2):
        for year, part in case_to_tables(_ssda903_case(n), years).items():
            for table, rows in part.items():
                tables[year].setdefault(table, []).extend(rows)
    bad = f"{ID_PREFIX}S9"
    tables[2024]["Header"].append({"CHILD": bad, "SEX": "1", "DOB": SENTINEL_DOB, "ETHNIC": "WBRI"})
    tables[2024]["Episodes"].append(
        {
            "CHILD": bad,
            "DECOM": "31/02/2024",
            "RNE": "S",
            "LS": "C2",
            "CIN": "N1",
            "PLACE": "U3",
            "PLACE_PROVIDER": "PR1",
        }
    )
    tables[2024]["Reviews"].append(
        {"CHILD": "", "DOB": SENTINEL_DOB, "REVIEW": "01/02/2024", "REVIEW_CODE": "PN1"}
    )
    return write_return(root, tables)


def write_ssd(root: Path) -> list[str]:
    """An SSD extract of two children born on the sentinel (their reviews, visits, health
    assessments and care plans), with rejected rows: a child whose visit's date is not a date,
    a health check with no person id. The person table also carries a name (never read)."""
    tables: dict[str, list[dict[str, Any]]] = {}
    kept = {"review", "visit", "health_assessment", "care_plan"}
    for n in (1, 2):
        case = good_case(n)
        case["periods"][0]["period_id"] = f"P{n}"
        case["events"] = [
            {**e, "event_id": f"{n}-{e['event_id']}", "_period": f"P{n}"}
            for e in case["events"]
            if e["type"] in kept
        ]
        case["date_of_birth"] = SENTINEL_DOB
        for e in case["events"]:
            e["date"] = date.fromisoformat(e["date"])
        for pl in case["periods"][0]["placements"]:
            pl["start"] = date.fromisoformat(pl["start"])
            pl.setdefault("end", None)
            pl.setdefault("kind", "foster")
        case["periods"][0]["start"] = date.fromisoformat(case["periods"][0]["start"])
        case["periods"][0]["end"] = None
        for table, rows in ssd_case_to_tables(case).items():
            tables.setdefault(table, []).extend(rows)
    bad = f"{ID_PREFIX}S9"
    tables["ssd_person"].append({"pers_person_id": bad, "pers_dob": SENTINEL_DOB})
    tables["ssd_cla_episodes"].append(
        {
            "clae_cla_episode_id": "X9",
            "clae_person_id": bad,
            "clae_cla_episode_start_date": date(2024, 1, 8),
            "clae_cla_episode_start_reason": "S",
            "clae_cla_id": "P9",
        }
    )
    tables["ssd_cla_visits"].append(
        {"clav_cla_visit_id": "V9", "clav_person_id": bad, "clav_cla_visit_date": "31/02/2024"}
    )
    tables["ssd_cla_health"].append(
        {
            "clah_health_check_id": "H9",
            "clah_person_id": "",
            "clah_health_check_date": "13/07/2009",
            "clah_health_check_type": "Health Assessment",
        }
    )
    return [str(write_tables(root, tables)), "--input-format", "ssd", "--extract-date", AS_OF]


def label_case() -> dict[str, Any]:
    """A good child with a label named by the sentinel (labels are shown as they are)."""
    case = good_case(7)
    case["labels"] = {SENTINEL_DOB.isoformat(): "v"}
    return case


def rejected_label_case() -> dict[str, Any]:
    """A rejected record with a label named by the sentinel (whose value is not text)."""
    return {
        "child_id": f"{ID_PREFIX}B8",
        "date_of_birth": SENTINEL_DOB.isoformat(),
        "labels": {SENTINEL_DOB.isoformat(): 5},
        "periods": [],
    }


def private_key_file(path: Path) -> Path:
    """:data:`KEY` in a file readable by its owner only."""
    path.write_bytes(KEY)
    os.chmod(path, 0o600)
    return path


def walk_strings(value: Any) -> Iterator[tuple[str, str]]:
    """``(path, text)`` for every string (keys included) in a JSON value."""
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        where, v = stack.pop()
        if isinstance(v, dict):
            for k, x in v.items():
                yield f"{where}.<key>", str(k)
                stack.append((f"{where}.{k}", x))
        elif isinstance(v, list):
            stack.extend((f"{where}[]", x) for x in v)
        elif v is not None:
            yield where, str(v)
