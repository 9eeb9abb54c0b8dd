"""The ``--write PATH`` / ``--check PATH`` command shared by the generated docs pages.

``docs/rules.md``, ``docs/explanations.md`` and ``docs/regimes.md`` are made from the rule
declarations, never edited by hand; CI runs each module with ``--check`` and fails when a page
is stale.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

__all__ = ["write_or_check"]


def write_or_check(
    prog: str,
    render: Callable[[], str],
    argv: Sequence[str] | None = None,
    *,
    problems: Callable[[], list[str]] | None = None,
) -> int:
    """Parse ``--write PATH | --check PATH``; write the page, or exit 1 if the file differs.

    ``problems`` (if given) lists reasons the page cannot be made (printed; exit 1).
    """
    p = argparse.ArgumentParser(prog=f"python -m {prog}")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--write", metavar="PATH")
    g.add_argument("--check", metavar="PATH")
    args = p.parse_args(argv)
    found = problems() if problems is not None else []
    if found:
        sys.stderr.write(f"{prog}: cannot make the page:\n  " + "\n  ".join(found) + "\n")
        return 1
    text = render()
    if args.write:
        Path(args.write).write_text(text, encoding="utf-8")
        return 0
    current = Path(args.check).read_text(encoding="utf-8") if Path(args.check).exists() else ""
    if current != text:
        sys.stderr.write(f"{args.check} is stale: run python -m {prog} --write {args.check}\n")
        return 1
    return 0
