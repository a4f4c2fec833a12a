"""Plausible corridors: which corridors serve a pair, which found routes are no option.

Routes here are built by hand from the node ids of the default dataset (the
absurd alternatives seen in `corridor analyze`), so the expectations do not
depend on what the search engine returns today.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from itertools import pairwise
from pathlib import Path

import pytest

from corridor.errors import DataError, UnknownIdError
from corridor.model.network import Network, load_network, split_list
from corridor.model.table import Table
from corridor.paths.plausible import corridor_applies, route_implausible
from corridor.paths.routes import Leg, Route


@pytest.fixture(scope="module")
def net() -> Network:
    return load_network()


def _leg(kind: str, a: str, b: str, mode: str) -> Leg:
    known = {"kind": kind, "element_id": f"{a}-{b}", "from_node": a, "to_node": b, "mode": mode}
    # the other fields (times, costs, capacities, edge) do not matter here
    return Leg(**{f.name: known.get(f.name, 0) for f in fields(Leg)})


def _haul(mode: str, *nodes: str) -> list[Leg]:
    return [_leg("link", a, b, mode) for a, b in pairwise(nodes)]


def _route(corridor: str, *legs: Leg | list[Leg]) -> Route:
    flat = tuple(x for part in legs for x in (part if isinstance(part, list) else [part]))
    known = {
        "corridor": corridor,
        "origin": flat[0].from_node,
        "destination": flat[-1].to_node,
        "commodity": "containers",
        "legs": flat,
        "countries": (),
        "edges": (),
    }
    return Route(**{f.name: known.get(f.name, 0.0) for f in fields(Route)})


# Chinese rail from the Khorgos gauge change to Lianyungang, then sea to Japan.
CN_RAIL = _haul("rail_1435", "khorgos", "jinghe", "urumqi", "lanzhou", "xian", "lianyungang")
SEA_TO_JAPAN = [
    _leg("transfer", "lianyungang", "lianyungang", "sea"),
    *_haul("sea", "lianyungang", "osumi_strait", "off_kii", "uraga_channel", "yokohama"),
]
KZ_TO_CN = [
    *_haul("rail_1520", "almaty", "zhetygen", "altynkol"),
    _leg("border", "altynkol", "khorgos", "rail_1435"),
]
# Xi'an to Duisburg on the Middle Corridor: one Caspian and one Black Sea crossing.
XIAN_DUISBURG_MIDDLE = [
    *_haul("rail_1435", "xian", "lanzhou", "urumqi", "jinghe", "alashankou"),
    _leg("border", "alashankou", "dostyk", "rail_1520"),
    *_haul("rail_1520", "dostyk", "aktogay", "moyinty", "karaganda", "zhezkazgan", "shalkar"),
    *_haul("rail_1520", "shalkar", "beyneu", "mangyshlak", "aktau"),
    _leg("transfer", "aktau", "aktau", "sea"),
    _leg("service", "aktau", "alat", "sea"),
    _leg("transfer", "alat", "alat", "rail_1520"),
    *_haul("rail_1520", "alat", "boyuk_kesik"),
    _leg("border", "boyuk_kesik", "gardabani", "rail_1520"),
    *_haul("rail_1520", "gardabani", "tbilisi", "samtredia", "poti"),
    _leg("service", "poti", "constanta", "ferry"),
    *_haul("rail_1435", "constanta", "bucharest", "budapest", "vienna", "duisburg"),
]


# --- corridor_applies: the serves / commodities columns -------------------------------------


def test_northern_does_not_serve_central_asia_to_japan(net: Network) -> None:
    reason = corridor_applies(net, "northern", "almaty", "yokohama")
    assert reason == (
        "Northern route through Russia and Belarus does not serve Central Asia → Japan and Korea"
    )


def test_land_and_sea_corridors_apply_from_xian_to_duisburg(net: Network) -> None:
    for corridor in ("middle", "middle_btk", "northern", "southern", "sea_suez", "sea_cape"):
        assert corridor_applies(net, corridor, "xian", "duisburg") is None, corridor
    # rail to a Chinese port and then by sea to Japan is no China–Europe option
    assert corridor_applies(net, "china_sea", "xian", "duisburg") is not None


def test_a_corridor_serves_both_directions(net: Network) -> None:
    assert corridor_applies(net, "middle", "duisburg", "xian") is None
    assert corridor_applies(net, "china_sea", "yokohama", "almaty") is None
    assert corridor_applies(net, "northern", "yokohama", "almaty") is not None


def test_crude_corridors_carry_crude_only(net: Network) -> None:
    assert corridor_applies(net, "cpc", "tengiz", "trieste") is None
    assert corridor_applies(net, "cpc", "tengiz", "trieste", commodity="crude_oil") is None
    assert (
        corridor_applies(net, "trans_caspian_btc", "tengiz", "trieste", commodity="crude_oil")
        is None
    )
    reason = corridor_applies(net, "cpc", "almaty", "istanbul", commodity="containers")
    assert reason is not None and "crude_oil" in reason
    # a container corridor says nothing about commodities: the search's modes decide
    assert corridor_applies(net, "middle", "tengiz", "trieste", commodity="crude_oil") is None


def test_every_observed_corridor_flow_is_served(net: Network) -> None:
    # the demand table observes these flows on these corridors: they must be options
    for row in net.demand.itertuples():
        if row.corridor:
            reason = corridor_applies(
                net, row.corridor, row.origin, row.destination, commodity=row.commodity
            )
            assert reason is None, f"demand {row.id}: {reason}"


def test_default_pairs_keep_at_least_two_corridors(net: Network) -> None:
    to_japan = {("almaty", "yokohama"), ("kyzylorda", "yokohama")}
    for o, d, commodity in net.od_pairs.itertuples():
        ok = {
            c
            for c in net.corridors["id"]
            if corridor_applies(net, c, o, d, commodity=commodity) is None
        }
        if (o, d) in to_japan:
            # Central Asia → Japan: rail through China, through Russia to the Pacific
            # ports, or through Iran to Bandar Abbas, each then by sea
            assert ok == {"china_sea", "northern_far_east", "southern_gulf"}, (o, d)
        else:
            assert len(ok) >= 2, (o, d, ok)
    assert {
        c
        for c in net.corridors["id"]
        if corridor_applies(net, c, "xian", "istanbul", commodity="containers") is None
    } == {"middle", "middle_btk", "middle_road", "southern", "sea_suez", "sea_cape"}


def test_blank_serves_applies_to_every_pair(net: Network) -> None:
    corridors = net.corridors.to_pandas()
    corridors.loc[corridors["id"] == "northern", "serves"] = ""
    open_net = net.with_tables(corridors=Table.from_pandas(corridors))
    assert corridor_applies(open_net, "northern", "almaty", "yokohama") is None


def test_a_node_outside_every_region_is_named(net: Network) -> None:
    regions = net.regions.to_pandas()
    regions["countries"] = regions["countries"].str.replace("JP;", "", regex=False)
    less = net.with_tables(regions=Table.from_pandas(regions))
    reason = corridor_applies(less, "china_sea", "almaty", "yokohama")
    assert reason is not None and "yokohama (JP)" in reason


def test_unknown_ids_raise(net: Network) -> None:
    with pytest.raises(UnknownIdError):
        corridor_applies(net, "teleport", "xian", "duisburg")
    with pytest.raises(UnknownIdError):
        corridor_applies(net, "middle", "atlantis", "duisburg")


def test_every_node_country_of_the_default_dataset_has_a_region(net: Network) -> None:
    regioned = {c for cell in net.regions["countries"] for c in split_list(cell)}
    places = net.nodes[(net.nodes["kind"] != "waypoint") & (net.nodes["country"] != "XX")]
    assert set(places["country"]) - regioned == set()


# --- route_implausible ---------------------------------------------------------------------


def test_a_middle_corridor_route_is_plausible(net: Network) -> None:
    assert route_implausible(net, _route("middle", XIAN_DUISBURG_MIDDLE)) is None


def test_kyzylorda_yokohama_middle_crosses_the_caspian_twice(net: Network) -> None:
    route = _route(
        "middle",
        _haul("rail_1520", "kyzylorda", "shalkar", "beyneu", "mangyshlak", "aktau"),
        _leg("service", "aktau", "alat", "sea"),
        _leg("service", "alat", "turkmenbashi", "ferry"),
        _haul("rail_1520", "turkmenbashi", "bereket", "ashgabat", "mary", "farap"),
        _leg("border", "farap", "khojadavlet", "rail_1520"),
        _haul("rail_1520", "khojadavlet", "bukhara", "tashkent", "keles"),
        _leg("border", "keles", "saryagash", "rail_1520"),
        _haul("rail_1520", "saryagash", "arys", "shu", "almaty"),
        KZ_TO_CN,
        CN_RAIL,
        SEA_TO_JAPAN,
    )
    assert route_implausible(net, route) == (
        "crosses the Caspian Sea twice (aktau→alat, alat→turkmenbashi)"
    )


def test_one_crossing_each_of_two_seas_is_plausible(net: Network) -> None:
    # Caspian then Black Sea: two ship legs, but different water bodies
    legs = [leg for leg in XIAN_DUISBURG_MIDDLE if leg.kind == "service"]
    assert [(leg.from_node, leg.to_node) for leg in legs] == [
        ("aktau", "alat"),
        ("poti", "constanta"),
    ]
    assert route_implausible(net, _route("middle_black_sea", XIAN_DUISBURG_MIDDLE)) is None


def test_going_to_aktau_and_back_is_implausible(net: Network) -> None:
    route = _route(
        "middle",
        _haul("rail_1520", "kyzylorda", "shalkar", "beyneu", "mangyshlak", "aktau"),
        _haul("rail_1520", "aktau", "mangyshlak", "beyneu", "shalkar", "zhezkazgan", "karaganda"),
        _haul("rail_1520", "karaganda", "moyinty", "aktogay", "dostyk"),
        _leg("border", "dostyk", "alashankou", "rail_1435"),
        _haul("rail_1435", "alashankou", "jinghe", "urumqi", "lanzhou", "xian", "lianyungang"),
        SEA_TO_JAPAN,
    )
    assert route_implausible(net, route) == "goes to Aktau port and turns back"


def test_leaving_europe_for_russia_and_coming_back_is_implausible(net: Network) -> None:
    # Shanghai→Rotterdam "northern": Suez to Constanța, rail up to Brest, on through Russia
    route = _route(
        "northern",
        _haul("sea", "shanghai", "yangtze_estuary", "east_china_sea", "taiwan_strait"),
        _haul("sea", "taiwan_strait", "south_china_sea", "singapore_strait", "malacca_strait"),
        _haul("sea", "malacca_strait", "dondra_head", "bab_el_mandeb", "suez_canal"),
        _haul("sea", "suez_canal", "eastern_med", "dardanelles", "bosphorus", "constanta"),
        _haul("rail_1435", "constanta", "bucharest", "budapest", "zilina", "warsaw"),
        _haul("rail_1435", "warsaw", "malaszewicze"),
        _leg("border", "malaszewicze", "brest", "rail_1520"),
        _haul("rail_1520", "brest", "minsk", "osinovka"),
        _leg("border", "osinovka", "krasnoye", "rail_1520"),
        _haul("rail_1520", "krasnoye", "smolensk", "moscow", "st_petersburg"),
        _haul("sea", "st_petersburg", "danish_straits", "skagen", "dover_strait", "rotterdam"),
    )
    assert route_implausible(net, route) == (
        "leaves Europe and comes back (China → Europe → Russia and Belarus → Europe)"
    )


def test_ships_through_turkish_straits_do_not_enter_turkiye(net: Network) -> None:
    # Rotterdam→Constanța by sea passes the Dardanelles and Bosphorus (TR waypoints)
    route = _route(
        "sea_suez",
        _haul("sea", "rotterdam", "dover_strait", "ushant", "finisterre", "gibraltar"),
        _haul("sea", "gibraltar", "off_algiers", "sicily_channel", "eastern_med"),
        _haul("sea", "eastern_med", "dardanelles", "bosphorus", "constanta"),
    )
    assert route_implausible(net, route) is None


def test_re_entering_a_country_is_implausible(net: Network) -> None:
    # out of Kazakhstan into Uzbekistan and back in further on (regions stay Central Asia)
    route = _route(
        "best",
        _haul("rail_1520", "shu", "arys", "saryagash"),
        _leg("border", "saryagash", "keles", "rail_1520"),
        _haul("rail_1520", "keles", "tashkent"),
        _haul("rail_1520", "tashkent", "kyzylorda"),
    )
    assert route_implausible(net, route) == "leaves KZ and comes back (KZ UZ KZ)"


def test_china_sea_must_use_chinese_rail(net: Network) -> None:
    # Ashgabat→Yokohama "china_sea" through Iran and Türkiye, then by sea to Shanghai:
    # a transfer at Shanghai is tagged rail_1435 but moves nothing through China
    no_cn_rail = _route(
        "china_sea",
        _haul("rail_1520", "ashgabat", "bereket", "etrek"),
        _leg("border", "etrek", "inche_burun", "rail_1435"),
        _haul("rail_1435", "inche_burun", "gorgan", "tehran", "tabriz", "razi"),
        _leg("border", "razi", "kapikoy", "rail_1435"),
        _haul("rail_1435", "kapikoy", "van"),
        _leg("service", "van", "tatvan", "ferry"),
        _haul("rail_1435", "tatvan", "malatya", "sivas", "ankara", "istanbul", "ambarli"),
        _haul("sea", "ambarli", "dardanelles", "eastern_med", "suez_canal", "bab_el_mandeb"),
        _haul("sea", "bab_el_mandeb", "dondra_head", "malacca_strait", "south_china_sea"),
        _haul("sea", "south_china_sea", "east_china_sea", "shanghai"),
        _leg("transfer", "shanghai", "shanghai", "rail_1435"),
        _haul("sea", "shanghai", "osumi_strait", "off_kii", "uraga_channel", "yokohama"),
    )
    assert route_implausible(net, no_cn_rail) == (
        "uses no rail_1435 inside CN, which corridor china_sea requires"
    )
    with_cn_rail = _route("china_sea", KZ_TO_CN, CN_RAIL, SEA_TO_JAPAN)
    assert route_implausible(net, with_cn_rail) is None
    # the requirement belongs to china_sea: the same legs break no other rule
    assert route_implausible(net, _route("southern", list(no_cn_rail.legs))) is None


def test_a_route_of_no_corridor_has_no_required_modes(net: Network) -> None:
    assert route_implausible(net, _route("best", SEA_TO_JAPAN)) is None


# --- validation of the new columns ---------------------------------------------------------

TINY_REGIONS = (
    "id,name,countries\nchina,China,CN\ncentral_asia,Central Asia,KZ\ncaucasus,Caucasus,AZ;GE\n"
)
TINY_CORRIDORS = (
    "id,name,via,avoid_countries,avoid_nodes,serves,requires_mode_in,commodities,description\n"
    "middle,Middle,d,RU,,{serves},{requires},{commodities},via the ferry\n"
    "northern,Northern,r,AZ,,,,,via Russia\n"
)


def _corridors(serves: str = "china>caucasus", requires: str = "", commodities: str = "") -> str:
    return TINY_CORRIDORS.format(serves=serves, requires=requires, commodities=commodities)


def test_new_columns_load(tiny_dataset: Callable[..., Path]) -> None:
    folder = tiny_dataset(
        regions=TINY_REGIONS,
        corridors=_corridors(requires="rail_1435@CN", commodities="containers"),
    )
    net = load_network(folder)
    assert corridor_applies(net, "middle", "a", "f") is None
    assert corridor_applies(net, "middle", "a", "d") == "Middle does not serve China → Central Asia"
    assert corridor_applies(net, "northern", "a", "d") is None


@pytest.mark.parametrize(
    ("file", "text", "row", "column", "expect"),
    [
        ("corridors", _corridors(serves="china>mars"), 2, "serves", "regions.csv"),
        ("corridors", _corridors(serves="china-caucasus"), 2, "serves", "from>to"),
        ("corridors", _corridors(requires="rail_1435"), 2, "requires_mode_in", "mode@CC"),
        ("corridors", _corridors(requires="rail_1600@CN"), 2, "requires_mode_in", "mode@CC"),
        ("corridors", _corridors(commodities="gold"), 2, "commodities", "commodities.csv"),
        ("regions", TINY_REGIONS + "kz_again,Kazakhstan,KZ\n", 5, "countries", "central_asia"),
        ("regions", TINY_REGIONS + "moon,Moon,Moon\n", 5, "countries", "ISO"),
    ],
)
def test_bad_applicability_cells_are_located(
    tiny_dataset: Callable[..., Path], file: str, text: str, row: int, column: str, expect: str
) -> None:
    files = {"regions": TINY_REGIONS, "corridors": _corridors(), file: text}
    with pytest.raises(DataError) as info:
        load_network(tiny_dataset(**files))
    err = info.value
    assert err.file.endswith(f"{file}.csv")
    assert (err.row, err.column) == (row, column)
    assert expect in str(err)
