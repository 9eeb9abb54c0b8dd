"""The SSD tables lacplan reads, recognised by their columns (never by file name), and one read
table.

Column names follow the Standard Safeguarding Dataset (Data to Insight's ``ssd-data-model``:
the object definitions and the System C, Mosaic and Eclipse extract scripts, which differ a
little). Every column of a table starts with the table's prefix (``clae_`` for
``ssd_cla_episodes``), so a file is recognised by the prefix its columns share. Only the columns
listed in ``read`` are kept from a file: names, addresses and every other personal field are
dropped as the file is read and never reach the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from lacplan.adapters.ssd.values import Cell

__all__ = ["TABLES", "SsdRow", "SsdTable", "TableSpec", "identify"]


@dataclass(frozen=True, slots=True)
class TableSpec:
    """One SSD table: its name, column prefix, the columns read, those it cannot do without,
    and whether lacplan uses it."""

    name: str
    prefix: str
    read: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    used: bool = False


def _spec(name: str, prefix: str, read: str = "", required: str = "") -> TableSpec:
    return TableSpec(name, prefix, tuple(read.split()), tuple(required.split()), bool(read))


#: The tables lacplan uses, then the other SSD tables it recognises (read, counted, ignored).
TABLES: Final[tuple[TableSpec, ...]] = (
    _spec(
        "ssd_person",
        "pers_",
        "pers_person_id pers_dob pers_expected_dob",
        "pers_person_id pers_dob",
    ),
    _spec(
        "ssd_cla_episodes",
        "clae_",
        "clae_cla_episode_id clae_person_id clae_cla_placement_id clae_cla_episode_start_date "
        "clae_cla_episode_start_reason clae_cla_episode_ceased_date "
        "clae_cla_episode_ceased_reason clae_cla_id clae_entered_care_date",
        "clae_person_id clae_cla_id clae_cla_episode_start_date",
    ),
    _spec(
        "ssd_cla_placement",
        "clap_",
        "clap_cla_placement_id clap_cla_id clap_person_id clap_cla_placement_start_date "
        "clap_cla_placement_type clap_cla_placement_end_date clap_cla_placement_change_reason",
        "clap_cla_placement_id clap_cla_id clap_cla_placement_start_date",
    ),
    _spec(
        "ssd_legal_status",
        "lega_",
        "lega_legal_status_id lega_person_id lega_legal_status lega_legal_status_start_date "
        "lega_legal_status_end_date",
        "lega_person_id lega_legal_status lega_legal_status_start_date",
    ),
    _spec(
        "ssd_cla_reviews",
        "clar_",
        "clar_cla_review_id clar_cla_id clar_cla_person_id clar_cla_review_due_date "
        "clar_cla_review_date clar_cla_review_cancelled",
        "clar_cla_id clar_cla_review_date",
    ),
    _spec(
        "ssd_cla_visits",
        "clav_",
        "clav_cla_visit_id clav_cla_id clav_person_id clav_cla_visit_date clav_cla_visit_seen "
        "clav_cla_visit_seen_alone",
        "clav_person_id clav_cla_visit_date",
    ),
    _spec(
        "ssd_cla_health",
        "clah_",
        "clah_health_check_id clah_person_id clah_health_check_type clah_health_check_date "
        "clah_health_check_status",
        "clah_person_id clah_health_check_type clah_health_check_date",
    ),
    _spec(
        "ssd_sdq_scores",
        "csdq_",
        "csdq_table_id csdq_person_id csdq_sdq_completed_date csdq_sdq_score",
        "csdq_person_id csdq_sdq_completed_date",
    ),
    _spec(
        "ssd_cla_care_plan",
        "lacp_",
        "lacp_table_id lacp_person_id lacp_cla_care_plan_start_date",
        "lacp_person_id lacp_cla_care_plan_start_date",
    ),
    *(
        _spec(name, prefix)
        for name, prefix in (
            ("ssd_cla_immunisations", "clai_"),
            ("ssd_cla_previous_permanence", "lapp_"),
            ("ssd_permanence", "perm_"),
            ("ssd_care_leavers", "clea_"),
            ("ssd_missing", "miss_"),
            ("ssd_cla_convictions", "clac_"),
            ("ssd_cla_substance_misuse", "clas_"),
            ("ssd_immigration_status", "immi_"),
            ("ssd_involvements", "invo_"),
            ("ssd_professionals", "prof_"),
            ("ssd_department", "dept_"),
            ("ssd_disability", "disa_"),
            ("ssd_address", "addr_"),
            ("ssd_mother", "moth_"),
            ("ssd_linked_identifiers", "link_"),
            ("ssd_contacts", "cont_"),
            ("ssd_early_help_episodes", "earl_"),
            ("ssd_cin_episodes", "cine_"),
            ("ssd_cin_assessments", "cina_"),
            ("ssd_assessment_factors", "cinf_"),
            ("ssd_cin_plans", "cinp_"),
            ("ssd_cin_visits", "cinv_"),
            ("ssd_s47_enquiry", "s47e_"),
            ("ssd_initial_cp_conference", "icpc_"),
            ("ssd_cp_plans", "cppl_"),
            ("ssd_cp_visits", "cppv_"),
            ("ssd_cp_reviews", "cppr_"),
            ("ssd_sen_need", "senn_"),
            ("ssd_send", "send_"),
            ("ssd_voice_of_child", "voch_"),
            ("ssd_pre_proceedings", "prep_"),
            ("ssd_family", "fami_"),
        )
    ),
)
_BY_PREFIX: Final[dict[str, TableSpec]] = {t.prefix: t for t in TABLES}
_BY_NAME: Final[dict[str, TableSpec]] = {t.name: t for t in TABLES}


def identify(columns: tuple[str, ...]) -> TableSpec | None:
    """The table whose prefix most of ``columns`` (lower-cased names) start with, if any."""
    counts: dict[str, int] = {}
    for c in columns:
        head, sep, _ = c.partition("_")
        if sep and head:
            counts[head + "_"] = counts.get(head + "_", 0) + 1
    known = [(n, p) for p, n in counts.items() if p in _BY_PREFIX]
    if not known:
        return None
    n, prefix = max(known)
    return _BY_PREFIX[prefix] if n * 2 > len([c for c in columns if c]) else None


def spec(name: str) -> TableSpec:
    return _BY_NAME[name]


@dataclass(slots=True)
class SsdRow:
    """One data row: its number (the CSV line it starts on, or the Parquet row) and the cells
    read, by column name."""

    number: int
    cells: dict[str, Cell]

    def text(self, column: str) -> str:
        """A text cell stripped (``""`` when blank, ``NULL`` or not text)."""
        value = self.cells.get(column)
        if not isinstance(value, str):
            return ""
        value = value.strip()
        return "" if value.upper() in ("NULL", "NAN", "NONE") else value


@dataclass(slots=True)
class SsdTable:
    """One table read from one file."""

    file: str  # as shown in messages
    spec: TableSpec
    columns: tuple[str, ...]
    rows: list[SsdRow] = field(default_factory=list)
    numbering: str = "line"  # "line" (CSV) or "row" (Parquet)
    blank: int = 0  # rows of empty cells (counted as ignored, reason blank_row)

    def where(self, row: SsdRow, column: str | None = None) -> str:
        col = f", column {column}" if column else ""
        return f"{self.spec.name} ({self.file}) {self.numbering} {row.number}{col}"
