"""TNTP readers: the benchmark files, exact round trips, and one DataError per bad input."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corridor.errors import DataError
from corridor.io import tntp
from corridor.io.tntp import (
    TntpNetwork,
    flow_csv,
    read_flows,
    read_network,
    read_trips,
    write_network,
    write_trips,
)

NETWORKS = ["SiouxFalls", "Anaheim", "Barcelona"]


def _tag(path: Path, tag: str) -> float:
    """The value of a metadata tag, read with a regular expression (not the reader)."""
    match = re.search(rf"<{tag}>\s*([0-9.eE+-]+)", path.read_text())
    assert match is not None
    return float(match.group(1))


@pytest.mark.parametrize("name", NETWORKS)
def test_benchmark_files_match_their_metadata(tntp_dir: Path, name: str) -> None:
    folder = tntp_dir / name
    net = read_network(folder / f"{name}_net.tntp")
    demand = read_trips(folder / f"{name}_trips.tntp", zones=net.n_zones)
    flows = read_flows(folder / f"{name}_flow.tntp")
    net_file = folder / f"{name}_net.tntp"
    assert net.n_links == _tag(net_file, "NUMBER OF LINKS")
    assert net.n_nodes == _tag(net_file, "NUMBER OF NODES")
    assert net.first_thru_node == _tag(net_file, "FIRST THRU NODE")
    assert demand.shape == (net.n_zones, net.n_zones)
    total = _tag(folder / f"{name}_trips.tntp", "TOTAL OD FLOW")
    assert demand.sum() == pytest.approx(total, rel=1e-12)
    assert (flows["from"].to_numpy() == net.init_node).all()
    assert (flows["to"].to_numpy() == net.term_node).all()
    assert net.init_node.min() >= 1 and net.term_node.max() <= net.n_nodes


def test_barcelona_peculiarities(tntp_dir: Path) -> None:
    net = read_network(tntp_dir / "Barcelona" / "Barcelona_net.tntp")
    assert net.first_thru_node == 111
    assert (net.capacity == 1).all()
    connectors = (net.b == 0) & (net.power == 0)
    assert connectors.sum() == 565
    assert np.any(net.power != np.round(net.power))  # fractional powers survive
    assert net.b[~connectors].max() < 1e-8  # b already holds B / capacity**power
    assert len(np.unique(np.r_[net.init_node, net.term_node])) == 930


def test_first_trip_rows_of_sioux_falls(tntp_dir: Path) -> None:
    demand = read_trips(tntp_dir / "SiouxFalls" / "SiouxFalls_trips.tntp")
    # "Origin 1": 2 : 100.0; 3 : 100.0; 4 : 500.0 ...; "Origin 2": 1 : 100.0
    assert demand[0, :4].tolist() == [0.0, 100.0, 100.0, 500.0]
    assert demand[1, 0] == 100.0
    assert demand[23, 22] > 0


# ---------------------------------------------------------------------------- round trips

finite = st.floats(min_value=0.0, max_value=1e9, allow_nan=False, allow_infinity=False)


@st.composite
def networks(draw: st.DrawFn) -> TntpNetwork:
    n_nodes = draw(st.integers(1, 25))
    n_zones = draw(st.integers(0, n_nodes))
    m = draw(st.integers(0, 40))
    nodes = st.integers(1, n_nodes)

    def col(strategy: st.SearchStrategy[float]) -> np.ndarray:
        return np.asarray(draw(st.lists(strategy, min_size=m, max_size=m)), dtype=np.float64)

    return TntpNetwork(
        n_zones=n_zones,
        n_nodes=n_nodes,
        first_thru_node=draw(st.integers(1, n_nodes + 1)),
        init_node=np.asarray(draw(st.lists(nodes, min_size=m, max_size=m)), dtype=np.int64),
        term_node=np.asarray(draw(st.lists(nodes, min_size=m, max_size=m)), dtype=np.int64),
        capacity=col(finite),
        length=col(finite),
        free_flow_time=col(finite),
        b=col(finite),
        power=col(st.floats(0.0, 10.0)),
        speed=col(finite),
        toll=col(finite),
        link_type=np.asarray(draw(st.lists(st.integers(0, 99), min_size=m, max_size=m))),
    )


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(net=networks())
def test_network_round_trip(tmp_path: Path, net: TntpNetwork) -> None:
    path = tmp_path / "net.tntp"
    write_network(path, net)
    back = read_network(path)
    assert (back.n_zones, back.n_nodes, back.first_thru_node) == (
        net.n_zones,
        net.n_nodes,
        net.first_thru_node,
    )
    for name in ("init_node", "term_node", "capacity", "length", "free_flow_time", "b", "power",
                 "speed", "toll", "link_type"):  # fmt: skip
        np.testing.assert_array_equal(getattr(back, name), getattr(net, name), err_msg=name)


whitespace = st.text(alphabet=" \t", min_size=1, max_size=4)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(net=networks(), data=st.data())
def test_network_irregular_whitespace_and_comments(
    tmp_path: Path, net: TntpNetwork, data: st.DataObject
) -> None:
    """Re-spacing every token and adding ``~`` comments and blank lines changes nothing."""
    path = tmp_path / "net.tntp"
    write_network(path, net)
    out = []
    for line in path.read_text().splitlines():
        tokens = line.split()
        sep = data.draw(whitespace)
        out.append(data.draw(whitespace) + sep.join(tokens) + data.draw(whitespace))
        if data.draw(st.booleans()):
            out.append(data.draw(st.sampled_from(["", "~ a comment", "   ~", "\t"])))
    path.write_text("\n".join(out))
    back = read_network(path)
    np.testing.assert_array_equal(back.free_flow_time, net.free_flow_time)
    np.testing.assert_array_equal(back.term_node, net.term_node)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    zones=st.integers(1, 30),
    seed=st.integers(0, 2**32 - 1),
    density=st.floats(0.0, 1.0),
    per_line=st.integers(1, 7),
)
def test_trips_round_trip(
    tmp_path: Path, zones: int, seed: int, density: float, per_line: int
) -> None:
    rng = np.random.default_rng(seed)
    demand = np.where(
        rng.random((zones, zones)) < density, rng.uniform(0, 1e4, (zones, zones)), 0.0
    )
    path = tmp_path / "trips.tntp"
    write_trips(path, demand, per_line=per_line)
    np.testing.assert_array_equal(read_trips(path, zones=zones), demand)


# ---------------------------------------------------------------------------- bad input

GOOD_NET = """<NUMBER OF ZONES> 2
<NUMBER OF NODES> 3
<FIRST THRU NODE> 3
<NUMBER OF LINKS> 2
<END OF METADATA>

