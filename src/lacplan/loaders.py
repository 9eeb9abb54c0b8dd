"""Reading cases from JSON (kept here for compatibility: the code is in
:mod:`lacplan.adapters.json`)."""

from __future__ import annotations

from lacplan.adapters.json import JSONL_SUFFIXES, Source, load_cases

__all__ = ["JSONL_SUFFIXES", "Source", "load_cases"]
