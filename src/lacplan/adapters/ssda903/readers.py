"""Reading SSDA903 files into tables: CSV (any common encoding), the XML upload form and
``.xlsx`` workbooks (openpyxl, the ``xlsx`` extra).

Every reader returns :class:`~lacplan.adapters.ssda903.tables.RawTable` objects and raises
:class:`~lacplan.errors.UsageError` for a file it cannot read at all (it names the file, never a
cell). The XML parser refuses any document type declaration, so no entity is ever defined:
neither external entities nor entity-expansion bombs can be expressed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final
from xml.parsers import expat

from lacplan.adapters.sources import files_under
from lacplan.adapters.ssda903.tables import RawTable, Row, TableSpec, identify, spec
from lacplan.adapters.ssda903.values import Cell
from lacplan.errors import UsageError

__all__ = ["read_csv", "read_file", "read_xlsx", "read_xml"]

#: File endings read from a directory (other files there are skipped).
SUFFIXES: Final[tuple[str, ...]] = (".csv", ".xml", ".xlsx")

_MAX_FIELD: Final = 1 << 20  # a cell longer than 1 MB is not SSDA903 data


def decode(data: bytes) -> str:
    """UTF-8 (with or without a byte order mark), else Windows-1252, else Latin-1."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def header_columns(header: Iterable[object], file: str, *, upper: bool = True) -> tuple[str, ...]:
    """A header row's column names, stripped (a byte order mark too) and upper-cased (the
    SSDA903's) or lower-cased (the SSD's); a name given twice is a :class:`UsageError`."""
    names = (str(c or "").replace("\ufeff", "").strip() for c in header)
    cols = tuple(n.upper() if upper else n.lower() for n in names)
    seen: set[str] = set()
    for c in cols:
        if c and c in seen:
            raise UsageError(f"{file}: the column {c} appears twice in the header row")
        seen.add(c)
    return cols


def _table(file: str, path: str, cols: tuple[str, ...]) -> RawTable:
    found = identify(frozenset(c for c in cols if c))
    if found is None:
        raise UsageError(
            f"{file}: its columns match no SSDA903 table (expected, for example, the Header "
            "columns CHILD, SEX, DOB, ETHNIC or the Episodes columns CHILD, DECOM, RNE, LS, PLACE)"
        )
    return RawTable(file, path, found, cols)


def csv_with_header(path: str, name: str) -> tuple[Any, list[str]]:
    """A CSV reader over ``path``'s text (decoded as :func:`decode` does) and its header row,
    the first that is not blank; ``csv.Error`` propagates (the caller names the line)."""
    text = decode(Path(path).read_bytes())
    csv.field_size_limit(_MAX_FIELD)
    reader = csv.reader(io.StringIO(text, newline=""))
    for record in reader:
        if any(cell.strip() for cell in record):
            return reader, record
    raise UsageError(f"{name}: the file is empty (no header row)")


def read_csv(path: str, file: str | None = None) -> RawTable:
    """One table from a CSV file (header row first; blank rows skipped)."""
    name = file or path
    reader: Any = None
    try:
        reader, header = csv_with_header(path, name)
        cols = header_columns(header, name)
        table = _table(name, path, cols)
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue
            cells: dict[str, Cell] = {}
            for col, value in zip(cols, record, strict=False):
                if col:
                    cells[col] = value.strip()
            table.rows.append(Row(reader.line_num, cells))
    except csv.Error as exc:
        raise UsageError(
            f"{name}: not a readable CSV file near line {_line(reader)} ({exc})"
        ) from None
    return table


def _line(reader: Any) -> int:
    return reader.line_num if reader is not None else 1


# ---------------------------------------------------------------------------- XML
class _Node:
    __slots__ = ("children", "line", "tag", "text")

    def __init__(self, tag: str, line: int) -> None:
        self.tag = tag
        self.line = line
        self.text: list[str] = []
        self.children: list[_Node] = []


def _parse_xml(data: bytes, name: str) -> _Node:
    parser = expat.ParserCreate()
    root = _Node("", 0)
    stack = [root]

    def forbid(*_: object) -> Any:
        raise UsageError(
            f"{name}: the XML has a document type declaration or entities, which an SSDA903 "
            "file never needs; they are refused for safety"
        )

    def start(tag: str, _attrs: dict[str, str]) -> None:
        node = _Node(tag.upper(), parser.CurrentLineNumber)
        stack[-1].children.append(node)
        stack.append(node)

    def end(_tag: str) -> None:
        stack.pop()

    def chars(text: str) -> None:
        stack[-1].text.append(text)

    parser.StartDoctypeDeclHandler = forbid
    parser.EntityDeclHandler = forbid
    parser.ExternalEntityRefHandler = forbid
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise UsageError(
            f"{name}: not well-formed XML ({expat.errors.messages[exc.code]}, line {exc.lineno})"
        ) from None
    return root


