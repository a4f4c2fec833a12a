"""Read and write the TNTP traffic-assignment formats (bstabler/TransportationNetworks).

Three file kinds:

- network (``*_net.tntp``): metadata tags, then one directed link per row,
  ``init_node term_node capacity length free_flow_time b power speed toll link_type ;``
- trips (``*_trips.tntp``): metadata tags, then blocks ``Origin o`` followed by
  entries ``destination : flow;``
- flows (``*_flow.tntp``): a header ``From To Volume Cost`` and one row per link.

Every problem in a file raises :class:`corridor.errors.DataError` naming the file,
the 1-based line and, where it applies, the column; nothing else escapes the readers.
"""

from __future__ import annotations

import math
import os
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from corridor.errors import DataError
from corridor.io.atomic import write_text
from corridor.model.schema import MAX_TNTP

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "LINK_COLUMNS",
    "TntpNetwork",
    "flow_csv",
    "read_flows",
    "read_network",
    "read_trips",
    "write_network",
    "write_trips",
]

#: Link columns of a TNTP network file, in file order.
LINK_COLUMNS = (
    "init_node",
    "term_node",
    "capacity",
    "length",
    "free_flow_time",
    "b",
    "power",
    "speed",
    "toll",
    "link_type",
)
# Columns up to and including ``power`` are required; speed, toll and link_type default to 0.
_REQUIRED_LINK_COLUMNS = 7
_NETWORK_TAGS = ("NUMBER OF ZONES", "NUMBER OF NODES", "FIRST THRU NODE", "NUMBER OF LINKS")
_TAG = re.compile(r"^<([^>]*)>(.*)$")
_COMMENT = re.compile(r"~[^\n]*")
# every line break str.splitlines() knows besides "\n"
_ODD_BREAK = re.compile("[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_ORIGIN_LINE = re.compile(r"^[ \t]*origin[ \t]+([^\s;]+)[ \t]*;?[ \t]*$", re.I | re.M)

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class TntpNetwork:
    """A TNTP network: metadata and one entry per link, in file order.

    Node numbers are the file's 1-based numbers. Zones are nodes ``1..n_zones``;
    a path may pass *through* a node only if its number is at least
    ``first_thru_node`` (lower-numbered nodes are path ends only).
    """

    n_zones: int
    n_nodes: int
    first_thru_node: int
    init_node: IntArray
    term_node: IntArray
    capacity: FloatArray
    length: FloatArray
    free_flow_time: FloatArray
    b: FloatArray
    power: FloatArray
    speed: FloatArray
    toll: FloatArray
    link_type: IntArray
    source: str = field(default="<memory>")

    @property
    def n_links(self) -> int:
        """Number of directed links."""
        return int(self.init_node.shape[0])


def _read(path: str | os.PathLike[str]) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise DataError(str(path), f"cannot read file: {exc.strerror or exc}") from None


def _lines(text: str) -> Iterator[tuple[int, str]]:
    """Yield ``(line_number, text without comment)`` for every line of ``text``."""
    for number, raw in enumerate(text.splitlines(), start=1):
        cut = raw.find("~")
        yield number, (raw if cut < 0 else raw[:cut]).strip()


def _body(text: str, end_line: int) -> str | None:
    """The text after line ``end_line``, comments removed, for the bulk readers; ``None``
    where a line break other than ``\\n`` or ``\\r\\n`` could make its lines differ from
    :func:`_lines` (the line reader then handles the file)."""
    text = text.replace("\r\n", "\n")
    if _ODD_BREAK.search(text):
        return None
    pos = -1
    for _ in range(end_line):
        pos = text.find("\n", pos + 1)
        if pos < 0:
            return ""
    return _COMMENT.sub("", text[pos + 1 :])


def _number(name: str, token: str, row: int, column: str) -> float:
    try:
        value = float(token)
    except ValueError:
        raise DataError(name, f"expected a number, got {token!r}", row=row, column=column) from None
    if not math.isfinite(value):
        raise DataError(name, f"expected a finite number, got {token!r}", row=row, column=column)
    return value


def _integer(name: str, token: str, row: int, column: str) -> int:
    value = _number(name, token, row, column)
    if value != int(value):
        raise DataError(name, f"expected a whole number, got {token!r}", row=row, column=column)
    return int(value)


def _metadata(
    name: str, lines: Iterator[tuple[int, str]]
) -> tuple[dict[str, tuple[int, str]], int]:
    """Read tags up to ``<END OF METADATA>``: ``{TAG: (line, value)}`` and the end line."""
    tags: dict[str, tuple[int, str]] = {}
    for number, text in lines:
        if not text:
            continue
        match = _TAG.match(text)
        if match is None:
            raise DataError(
                name,
                f"expected a metadata tag or <END OF METADATA>, got {text[:40]!r}",
                row=number,
            )
        tag = " ".join(match.group(1).upper().split())
        if tag == "END OF METADATA":
            return tags, number
        tags[tag] = (number, match.group(2).strip().rstrip(";").strip())
    raise DataError(name, "missing <END OF METADATA>")


def _int_tag(name: str, tags: dict[str, tuple[int, str]], tag: str, end_line: int) -> int:
    if tag not in tags:
        raise DataError(name, f"missing metadata <{tag}>", row=end_line)
    row, value = tags[tag]
    number = _integer(name, value, row, tag)
    if number < 0:
        raise DataError(name, f"<{tag}> must not be negative, got {number}", row=row, column=tag)
    # sized before any array is made: the trip matrix is zones x zones
    most = MAX_TNTP.get(tag)
    if most is not None and number > most:
        raise DataError(name, f"<{tag}> is at most {most:,}, got {number:,}", row=row, column=tag)
    return number


def read_network(path: str | os.PathLike[str]) -> TntpNetwork:
    """Read a TNTP network file (``*_net.tntp``).

    Parameters
    ----------
    path
        The file to read.

    Returns
    -------
    TntpNetwork
        Metadata and link arrays in file order.

    Raises
    ------
    corridor.errors.DataError
        On missing metadata, a malformed row (missing ``;``, wrong field count,
        non-numeric or negative value, node outside ``1..<NUMBER OF NODES>``) or a
        link count that differs from ``<NUMBER OF LINKS>``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "tiny_net.tntp"
    >>> _ = p.write_text(
    ...     "<NUMBER OF ZONES> 2\\n<NUMBER OF NODES> 2\\n<FIRST THRU NODE> 1\\n"
    ...     "<NUMBER OF LINKS> 1\\n<END OF METADATA>\\n"
    ...     "~ init term cap len fft b power speed toll type ;\\n"
    ...     "1 2 100 1 5 0.15 4 0 0 1 ;\\n"
    ... )
    >>> net = read_network(p)
    >>> net.n_links, float(net.free_flow_time[0])
    (1, 5.0)
    """
    name = str(path)
    text = _read(path)
    lines = _lines(text)
    tags, end_line = _metadata(name, lines)
    n_zones = _int_tag(name, tags, "NUMBER OF ZONES", end_line)
    n_nodes = _int_tag(name, tags, "NUMBER OF NODES", end_line)
    first_thru = _int_tag(name, tags, "FIRST THRU NODE", end_line)
    n_links = _int_tag(name, tags, "NUMBER OF LINKS", end_line)
    if n_zones > n_nodes:
        row = tags["NUMBER OF ZONES"][0]
        raise DataError(
            name,
            f"<NUMBER OF ZONES> {n_zones} exceeds <NUMBER OF NODES> {n_nodes}",
            row=row,
            column="NUMBER OF ZONES",
        )

    body = _body(text, end_line)
    table = None if body is None else _links_in_bulk(body, n_nodes, n_links)
    if table is None:
        table = _links_by_line(name, lines, n_nodes, n_links, tags["NUMBER OF LINKS"][0])
    arrays = dict(zip(LINK_COLUMNS, table, strict=True))
    return TntpNetwork(
        n_zones=n_zones,
        n_nodes=n_nodes,
        first_thru_node=first_thru,
        init_node=arrays["init_node"].astype(np.int64),
        term_node=arrays["term_node"].astype(np.int64),
        capacity=arrays["capacity"],
        length=arrays["length"],
        free_flow_time=arrays["free_flow_time"],
        b=arrays["b"],
        power=arrays["power"],
        speed=arrays["speed"],
        toll=arrays["toll"],
        link_type=arrays["link_type"].astype(np.int64),
        source=name,
    )


def _links_in_bulk(body: str, n_nodes: int, n_links: int) -> FloatArray | None:
    """Link rows as a ``(10, links)`` array, parsed in one NumPy call; ``None`` unless every
    row is plainly valid and all have the same field count (the line reader then names
    the problem, or reads the mixed rows)."""
    rows = body.split()
    text = " ".join(rows)
    if text.count(";") != n_links or (n_links and not text.endswith(";")):
        return None
    fields = text[:-1].split(";") if n_links else []
    width = len(fields[0].split()) if fields else _REQUIRED_LINK_COLUMNS
    if not _REQUIRED_LINK_COLUMNS <= width <= len(LINK_COLUMNS):
        return None
    try:
        values = np.array(" ".join(fields).split(), dtype=np.float64)
    except ValueError:
        return None
    if values.size != width * n_links:
        return None
    table = np.zeros((len(LINK_COLUMNS), n_links))
    table[:width] = values.reshape(n_links, width).T
    nodes = table[:2]
    if not (
        np.isfinite(table).all()
        and (nodes == np.floor(nodes)).all()
        and ((nodes >= 1) & (nodes <= n_nodes)).all()
        and (table[2 : len(LINK_COLUMNS) - 1] >= 0).all()
    ):
        return None
    # rows of different widths could still sum to the right count: check each row's width
    widths = np.array([len(f.split()) for f in fields]) if width < len(LINK_COLUMNS) else None
    if widths is not None and (widths != width).any():
        return None
    return table


def _links_by_line(
    name: str, lines: Iterator[tuple[int, str]], n_nodes: int, n_links: int, links_row: int
) -> FloatArray:
    """Link rows read one line at a time, each problem named by line and column."""
    columns: list[list[float]] = [[] for _ in LINK_COLUMNS]
    for number, text in lines:
        if not text:
            continue
        if not text.endswith(";"):
            raise DataError(name, "link row does not end with ';'", row=number)
        tokens = text[:-1].split()
        if not _REQUIRED_LINK_COLUMNS <= len(tokens) <= len(LINK_COLUMNS):
            raise DataError(
                name,
                f"expected {_REQUIRED_LINK_COLUMNS} to {len(LINK_COLUMNS)} fields "
                f"({' '.join(LINK_COLUMNS)}), got {len(tokens)}",
                row=number,
            )
        for index, column in enumerate(LINK_COLUMNS):
            if index >= len(tokens):
                columns[index].append(0.0)
                continue
            if index < 2:
                node = _integer(name, tokens[index], number, column)
                if not 1 <= node <= n_nodes:
                    raise DataError(
                        name,
                        f"node {node} is outside 1..{n_nodes} (<NUMBER OF NODES>)",
                        row=number,
                        column=column,
                    )
                columns[index].append(float(node))
                continue
            value = _number(name, tokens[index], number, column)
            if value < 0 and column != "link_type":
                raise DataError(
                    name, f"must not be negative, got {tokens[index]}", row=number, column=column
                )
            columns[index].append(value)

    found = len(columns[0])
    if found != n_links:
        raise DataError(
            name,
            f"<NUMBER OF LINKS> says {n_links} but the file has {found} link rows",
            row=links_row,
            column="NUMBER OF LINKS",
        )
    return np.array(columns, dtype=np.float64).reshape(len(LINK_COLUMNS), found)


def read_trips(path: str | os.PathLike[str], *, zones: int | None = None) -> FloatArray:
    """Read a TNTP trip file (``*_trips.tntp``) into a dense origin-destination matrix.

    Parameters
    ----------
    path
        The file to read.
    zones
        The number of zones the network has; if given, ``<NUMBER OF ZONES>`` must match.

    Returns
    -------
    numpy.ndarray
        ``float64`` array of shape ``(zones, zones)``; entry ``[o - 1, d - 1]`` is the
        flow from zone ``o`` to zone ``d``. Repeated entries for a pair add up.

    Raises
    ------
    corridor.errors.DataError
        On missing metadata, an entry before any ``Origin``, a zone outside
        ``1..<NUMBER OF ZONES>``, an entry not closed by ``;``, a non-numeric or
        negative flow, or a zone count different from ``zones``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "tiny_trips.tntp"
    >>> _ = p.write_text(
    ...     "<NUMBER OF ZONES> 2\\n<TOTAL OD FLOW> 7\\n<END OF METADATA>\\n"
    ...     "Origin 1\\n  2 :  7.0;\\n"
    ... )
    >>> read_trips(p).tolist()
    [[0.0, 7.0], [0.0, 0.0]]
    """
    name = str(path)
    text = _read(path)
    lines = _lines(text)
    tags, end_line = _metadata(name, lines)
    n_zones = _int_tag(name, tags, "NUMBER OF ZONES", end_line)
    if zones is not None and zones != n_zones:
        raise DataError(
            name,
            f"<NUMBER OF ZONES> is {n_zones} but the network has {zones} zones",
            row=tags["NUMBER OF ZONES"][0],
            column="NUMBER OF ZONES",
        )
    body = _body(text, end_line)
    demand = None if body is None else _trips_in_bulk(body, n_zones)
    return demand if demand is not None else _trips_by_line(name, lines, n_zones)


def _entries_well_formed(text: str) -> bool:
    """Whether every entry of ``text`` is ``destination : flow ;`` on one line: separators
    alternate from ':', every piece between two holds a token, and every non-blank line
    ends with ';' (array operations on the bytes; with that, 2 n numbers in the text mean
    exactly one token per piece)."""
    try:
        raw = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    except UnicodeEncodeError:
        return False
    colon, semicolon, newline = ord(":"), ord(";"), ord("\n")
    is_sep = (raw == colon) | (raw == semicolon)
    where = np.flatnonzero(is_sep)
    seps = raw[where]
    if seps.size % 2 or (seps[0::2] != colon).any() or (seps[1::2] != semicolon).any():
        return False
    blank = (raw == 32) | ((raw >= 9) & (raw <= 13))
    words = np.cumsum(~(blank | is_sep), dtype=np.int32)
    # a token before every separator: word bytes between consecutive separators
    before = words[where]
    if before.size and (before[0] == 0 or (np.diff(before) == 0).any()):
        return False
    # every line's last non-blank byte is ';' (or the line is blank)
    last = np.maximum.accumulate(np.where(blank, -1, np.arange(raw.size)))
    ends = np.flatnonzero(raw == newline)
    k = last[ends]
    starts = np.concatenate(([-1], ends[:-1]))
    return bool(((k <= starts) | (raw[np.maximum(k, 0)] == semicolon)).all())


def _trips_in_bulk(body: str, n_zones: int) -> FloatArray | None:
    """The OD matrix with every entry parsed in one NumPy call; ``None`` unless the whole
    body is plainly valid (the line reader then names the problem)."""
    parts = _ORIGIN_LINE.split(body)  # [before, origin, block, origin, block, ...]
    if parts[0].strip():
        return None
    origins, blocks = parts[1::2], parts[2::2]
    counts = [block.count(":") for block in blocks]
    if any(block.count(";") != n for block, n in zip(blocks, counts, strict=True)):
        return None
    text = "\n".join(blocks) + "\n"
    if not _entries_well_formed(text):
        return None
    n = sum(counts)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            values = np.fromstring(text.replace(":", " ").replace(";", " "), sep=" ")
        except (ValueError, DeprecationWarning):  # a token that is not a number
            return None
    try:
        o = np.array(origins, dtype=np.float64)
    except ValueError:
        return None
    if values.size != 2 * n:
        return None
    dest, flow = values[0::2], values[1::2]
    if not (
        np.isfinite(o).all()
        and (o == np.floor(o)).all()
        and ((o >= 1) & (o <= n_zones)).all()
        and np.isfinite(values).all()
        and (dest == np.floor(dest)).all()
        and ((dest >= 1) & (dest <= n_zones)).all()
        and (flow >= 0).all()
    ):
        return None
    demand = np.zeros((n_zones, n_zones), dtype=np.float64)
    rows = np.repeat(o.astype(np.int64) - 1, counts)
    np.add.at(demand, (rows, dest.astype(np.int64) - 1), flow)  # repeated pairs add up
    return demand


def _trips_by_line(name: str, lines: Iterator[tuple[int, str]], n_zones: int) -> FloatArray:
    """The OD matrix read one line at a time, each problem named by line and column."""
    demand = np.zeros((n_zones, n_zones), dtype=np.float64)
    origin = -1
    for number, text in lines:
        if not text:
            continue
        head = text.split(None, 1)
        if head[0].lower() == "origin":
            if len(head) < 2:
                raise DataError(name, "'Origin' without a zone number", row=number)
            origin = _integer(name, head[1].strip().rstrip(";").strip(), number, "origin")
            if not 1 <= origin <= n_zones:
                raise DataError(
                    name,
                    f"origin {origin} is not a zone (1..{n_zones})",
                    row=number,
                    column="origin",
                )
            continue
        if origin < 0:
            raise DataError(name, "entry before the first 'Origin' line", row=number)
        parts = text.split(";")
        if parts[-1].strip():
            raise DataError(name, f"entry {parts[-1].strip()!r} does not end with ';'", row=number)
        for part in parts[:-1]:
            if not part.strip():
                continue
            pieces = part.split(":")
            if len(pieces) != 2:
                raise DataError(
                    name, f"expected 'destination : flow', got {part.strip()!r}", row=number
                )
            dest = _integer(name, pieces[0].strip(), number, "destination")
            if not 1 <= dest <= n_zones:
                raise DataError(
                    name,
                    f"destination {dest} is not a zone (1..{n_zones})",
                    row=number,
                    column="destination",
                )
            flow = _number(name, pieces[1].strip(), number, "flow")
            if flow < 0:
                raise DataError(
                    name, f"flow must not be negative, got {flow}", row=number, column="flow"
                )
            demand[origin - 1, dest - 1] += flow
    return demand


def flow_csv(columns: dict[str, NDArray[np.int64] | NDArray[np.float64]]) -> str:
    """The text of a flows CSV: a header of the column names, then one row per link.

    Integers are written as such and floats with 17 significant digits (``%.17g``:
    they read back exactly); no pandas needed.

    Examples
    --------
    >>> import numpy as np
    >>> print(flow_csv({"from": np.array([1]), "to": np.array([2]),
    ...                 "volume": np.array([0.1]), "cost": np.array([np.inf])}), end="")
    from,to,volume,cost
    1,2,0.10000000000000001,inf
    """
    names = list(columns)
    cells = [
        [str(v) for v in values.tolist()]
        if values.dtype.kind in "iu"
        else [format(v, ".17g") for v in values.tolist()]
        for values in columns.values()
    ]
    rows = [",".join(names)] + [",".join(row) for row in zip(*cells, strict=True)]
    return "\n".join(rows) + "\n"


def read_flows(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a TNTP flow file (``*_flow.tntp``): best-known link volumes and costs.

    Parameters
    ----------
    path
        The file to read.

    Returns
    -------
    pandas.DataFrame
        Columns ``from``, ``to`` (int64 node numbers), ``volume`` and ``cost`` (float64),
        one row per link in file order.

    Raises
    ------
    corridor.errors.DataError
        On a row without exactly four fields or with a non-numeric value.
    """
    import pandas as pd

    name = str(path)
    rows: list[tuple[int, int, float, float]] = []
    for number, text in _lines(_read(path)):
        if not text:
            continue
        tokens = text.rstrip(";").split()
        if not rows and [t.lower() for t in tokens] == ["from", "to", "volume", "cost"]:
            continue
        if len(tokens) != 4:
            raise DataError(
                name, f"expected 4 fields (From To Volume Cost), got {len(tokens)}", row=number
            )
        rows.append(
            (
                _integer(name, tokens[0], number, "from"),
                _integer(name, tokens[1], number, "to"),
                _number(name, tokens[2], number, "volume"),
                _number(name, tokens[3], number, "cost"),
            )
        )
    frame = pd.DataFrame(rows, columns=["from", "to", "volume", "cost"])
    return frame.astype({"from": "int64", "to": "int64", "volume": "float64", "cost": "float64"})


def write_network(path: str | os.PathLike[str], network: TntpNetwork) -> None:
    """Write ``network`` as a TNTP network file (atomically; floats round-trip exactly).

    Parameters
    ----------
    path
        Where to write.
    network
        The network to write.
    """
    out = [
        f"<NUMBER OF ZONES> {network.n_zones}",
        f"<NUMBER OF NODES> {network.n_nodes}",
        f"<FIRST THRU NODE> {network.first_thru_node}",
        f"<NUMBER OF LINKS> {network.n_links}",
        "<END OF METADATA>",
        "",
        "",
        "~\t" + "\t".join(LINK_COLUMNS) + "\t;",
    ]
    for i in range(network.n_links):
        out.append(
            "\t"
            + "\t".join(
                [
                    str(int(network.init_node[i])),
                    str(int(network.term_node[i])),
                    repr(float(network.capacity[i])),
                    repr(float(network.length[i])),
                    repr(float(network.free_flow_time[i])),
                    repr(float(network.b[i])),
                    repr(float(network.power[i])),
                    repr(float(network.speed[i])),
                    repr(float(network.toll[i])),
                    str(int(network.link_type[i])),
                ]
            )
            + "\t;"
        )
    write_text(path, "\n".join(out) + "\n")


def write_trips(path: str | os.PathLike[str], demand: FloatArray, *, per_line: int = 5) -> None:
    """Write a dense OD matrix as a TNTP trip file (atomically; zero entries omitted).

    Parameters
    ----------
    path
        Where to write.
    demand
        Square ``(zones, zones)`` matrix of non-negative flows.
    per_line
        Entries per line inside an origin block.
    """
    matrix = np.asarray(demand, dtype=np.float64)
    zones = matrix.shape[0]
    out = [
        f"<NUMBER OF ZONES> {zones}",
        f"<TOTAL OD FLOW> {float(matrix.sum())!r}",
        "<END OF METADATA>",
        "",
        "",
    ]
    for o in range(zones):
        dests = np.flatnonzero(matrix[o])
        if dests.size == 0:
            continue
        out.append(f"Origin \t{o + 1}")
        for start in range(0, dests.size, per_line):
            chunk = dests[start : start + per_line]
            out.append(" ".join(f"{d + 1:5d} : {float(matrix[o, d])!r};" for d in chunk))
        out.append("")
    write_text(path, "\n".join(out) + "\n")
