"""Writing SSD tables for tests: rows as dicts, written as CSV with the SSD's column names, and a
JSON-style case written out as the tables an SSD extract would hold (for the round trip)."""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

#: Every column of the tables lacplan reads (a System C-style superset, names included so
#: that tests can check they are never read).
COLUMNS: dict[str, list[str]] = {
    "ssd_person": [
        "pers_legacy_id",
        "pers_person_id",
        "pers_upn",
        "pers_forename",
        "pers_surname",
        "pers_sex",
        "pers_gender",
        "pers_ethnicity",
        "pers_dob",
        "pers_single_unique_id",
        "pers_upn_unknown",
        "pers_send_flag",
        "pers_expected_dob",
        "pers_death_date",
        "pers_is_mother",
        "pers_nationality",
    ],
    "ssd_cla_episodes": [
        "clae_cla_episode_id",
        "clae_person_id",
        "clae_cla_placement_id",
        "clae_cla_episode_start_date",
        "clae_cla_episode_start_reason",
        "clae_cla_primary_need_code",
        "clae_cla_episode_ceased_date",
        "clae_cla_episode_ceased_reason",
        "clae_cla_id",
        "clae_referral_id",
        "clae_cla_last_iro_contact_date",
        "clae_entered_care_date",
    ],
    "ssd_cla_placement": [
        "clap_cla_placement_id",
        "clap_cla_id",
        "clap_person_id",
        "clap_cla_placement_start_date",
        "clap_cla_placement_type",
        "clap_cla_placement_urn",
        "clap_cla_placement_distance",
        "clap_cla_placement_provider",
        "clap_cla_placement_postcode",
        "clap_cla_placement_end_date",
        "clap_cla_placement_change_reason",
    ],
    "ssd_legal_status": [
        "lega_legal_status_id",
        "lega_person_id",
        "lega_legal_status",
        "lega_legal_status_start_date",
        "lega_legal_status_end_date",
    ],
    "ssd_cla_reviews": [
        "clar_cla_review_id",
        "clar_cla_id",
        "clar_cla_person_id",
        "clar_cla_review_due_date",
        "clar_cla_review_date",
        "clar_cla_review_cancelled",
        "clar_cla_review_participation",
    ],
    "ssd_cla_visits": [
        "clav_cla_visit_id",
        "clav_cla_id",
        "clav_person_id",
        "clav_cla_visit_date",
        "clav_cla_visit_seen",
        "clav_cla_visit_seen_alone",
    ],
    "ssd_cla_health": [
        "clah_health_check_id",
        "clah_person_id",
        "clah_health_check_type",
        "clah_health_check_date",
        "clah_health_check_status",
    ],
    "ssd_sdq_scores": [
        "csdq_table_id",
        "csdq_person_id",
        "csdq_sdq_completed_date",
        "csdq_sdq_score",
        "csdq_sdq_reason",
    ],
    "ssd_cla_care_plan": [
        "lacp_table_id",
        "lacp_person_id",
        "lacp_cla_care_plan_start_date",
        "lacp_cla_care_plan_end_date",
        "lacp_cla_care_plan_json",
    ],
}


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return f"{value.isoformat()} 00:00:00.000"  # as SQL Server renders a datetime
    return str(value)


