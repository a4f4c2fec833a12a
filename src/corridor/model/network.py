"""A `Network`: the validated component tables of one dataset.

Datasets are folders of CSV files, one per component declared in
``components.csv``. Loading checks every cell against its declaration and
reports the first problem as a :class:`~corridor.errors.DataError` naming the
file, row and column.
"""

from __future__ import annotations

import csv
import math
import numbers
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from corridor.errors import DataError, UnknownIdError
from corridor.model.schema import COMPONENTS, INT_MAX, MODES, Attribute, Bounds, schema
from corridor.model.table import Table

DEFAULT_DATASET = "eurasia-2024"
REQUIRED_FILES = ("nodes", "links", "sources")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")
_INT = re.compile(r"^[+-]?[0-9]{1,30}$")


@dataclass(frozen=True)
class Network:
    """The component tables of one dataset (a :class:`~corridor.model.table.Table` each).

    A Network is treated as immutable: scenarios build new Networks with
    :meth:`with_tables` instead of editing these tables.
    """

    name: str
    tables: Mapping[str, Table] = field(repr=False)
    path: str = ""

    def __getattr__(self, name: str) -> Table:
        tables: Mapping[str, Table] = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)

    def with_tables(self, **tables: Table) -> Network:
        """Return a copy with some tables replaced (the rows of the others, already
        indexed by :meth:`row`, are shared: tables are never edited in place)."""
        merged = dict(self.tables)
        merged.update(tables)
        out = Network(name=self.name, tables=merged, path=self.path)
        out._rows_by_id.update({k: v for k, v in self._rows_by_id.items() if k not in tables})
        return out

    def row(self, component: str, row_id: str) -> dict[str, Any] | None:
        """One row of a component table as a dict, by id (``None`` if absent)."""
        rows = self._rows_by_id.get(component)
        if rows is None:
            t = self.tables.get(component)
            rows = {}
            if t is not None and "id" in t.columns:
                rows = {r["id"]: r for r in t.to_dict("records")}
            self._rows_by_id[component] = rows
        return rows.get(row_id)

    @cached_property
    def _rows_by_id(self) -> dict[str, dict[str, dict[str, Any]]]:
        """Rows by id of each component table, indexed when first asked for."""
        return {}

    def node_index(self) -> dict[str, int]:
        """Map node id to its row position."""
        return {nid: i for i, nid in enumerate(self.tables["nodes"]["id"])}

    def require_node(self, node_id: str) -> None:
        """Raise :class:`UnknownIdError` unless ``node_id`` is a node of this network."""
        if self.row("nodes", node_id) is None:
            key = node_id.strip().lower()
            nodes = self.tables["nodes"]
            by_name = [
                i for i, n in zip(nodes["id"], nodes["name"], strict=True) if n.lower() == key
            ]
            close = by_name or [n for n in nodes["id"] if n.startswith(key[:3])][:5]
            hint = f" (did you mean: {', '.join(close)}?)" if close else ""
            raise UnknownIdError(f"unknown node id '{node_id}' in dataset {self.name}{hint}")

    def ids(self) -> dict[str, set[str]]:
        """The ids of every table (conditions by their class), for reference checks."""
        out = {name: set(t["id"]) for name, t in self.tables.items() if "id" in t.columns}
        out["conditions"] = set(self.tables["conditions"]["condition"])
        return out

    def require_country(self, code: str) -> None:
        """Raise :class:`UnknownIdError` unless some node of this network lies in ``code``."""
        countries = set(self.tables["nodes"]["country"])
        if code not in countries:
            raise UnknownIdError(
                f"no country '{code}' in dataset {self.name} "
                f"(countries: {', '.join(sorted(countries - {'XX'}))})"
            )


def dataset_names() -> list[str]:
    """Names of the datasets embedded in the package."""
    root = resources.files("corridor") / "datasets"
    return sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("_"))


@contextmanager
def _dataset_dir(path: str | Path | None) -> Iterator[Path]:
    name = DEFAULT_DATASET if path is None else str(path)
    if path is None or (not Path(name).exists() and name in dataset_names()):
        with resources.as_file(resources.files("corridor") / "datasets" / name) as p:
            yield Path(p)
        return
    p = Path(name)
    if not p.is_dir():
        raise DataError(str(p), "expected a dataset folder of CSV files (or a dataset name)")
    yield p


