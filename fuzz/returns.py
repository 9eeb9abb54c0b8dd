"""Structure-aware mutations of SSDA903 returns: CSV tables in collection-year folders.

A return is a dict of relative path -> bytes (``2024/episodes.csv``). :func:`mutate_return`
changes cells (bad dates in both layouts, dates moved by days or years, codes, blanks, long
text, another row's child), rows (dropped, repeated, short, long, blank), columns (dropped,
added, renamed, repeated, reordered), files (emptied, header only, dropped, copied into another
year, re-encoded as Windows-1252, Latin-1 or UTF-16, line endings changed) or bytes.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Final

from fuzz.mutate import mutate_bytes
from lacplan.adapters.ssda903.readers import decode  # as the adapter reads a file

__all__ = ["HOSTILE_CELLS", "decode", "mutate_return", "read_rows", "write_rows"]

Return = dict[str, bytes]

#: Cell values: bad and edge dates in both layouts, codes, blanks, controls, long text.
HOSTILE_CELLS: Final[tuple[str, ...]] = (
    "13/07/2009",
    "2009-07-13",
    "31/02/2020",
    "2020-02-30",
    "29/02/2021",
    "1/1/1899",
    "01/01/2100",
    "00/00/0000",
    "31/12/1899",
    "01/01/1900",
    "31/12/2099",
    "13/07/2009 10:00",
    "13/07/2009 00:00:00",
    "2009-07-13T00:00:00.000",
    "13-07-2009",
    "13/07/09",
    "2009/07/13",
    "١٣/٠٧/٢٠٠٩",
    "",
    " ",
    "NULL",
    "N/A",
    "x" * 5000,
    "\x00",
    "é£",
    "=1+1",
    '"',
    "c2",
    "ZZ",
    "S ",
    "s",
    "X1",
    "E11",
    "T0",
    "V3",
    "V4",
    "L",
    "P",
    "99",
    "-1",
    "41",
    "3.5",
    "1e3",
    "2024",
    "1990",
    "99999",
)

_EXTRA_COLUMNS: Final = ("LA", "YEAR", "X", "", "child", " DOB ", "\ufeffCHILD", "NOTES")
_ENCODINGS: Final = ("utf-8-sig", "cp1252", "latin-1", "utf-16")


def read_rows(data: bytes) -> list[list[str]] | None:
    """Every row of a CSV file (``None``: it is not readable CSV)."""
    try:
        return list(csv.reader(io.StringIO(decode(data), newline="")))
    except csv.Error:
        return None


def write_rows(rows: Sequence[Sequence[str]], rnd: random.Random | None = None) -> bytes:
    """``rows`` as CSV: UTF-8 with LF endings, or (given ``rnd``) sometimes another encoding,
    CRLF or CR endings, every cell quoted."""
    buf = io.StringIO(newline="")
    if rnd is None:
        csv.writer(buf, lineterminator="\n").writerows(rows)
        return buf.getvalue().encode("utf-8")
    writer = csv.writer(
        buf,
        lineterminator=rnd.choice(("\n", "\n", "\r\n", "\r")),
        quoting=rnd.choice((csv.QUOTE_MINIMAL, csv.QUOTE_MINIMAL, csv.QUOTE_ALL)),
    )
    writer.writerows(rows)
    encoding = "utf-8" if rnd.random() < 0.9 else rnd.choice(_ENCODINGS)
    return buf.getvalue().encode(encoding, "replace")


def _moved(cell: str, rnd: random.Random) -> str:
    """A date cell moved by some days or years, in its own layout (other cells unchanged)."""
    days = rnd.choice((1, -1, 2, 7, -7, 30, -30, 200, 365, -365, 3650, 40 * 365, -40 * 365))
    try:
        if len(cell) == 10 and cell[2] == "/" == cell[5]:
            d = date(int(cell[6:]), int(cell[3:5]), int(cell[:2])) + timedelta(days=days)
            return d.strftime("%d/%m/") + f"{d.year:04d}"
        if len(cell) == 10 and cell[4] == "-" == cell[7]:
            return (date.fromisoformat(cell) + timedelta(days=days)).isoformat()
    except (ValueError, OverflowError):
        pass
    return cell


def _cell_op(rows: list[list[str]], rnd: random.Random, vocab: Sequence[str]) -> None:
    body = [r for r in rows[1:] if r]
    if not body:
        return
    row = rnd.choice(body)
    if not row:
        return
    k = rnd.randrange(len(row))
    roll = rnd.random()
    if roll < 0.3:
        row[k] = _moved(row[k], rnd)
    elif roll < 0.6:
        row[k] = rnd.choice(HOSTILE_CELLS)
    elif roll < 0.75 and vocab:
        row[k] = rnd.choice(vocab)
    elif roll < 0.85:  # another row's value in the same column (often another child's id)
        other = rnd.choice(body)
        if k < len(other):
            row[k] = other[k]
    else:
        j = rnd.randrange(len(row))
        row[k], row[j] = row[j], row[k]


def _row_op(rows: list[list[str]], rnd: random.Random, others: Sequence[list[str]]) -> None:
    if len(rows) < 2:
        rows.append(list(rnd.choice(others)) if others else [])
        return
    k = rnd.randrange(1, len(rows))
    op = rnd.randrange(7)
    if op == 0:
        del rows[k]
    elif op == 1:
        rows.insert(k, list(rows[k]))
    elif op == 2:
        rows[k] = rows[k][: rnd.randrange(len(rows[k]) + 1)]
    elif op == 3:
        rows[k] = [*rows[k], *rnd.choice((["x"], ["", ""], ["13/07/2009"]))]
    elif op == 4:
        rows.insert(k, rnd.choice(([], [""], ["", " ", ""])))
    elif op == 5 and others:
        rows.insert(k, list(rnd.choice(others)))
    else:
        body = rows[1:]
        rnd.shuffle(body)
        rows[1:] = body


def _column_op(rows: list[list[str]], rnd: random.Random) -> None:
    if not rows or not rows[0]:
        return
    width = len(rows[0])
    k = rnd.randrange(width)
    op = rnd.randrange(5)
    if op == 0:  # drop a column
        for row in rows:
            if k < len(row):
                del row[k]
    elif op == 1:  # add one
        name = rnd.choice(_EXTRA_COLUMNS)
        value = rnd.choice(("", "2024", "2019", "abcd", "Barking", "13/07/2009"))
        for n, row in enumerate(rows):
            row.insert(min(k, len(row)), name if n == 0 else value)
    elif op == 2:  # rename the header cell
        rows[0][k] = rnd.choice(
            (rows[0][k].lower(), f" {rows[0][k]} ", "", rows[0][(k + 1) % width], "\ufeff")
        )
    elif op == 3:  # swap two columns in the header only
        j = rnd.randrange(width)
        rows[0][k], rows[0][j] = rows[0][j], rows[0][k]
    else:  # reorder every row the same way
        order = list(range(width))
        rnd.shuffle(order)
        for n, row in enumerate(rows):
            if len(row) == width:
                rows[n] = [row[i] for i in order]


def _file_op(ret: Return, rnd: random.Random, name: str) -> None:
    op = rnd.randrange(6)
    if op == 0:
        ret[name] = rnd.choice((b"", b"\n", b" \r\n", b"\xef\xbb\xbf"))
    elif op == 1:
        head = ret[name].split(b"\n", 1)[0]
        ret[name] = head + b"\n"
    elif op == 2 and len(ret) > 1:
        del ret[name]
    elif op == 3:  # the same table in another year's folder
        folder, _, base = name.rpartition("/")
        year = folder if folder.isdigit() else "2024"
        ret[f"{int(year) + rnd.choice((1, -1))}/{base}"] = ret[name]
    elif op == 4:
        ret[name] = ret[name].replace(b"\n", rnd.choice((b"\r\n", b"\r", b"\n\n")))
    else:
        ret[name] = ret[name] + rnd.choice((b'\n"unterminated', b"\n\x00,\x00", b",,,\n"))


def mutate_return(
    ret: Return, rnd: random.Random, vocab: Sequence[str] = (), others: Sequence[Return] = ()
) -> Return:
    """A mutated copy of the return ``ret``."""
    out = dict(ret)
    for _ in range(rnd.choice((1, 1, 2, 3, 4))):
        if not out:
            break
        name = rnd.choice(sorted(out))
        roll = rnd.random()
        if roll < 0.1:
            _file_op(out, rnd, name)
            continue
        if roll < 0.2:
            out[name] = mutate_bytes(out[name], rnd)
            continue
        rows = read_rows(out[name])
        if rows is None:
            out[name] = mutate_bytes(out[name], rnd)
            continue
        if roll < 0.7:
            _cell_op(rows, rnd, vocab)
        elif roll < 0.85:
            donors = [r for o in others for d in o.values() for r in (read_rows(d) or [])[1:3]]
            _row_op(rows, rnd, donors)
        else:
            _column_op(rows, rnd)
        out[name] = write_rows(rows, rnd)
    return out