~ init term cap len fft b power speed toll type ;
\t1\t3\t100\t1\t5\t0.15\t4\t0\t0\t1\t;
\t3\t2\t100\t1\t5\t0.15\t4\t0\t0\t1\t;
"""

GOOD_TRIPS = """<NUMBER OF ZONES> 2
<TOTAL OD FLOW> 7.0
<END OF METADATA>

Origin 1
    2 :   7.0;
"""


def _write(tmp_path: Path, text: str, name: str = "x.tntp") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_good_inputs_parse(tmp_path: Path) -> None:
    net = read_network(_write(tmp_path, GOOD_NET))
    assert net.n_links == 2 and net.first_thru_node == 3
    assert read_trips(_write(tmp_path, GOOD_TRIPS, "t.tntp"))[0, 1] == 7.0


@pytest.mark.parametrize(
    ("text", "row", "column", "words"),
    [
        (GOOD_NET.replace("<NUMBER OF LINKS> 2", "<NUMBER OF LINKS> 3"), 4, "NUMBER OF LINKS", "3"),
        (GOOD_NET.replace("<FIRST THRU NODE> 3\n", ""), 4, None, "FIRST THRU NODE"),
        (GOOD_NET.replace("<END OF METADATA>\n", ""), 7, None, "END OF METADATA"),
        (
            GOOD_NET.replace("\t100\t1\t5\t0.15", "\t100\t1\tfive\t0.15", 1),
            8,
            "free_flow_time",
            "five",
        ),
        (GOOD_NET.replace("\t1\t;\n", "\t1\t\n", 1), 8, None, "';'"),
        (GOOD_NET.replace("\t3\t2\t", "\t3\t9\t"), 9, "term_node", "9"),
        (GOOD_NET.replace("\t3\t2\t100", "\t3\t2\t-100"), 9, "capacity", "negative"),
        (GOOD_NET.replace("\t3\t2\t100\t1\t5", "\t3\t2\tnan\t1\t5"), 9, "capacity", "finite"),
        (GOOD_NET.replace("\t0\t1\t;", "\t0\t1\t7\t;", 1), 8, None, "fields"),
        (
            GOOD_NET.replace("<NUMBER OF ZONES> 2", "<NUMBER OF ZONES> two"),
            1,
            "NUMBER OF ZONES",
            "two",
        ),
    ],
)
def test_bad_network_names_line(
    tmp_path: Path, text: str, row: int | None, column: str | None, words: str
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(DataError) as info:
        read_network(path)
    err = info.value
    assert err.file == str(path)
    assert err.row == row
    assert err.column == column
    assert words in err.message
    assert "\n" not in str(err)


@pytest.mark.parametrize(
    ("text", "row", "words"),
    [
        (GOOD_TRIPS.replace("2 :   7.0;", "5 :   7.0;"), 6, "destination 5"),
        (GOOD_TRIPS.replace("Origin 1", "Origin 3"), 5, "origin 3"),
        (GOOD_TRIPS.replace("7.0;", "7.0"), 6, "';'"),
        (GOOD_TRIPS.replace("2 :   7.0;", "2 :   seven;"), 6, "seven"),
        (GOOD_TRIPS.replace("2 :   7.0;", "2 :   -7.0;"), 6, "negative"),
        (GOOD_TRIPS.replace("2 :   7.0;", "2 7.0;"), 6, "destination : flow"),
        (GOOD_TRIPS.replace("Origin 1\n", ""), 5, "before the first"),
        (GOOD_TRIPS.replace("<NUMBER OF ZONES> 2\n", ""), 2, "NUMBER OF ZONES"),
    ],
)
def test_bad_trips_name_line(tmp_path: Path, text: str, row: int, words: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(DataError) as info:
        read_trips(path)
    assert info.value.row == row
    assert words in info.value.message


def test_trips_zone_count_must_match_network(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="network has 3 zones"):
        read_trips(_write(tmp_path, GOOD_TRIPS), zones=3)


def test_missing_file_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="cannot read"):
        read_network(tmp_path / "nope.tntp")


def test_bad_flow_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "From To Volume Cost\n1 2 3.5 1.0\n2 1 x 1.0\n")
    with pytest.raises(DataError) as info:
        read_flows(path)
    assert (info.value.row, info.value.column) == (3, "volume")


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    junk=st.one_of(
        st.text(max_size=300),
        st.text(alphabet="<>~;: \t\n0123456789.-eE" + "ORIGINorigin", max_size=300),
    ),
    base=st.sampled_from([GOOD_NET, GOOD_TRIPS]),
    cut=st.integers(0, 400),
)
def test_junk_gives_data_error_only(tmp_path: Path, junk: str, base: str, cut: int) -> None:
    """Any text, or a valid file with junk spliced in, parses or raises DataError."""
    for text in (junk, base[:cut] + junk + base[cut:]):
        path = _write(tmp_path, text)
        for reader in (read_network, read_trips, read_flows):
            with contextlib.suppress(DataError):
                reader(path)


# ------------------------------------------------------------- bulk reader = line reader


def _both_trip_readers(text: str, zones: int) -> tuple[np.ndarray | None, np.ndarray | str]:
    """The bulk reader's matrix (``None`` if it declined) and the line reader's (or error)."""
    lines = tntp._lines(text)
    _, end = tntp._metadata("x", lines)
    body = tntp._body(text, end)
    bulk = None if body is None else tntp._trips_in_bulk(body, zones)
    try:
        return bulk, tntp._trips_by_line("x", lines, zones)
    except DataError as exc:
        return bulk, str(exc)


entry_sep = st.sampled_from([" ", "\t", "  ", "\n", " \n\t"])


@settings(max_examples=150, deadline=None)
@given(
    zones=st.integers(1, 9),
    blocks=st.lists(
        st.tuples(
            st.integers(0, 10),  # origin (0 and 10 are out of range for most draws)
            st.lists(
                st.tuples(
                    st.integers(0, 10),
                    st.sampled_from(["1", "2.5", "0", "1e3", "-1", "x", "", "nan", "3 4"]),
                ),
                max_size=6,
            ),
        ),
        max_size=5,
    ),
    seps=st.lists(entry_sep, min_size=8, max_size=8),
    origin_word=st.sampled_from(["Origin", "origin", "ORIGIN", "Origin:"]),
    comment=st.booleans(),
    drop_semicolon=st.booleans(),
)
def test_bulk_trip_reader_agrees_with_the_line_reader(
    zones: int,
    blocks: list[tuple[int, list[tuple[int, str]]]],
    seps: list[str],
    origin_word: str,
    comment: bool,
    drop_semicolon: bool,
) -> None:
    """On well-formed and malformed bodies alike, the bulk reader either declines or
    returns exactly what the line reader returns (which names any problem)."""
    out = [f"<NUMBER OF ZONES> {zones}", "<END OF METADATA>", ""]
    for k, (origin, entries) in enumerate(blocks):
        out.append(f"{origin_word} {origin}" + (" ~ note" if comment else ""))
        parts = [f"{d}{seps[i % 8]}:{seps[(i + 1) % 8]}{f};" for i, (d, f) in enumerate(entries)]
        line = seps[k % 8].join(parts)
        out.append(line[:-1] if drop_semicolon and line else line)
    bulk, exact = _both_trip_readers("\n".join(out) + "\n", zones)
    if bulk is not None:
        assert isinstance(exact, np.ndarray), exact
        np.testing.assert_array_equal(bulk, exact)


@settings(max_examples=150, deadline=None)
@given(
    entries=st.lists(st.tuples(st.integers(1, 4), st.integers(1, 4), st.integers(0, 99)),
                     min_size=1, max_size=12),
    seps=st.lists(st.sampled_from([" ", "\t", "\n", " \n "]), min_size=12, max_size=12),
)  # fmt: skip
def test_bulk_trip_reader_on_valid_numbers_anywhere_on_the_lines(
    entries: list[tuple[int, int, int]], seps: list[str]
) -> None:
    """Valid zones and flows, line breaks anywhere (an entry split over two lines is an
    error for the line reader): the bulk reader must agree or decline."""
    out = ["<NUMBER OF ZONES> 4", "<END OF METADATA>"]
    for i, (o, d, f) in enumerate(sorted(entries)):
        out.append(f"Origin {o}")
        out.append(f"{d}{seps[i % 12]}:{seps[(i + 5) % 12]}{f}{seps[(i + 7) % 12]};")
    bulk, exact = _both_trip_readers("\n".join(out) + "\n", 4)
    if bulk is not None:
        assert isinstance(exact, np.ndarray), exact
        np.testing.assert_array_equal(bulk, exact)
    if "\n" not in "".join(seps):
        assert bulk is not None  # plainly valid: the bulk reader must take it


def test_bulk_readers_take_the_benchmark_files(tntp_dir: Path) -> None:
    """The bulk readers accept every benchmark file (else the speed-up would be idle)."""
    for name in NETWORKS:
        text = (tntp_dir / name / f"{name}_trips.tntp").read_text()
        bulk, exact = _both_trip_readers(text, int(_tag(tntp_dir / name / f"{name}_trips.tntp",
                                                        "NUMBER OF ZONES")))  # fmt: skip
        assert bulk is not None
        np.testing.assert_array_equal(bulk, exact)
        text = (tntp_dir / name / f"{name}_net.tntp").read_text()
        lines = tntp._lines(text)
        tags, end = tntp._metadata("x", lines)
        n_nodes, n_links = int(tags["NUMBER OF NODES"][1]), int(tags["NUMBER OF LINKS"][1])
        body = tntp._body(text, end)
        assert body is not None
        table = tntp._links_in_bulk(body, n_nodes, n_links)
        assert table is not None
        np.testing.assert_array_equal(table, tntp._links_by_line("x", lines, n_nodes, n_links, 0))


@given(
    ints=st.lists(st.integers(-(2**62), 2**62), min_size=1, max_size=20),
    floats=st.lists(st.floats(allow_nan=False), min_size=1, max_size=20),
)
def test_flow_csv_reads_back_exactly(ints: list[int], floats: list[float]) -> None:
    n = min(len(ints), len(floats))
    columns = {"from": np.array(ints[:n], dtype=np.int64), "volume": np.array(floats[:n])}
    lines = flow_csv(columns).splitlines()
    assert lines[0] == "from,volume" and len(lines) == n + 1
    back = [line.split(",") for line in lines[1:]]
    assert [int(a) for a, _ in back] == ints[:n]
    assert [float(b) for _, b in back] == floats[:n]  # 17 digits: every double exactly
