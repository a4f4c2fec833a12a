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
from corridor.io.tntp import (
    TntpNetwork,
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