def write_tables(
    folder: Path, tables: Mapping[str, Sequence[Mapping[str, Any]]], *, columns: bool = True
) -> Path:
    """Write each table as ``<name>.csv`` in ``folder`` (every SSD column when ``columns``,
    blank where a row gives none)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        cols = list(COLUMNS[name]) if columns else list(rows[0])
        with open(folder / f"{name}.csv", "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(cols)
            for row in rows:
                w.writerow([cell(row.get(c)) for c in cols])
    return folder


_PLACE = {"foster": "U6", "residential": "K2", "placed_with_parents": "P1", "other": "Z1"}
_CHANGE = {"planned": "CARPL", "immediate_risk": "ALLEG", "other": "CLOSE", None: "OTHER"}
_LS = {
    "care_order": "C2",
    "interim_care_order": "C1",
    "section_20": "V2",
    "placement_order": "E1",
    "other": "J1",
}


def case_to_tables(case: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """A JSON-style case (standard regime, planned entry, placements contiguous from each
    period's start) as SSD table rows; each event's ``event_id`` becomes its row id."""
    pid = case["child_id"]
    t: dict[str, list[dict[str, Any]]] = {name: [] for name in COLUMNS}
    t["ssd_person"].append(
        {"pers_person_id": pid, "pers_dob": case["date_of_birth"], "pers_forename": "Canary"}
    )
    for period in case["periods"]:
        cla = period["period_id"]
        placements = period["placements"]
        for i, pl in enumerate(placements):
            last = i == len(placements) - 1
            end = pl["end"] if not last else period["end"]
            place = "U4" if pl.get("long_term_foster") else _PLACE[pl["kind"]]
            t["ssd_cla_episodes"].append(
                {
                    "clae_cla_episode_id": f"{cla}-{i}",
                    "clae_person_id": pid,
                    "clae_cla_placement_id": pl["placement_id"],
                    "clae_cla_episode_start_date": pl["start"],
                    "clae_cla_episode_start_reason": "S" if i == 0 else "P",
                    "clae_cla_episode_ceased_date": end,
                    "clae_cla_episode_ceased_reason": (
                        None if end is None else "E11" if last else "X1"
                    ),
                    "clae_cla_id": cla,
                    "clae_entered_care_date": period["start"],
                }
            )
            t["ssd_cla_placement"].append(
                {
                    "clap_cla_placement_id": pl["placement_id"],
                    "clap_cla_id": cla,
                    "clap_person_id": pid,
                    "clap_cla_placement_start_date": pl["start"],
                    "clap_cla_placement_type": place,
                    "clap_cla_placement_end_date": end,
                    "clap_cla_placement_change_reason": (
                        None if last else _CHANGE[pl.get("end_reason")]
                    ),
                    "clap_cla_placement_postcode": "ZZ99 9ZZ",
                }
            )
        statuses = period.get("legal_status", [])
        for j, ls in enumerate(statuses):
            nxt = statuses[j + 1]["from"] if j + 1 < len(statuses) else period["end"]
            t["ssd_legal_status"].append(
                {
                    "lega_legal_status_id": f"{cla}-L{j}",
                    "lega_person_id": pid,
                    "lega_legal_status": _LS[ls["status"]],
                    "lega_legal_status_start_date": ls["from"],
                    "lega_legal_status_end_date": nxt,
                }
            )
    for ev in case["events"]:
        eid, d = ev["event_id"], ev["date"]
        kind = ev["type"]
        if kind == "review":
            t["ssd_cla_reviews"].append(
                {
                    "clar_cla_review_id": eid,
                    "clar_cla_id": ev["_period"],
                    "clar_cla_person_id": pid,
                    "clar_cla_review_date": d,
                    "clar_cla_review_cancelled": "N",
                }
            )
        elif kind == "visit":
            alone = ev.get("seen_alone")
            t["ssd_cla_visits"].append(
                {
                    "clav_cla_visit_id": eid,
                    "clav_cla_id": ev["_period"],
                    "clav_person_id": pid,
                    "clav_cla_visit_date": d,
                    "clav_cla_visit_seen": "Y",
                    "clav_cla_visit_seen_alone": None if alone is None else "Y" if alone else "N",
                }
            )
        elif kind in ("health_assessment", "health_consent_refused", "dental_check"):
            t["ssd_cla_health"].append(
                {
                    "clah_health_check_id": eid,
                    "clah_person_id": pid,
                    "clah_health_check_type": (
                        "Dental Check" if kind == "dental_check" else "Health Assessment"
                    ),
                    "clah_health_check_date": d,
                    "clah_health_check_status": (
                        "Refused" if kind == "health_consent_refused" else "Completed"
                    ),
                }
            )
        elif kind == "sdq":
            t["ssd_sdq_scores"].append(
                {
                    "csdq_table_id": eid,
                    "csdq_person_id": pid,
                    "csdq_sdq_completed_date": d,
                    "csdq_sdq_score": 14,
                }
            )
        elif kind == "care_plan":
            t["ssd_cla_care_plan"].append(
                {"lacp_table_id": eid, "lacp_person_id": pid, "lacp_cla_care_plan_start_date": d}
            )
        else:  # pragma: no cover - the generator makes only the types above
            raise AssertionError(kind)
    return t