def load_network(path: str | Path | None = None) -> Network:
    """Load and validate a dataset folder; ``None`` loads the embedded default.

    Parameters
    ----------
    path
        A folder of component CSV files, the name of an embedded dataset, or
        ``None`` for ``eurasia-2024``.

    Examples
    --------
    >>> net = load_network()
    >>> net.name
    'eurasia-2024'
    >>> "xian" in set(net.nodes["id"])
    True
    """
    with _dataset_dir(path) as folder:
        tables = read_tables(folder)
        name = folder.name
    return Network(name=name, tables=tables, path=str(path or DEFAULT_DATASET))


def read_tables(folder: Path) -> dict[str, Table]:
    """Read and validate every component table in ``folder``."""
    decl = schema()
    ids: dict[str, set[str]] = {}
    tables: dict[str, Table] = {}
    for component in COMPONENTS:
        file = folder / f"{component}.csv"
        if not file.exists():
            if component in REQUIRED_FILES:
                raise DataError(str(file), "file is missing; every dataset needs it")
            rows: list[dict[str, Any]] = []
        else:
            rows = _read_component(file, decl[component], ids)
        table = _typed_table(rows, decl[component])
        tables[component] = table
        if "id" in table.columns:
            ids[component] = set(table["id"])
        elif component == "conditions":
            ids[component] = set(table["condition"])
    return tables


#: The column type of each kind of attribute (everything else: Python strings).
_DTYPES = {"float": np.float64, "float+": np.float64, "int+": np.int64, "bool": np.bool_}


def _typed_table(rows: list[dict[str, Any]], attrs: tuple[Attribute, ...]) -> Table:
    """A table of parsed rows, one column per declared attribute, typed by its kind."""
    return Table(
        {
            a.name: np.array([r[a.name] for r in rows], dtype=_DTYPES.get(a.kind, object))
            for a in attrs
        }
    )


def _read_component(
    file: Path, attrs: tuple[Attribute, ...], ids: dict[str, set[str]]
) -> list[dict[str, Any]]:
    try:
        return _read_rows(file, attrs, ids)
    except UnicodeDecodeError as exc:
        raise DataError(str(file), f"not UTF-8 text (byte {exc.start})") from None
    except csv.Error as exc:
        raise DataError(str(file), f"malformed CSV: {exc}") from None


def _read_rows(
    file: Path, attrs: tuple[Attribute, ...], ids: dict[str, set[str]]
) -> list[dict[str, Any]]:
    # utf-8-sig: a byte-order mark (spreadsheets write one) is not part of the first column
    with file.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None:
            raise DataError(str(file), "file is empty; expected a header row", row=1)
        header = [h.strip() for h in header]
        known = {a.name for a in attrs}
        for i, col in enumerate(header):
            if col not in known:
                raise DataError(
                    str(file), f"unknown column; expected one of {sorted(known)}", row=1, column=col
                )
            if col in header[:i]:
                raise DataError(str(file), "column appears twice in the header", row=1, column=col)
        for a in attrs:
            if a.required and a.name not in header:
                raise DataError(str(file), "required column is missing", row=1, column=a.name)
        out = []
        lines: list[int] = []
        seen: set[str] = set()
        while True:
            # a quoted field may span lines: a row is named by the line it starts on
            line_no = reader.line_num + 1
            raw = next(reader, None)
            if raw is None:
                break
            if not raw or all(not c.strip() for c in raw):
                continue
            if len(raw) != len(header):
                raise DataError(
                    str(file), f"expected {len(header)} fields, found {len(raw)}", row=line_no
                )
            cells = dict(zip(header, (c.strip() for c in raw), strict=True))
            row = {a.name: _parse(file, line_no, a, cells.get(a.name, ""), ids) for a in attrs}
            if "id" in row:
                if row["id"] in seen:
                    raise DataError(str(file), "duplicate id", row=line_no, column="id")
                seen.add(row["id"])
            _check_row(file, line_no, attrs[0].component, row)
            _check_operations(file, line_no, attrs[0].component, row)
            out.append(row)
            lines.append(line_no)
    _check_table(file, attrs[0].component, out, lines)
    return out