def _leaves(node: _Node) -> dict[str, Cell]:
    return {c.tag: "".join(c.text).strip() for c in node.children if not c.children}


#: XML element -> table (the header's own leaves are the Header table; ``PL`` is PLACE).
_XML_TABLES: Final[dict[str, str]] = {
    "EPISODE": "Episodes",
    "AREVIEW": "Reviews",
    "OC2": "OC2",
    "AMISSING": "Missing",
    "PERMANENCE": "PrevPerm",
    "AD_PLACED": "PlacedAdoption",
    "ADOPTION": "AD1",
    "SWEPISODE": "SWEpisodes",
    "DOLO": "DoLo",
}
_OC3_FIELDS: Final = ("IN_TOUCH", "ACTIV", "ACCOM")


def read_xml(path: str, file: str | None = None) -> list[RawTable]:
    """The tables of an XML return (root ``EXPSSDA903``, one ``CHILD`` element per child).

    Rows are numbered by their element's position among the file's rows of that table, and
    messages also give the line the element starts on.
    """
    name = file or path
    root = _parse_xml(Path(path).read_bytes(), name)
    if len(root.children) != 1 or root.children[0].tag != "EXPSSDA903":
        raise UsageError(f"{name}: not an SSDA903 XML return (expected the root EXPSSDA903)")
    tables: dict[str, RawTable] = {}

    def add(table_name: str, cells: dict[str, Cell], line: int) -> None:
        t = tables.get(table_name)
        if t is None:
            ts: TableSpec = spec(table_name)
            t = tables[table_name] = RawTable(name, path, ts, ts.columns, numbering="element")
        t.rows.append(Row(len(t.rows) + 1, cells, line))

    for child in root.children[0].children:
        if child.tag != "CHILD":
            continue
        header_node = next((c for c in child.children if c.tag == "HEADER"), None)
        header = _leaves(header_node) if header_node is not None else {}
        child_id = header.pop("CHILDID", "")
        ident: dict[str, Cell] = {"CHILD": child_id, "DOB": header.get("DOB", "")}
        if header_node is not None:
            at = header_node.line
            add("Header", {"CHILD": child_id, **header}, at)
            if any(header.get(f) for f in _OC3_FIELDS):
                add("OC3", {**ident, **{f: header.get(f, "") for f in _OC3_FIELDS}}, at)
            if header.get("DUC"):
                add("UASC", {**ident, "SEX": header.get("SEX", ""), "DUC": header["DUC"]}, at)
        nested = [
            *(header_node.children if header_node is not None else []),
            *(c for c in child.children if c.tag != "HEADER"),
        ]
        for node in nested:
            table_name = _XML_TABLES.get(node.tag)
            if table_name is None:
                continue
            cells = _leaves(node)
            if "PL" in cells:
                cells["PLACE"] = cells.pop("PL")
            add(table_name, {**ident, **cells}, node.line)
    return list(tables.values())


# ---------------------------------------------------------------------------- xlsx
def _xlsx_cell(value: Any) -> Cell:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_xlsx(path: str, file: str | None = None) -> list[RawTable]:
    """One table per sheet of a workbook (each sheet's first non-blank row is its header)."""
    name = file or path
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - depends on the environment
        raise UsageError(
            f"{name}: reading .xlsx files needs openpyxl: pip install 'lacplan[xlsx]'"
        ) from None
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise UsageError(f"{name}: not a readable .xlsx workbook ({type(exc).__name__})") from None
    tables: list[RawTable] = []
    try:
        for sheet in book.worksheets:
            table: RawTable | None = None
            cols: tuple[str, ...] = ()
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = [_xlsx_cell(v) for v in values]
                if not any(c != "" for c in cells):
                    continue
                if table is None:
                    sheet_name = f"{name}[{sheet.title}]"
                    cols = header_columns(cells, sheet_name)
                    table = _table(sheet_name, path, cols)
                    continue
                table.rows.append(
                    Row(number, {c: v for c, v in zip(cols, cells, strict=False) if c})
                )
            if table is not None:
                tables.append(table)
    finally:
        book.close()
    return tables


def read_file(path: str, file: str | None = None) -> list[RawTable]:
    """The tables in one file, by its content: an xlsx workbook (a zip), XML, or CSV."""
    with open(path, "rb") as fh:
        head = fh.read(64)
    if head.startswith(b"PK\x03\x04"):
        return read_xlsx(path, file)
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return read_xml(path, file)
    return [read_csv(path, file)]


def files_in(path: str) -> list[str]:
    """``path`` itself, or the SSDA903 files in a directory and its subdirectories (sorted)."""
    return files_under(path, SUFFIXES)