def _check_row(file: Path, line: int, component: str, row: dict[str, Any]) -> None:
    if component == "sources" and row["reliability"] == "estimate" and not row["method"]:
        raise DataError(str(file), "an estimate needs its method", row=line, column="method")
    if component in ("links", "borders", "services") and row["from"] == row["to"]:
        raise DataError(str(file), "'from' and 'to' must differ", row=line, column="to")


def _check_operations(file: Path, line: int, component: str, row: dict[str, Any]) -> None:
    """Rules of the weather_closures, rolling_stock, border and port procedure rows."""
    if component == "weather_closures":
        start, end = row["window_start_day"], row["window_end_day"]
        if math.isnan(start) != math.isnan(end):
            missing = "window_end_day" if math.isnan(end) else "window_start_day"
            raise DataError(
                str(file), "a window needs both its first and its end day", row=line,
                column=missing,
            )  # fmt: skip
        for col in ("peak_day", "window_start_day", "window_end_day"):
            if row[col] > 365:
                raise DataError(str(file), "expected a day of the year 0-365", row=line, column=col)
        if row["mean_h"] <= 0 and row["closures_per_year"] > 0:
            raise DataError(str(file), "expected hours > 0", row=line, column="mean_h")
    if component in ("border_procedures", "port_procedures") and row["scanner"] is True:
        for col in ("scan_h", "scan_referral_share"):
            if math.isnan(row[col]):
                raise DataError(
                    str(file), "a post with a scanner needs scan_h and scan_referral_share",
                    row=line, column=col,
                )  # fmt: skip
    if component == "border_procedures":
        limits = {"inspection_share": 1.0, "opening_h_per_day": 24.0, "open_days_per_week": 7.0}
        for col, top in limits.items():
            if row[col] > top or (col != "inspection_share" and row[col] == 0):
                raise DataError(
                    str(file), f"expected a value in {'[0' if col == 'inspection_share' else '(0'}"
                    f", {top:g}]", row=line, column=col,
                )  # fmt: skip
    if component == "rolling_stock":
        if row["kind"] == "locomotive_pool" and not row["country"]:
            raise DataError(
                str(file), "a locomotive pool needs the country it serves", row=line,
                column="country",
            )  # fmt: skip
        if not 0 < row["max_utilisation"] < 1:
            raise DataError(
                str(file), "expected a share in (0, 1)", row=line, column="max_utilisation"
            )
        if not row["max_wait_share"] > 0:
            raise DataError(str(file), "expected a share > 0", row=line, column="max_wait_share")


def _check_table(file: Path, component: str, rows: list[dict[str, Any]], lines: list[int]) -> None:
    """Rules across rows: a country lies in at most one region."""
    if component == "regions":
        region_of: dict[str, str] = {}
        for line, row in zip(lines, rows, strict=True):
            for code in _split(row["countries"]):
                if code in region_of:
                    raise DataError(
                        str(file),
                        f"{code} is already in region '{region_of[code]}'",
                        row=line,
                        column="countries",
                    )
                region_of[code] = row["id"]


def _parse(
    file: Path | str,
    line: int | None,
    attr: Attribute,
    text: str,
    ids: dict[str, set[str]] | None,
) -> Any:
    """Convert one cell according to its declaration, or raise DataError.

    ``ids`` holds the ids of the tables read so far (references are checked
    against them); ``None`` skips reference checks.
    """
    if text == "":
        if attr.required:
            raise DataError(str(file), "a value is required", row=line, column=attr.name)
        text = attr.default
        if text == "":
            return math.nan if attr.kind in ("float", "float+") else ""

    def fail(expected: str) -> DataError:
        return DataError(
            str(file), f"expected {expected}, found '{text}'", row=line, column=attr.name
        )

    kind = attr.kind
    bounds = attr.bounds
    if bounds is not None:
        return _number(text, attr, bounds, fail)
    if kind == "bool":
        if text.lower() not in ("true", "false"):
            raise fail("true or false")
        return text.lower() == "true"
    if kind == "enum":
        if text not in attr.choices:
            raise fail("one of " + "|".join(attr.choices))
        return text
    if kind == "country":
        if not _COUNTRY.match(text):
            raise fail("an ISO 3166-1 alpha-2 code such as KZ")
        return text
    if kind == "countries":
        for code in _split(text):
            if not _COUNTRY.match(code):
                raise fail("ISO alpha-2 codes separated by ';'")
        return text
    if kind == "modes":
        for m in _split(text):
            if m not in MODES:
                raise fail("modes among " + "|".join(MODES) + " separated by ';'")
        return text
    if kind == "mode_in":
        for item in _split(text):
            mode, _, country = item.partition("@")
            if mode not in MODES or not _COUNTRY.match(country):
                raise fail("items 'mode@CC' such as rail_1435@CN separated by ';'")
        return text
    if kind == "region_pairs":
        regions = (ids or {}).get("regions", set())
        for item in _split(text):
            ends = [e.strip() for e in item.split(">")]
            if len(ends) != 2 or not all(e in regions for e in ends):
                raise fail("region pairs 'from>to' of ids defined in regions.csv, separated by ';'")
        return text
    refs = {
        "node": "nodes",
        "nodes": "nodes",
        "border": "borders",
        "terminal": "terminals",
        "link": "links",
        "via": "nodes",
        "sources": "sources",
        "commodity": "commodities",
        "commodities": "commodities",
        "corridor": "corridors",
        "condition": "conditions",
    }
    if kind in refs and ids is not None:
        table = refs[kind]
        known = ids.get(table, set())
        single = kind in ("node", "border", "terminal", "link")
        names = [text] if single else [n for g in _split(text) for n in g.split("|")]
        for n in names:
            if n not in known:
                raise fail(f"an id defined in {table}.csv")
        return text
    if attr.name == "id" and attr.component != "sources" and not _SLUG.match(text):
        raise fail("a lowercase ASCII slug (a-z, 0-9, _ or -)")
    return text


def _number(
    text: str, attr: Attribute, bounds: Bounds, fail: Callable[[str], DataError]
) -> float | int:
    """A number cell inside its declared interval (the schema's bounds)."""
    where = f"in {bounds.text()}"
    if attr.kind == "int+":
        if not _INT.match(text):
            raise fail(f"a whole number {where}")
        ivalue = int(text)
        if ivalue not in bounds or ivalue > INT_MAX:
            raise fail(f"a whole number {where}")
        return ivalue
    try:
        value = float(text)
    except ValueError:
        raise fail(f"a number {where}") from None
    if math.isnan(value):
        raise fail(f"a number {where} (NaN is not allowed)")
    if value not in bounds:
        raise fail(f"a number {where}")
    return value


def check_value(
    attr: Attribute, value: Any, where: str, ids: dict[str, set[str]] | None = None
) -> Any:
    """Check one value against its column's declaration, as the readers do.

    For values that do not come from a CSV cell (a scenario's ``set``, an
    intervention): the same rules, the same message, named by ``where``;
    ``None``, NaN or the text ``nan`` stand for a blank cell (an optional
    column's default, such as no speed limit).
    Returns the value converted to the column's type.
    """
    real = isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))
    blank = value is None or (isinstance(value, str) and value.strip().lower() in ("", "nan"))
    if blank or (real and math.isnan(float(value))):
        value = ""  # a blank cell ("nan", null): the default, or an error when required
    if isinstance(value, (bool, np.bool_)):
        if attr.kind == "bool":
            return bool(value)
        raise DataError(where, f"expected a number, found {value!r}", column=attr.name)
    if isinstance(value, numbers.Integral):
        text = str(int(value))
    elif isinstance(value, numbers.Real):
        number = float(value)
        if attr.kind == "int+" and math.isfinite(number) and number == int(number):
            text = str(int(number))  # 3.0 vessels is 3 vessels
        else:
            text = repr(number)
    else:
        text = str(value)
    return _parse(where, None, attr, text.strip(), ids)


def _split(text: str) -> list[str]:
    return [p.strip() for p in text.split(";") if p.strip()]


def split_list(text: object) -> list[str]:
    """Split a ';'-separated cell into its items (empty cell → empty list)."""
    if not isinstance(text, str):
        return []
    return _split(text)
