"""The catalogue of measures: interventions rows grouped by their ``measure`` column."""

from __future__ import annotations

from dataclasses import dataclass

from corridor.errors import DataError
from corridor.model.network import Network, split_list
from corridor.model.scenario import Intervention


@dataclass(frozen=True)
class Measure:
    """One fundable measure: the interventions rows it applies and its costs.

    Capex and opex are the sums over its rows; lifetime, kind, country and
    funders are those of its costliest row (its first on a tie); build years
    the longest of its rows.
    """

    id: str
    name: str
    kind: str
    country: str
    rows: tuple[str, ...]
    capex_usd: float
    opex_usd_per_year: float
    lifetime_years: float
    build_years: float
    funders: tuple[str, ...]
    requires: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()

    def changes(self) -> tuple[Intervention, ...]:
        """The scenario changes of the measure, in catalogue order."""
        return tuple(Intervention(r) for r in self.rows)


def _num(value: object) -> float:
    v = float(value)  # type: ignore[arg-type]
    return 0.0 if v != v else v


def catalogue(network: Network) -> tuple[Measure, ...]:
    """The network's measures in catalogue order (first row of each measure).

    Examples
    --------
    >>> from corridor import load_network
    >>> m = {x.id: x for x in catalogue(load_network())}
    >>> m["i_dostyk_moyinty_2nd_track"].rows
    ('i_dostyk_moyinty_2nd_track_a', 'i_dostyk_moyinty_2nd_track_b')
    """
    table = network.interventions
    groups: dict[str, list[dict[str, object]]] = {}
    for row in table.to_dict("records"):
        key = str(row.get("measure") or "") or str(row["id"])
        groups.setdefault(key, []).append(row)
    out = []
    for mid, rows in groups.items():
        main = max(rows, key=lambda r: _num(r["capex_usd"]))
        out.append(
            Measure(
                id=mid,
                name=str(rows[0]["name"]),
                kind=str(main.get("kind") or "other"),
                country=str(main.get("country") or "XX"),
                rows=tuple(str(r["id"]) for r in rows),
                capex_usd=sum(_num(r["capex_usd"]) for r in rows),
                opex_usd_per_year=sum(_num(r["opex_usd_per_year"]) for r in rows),
                lifetime_years=_num(main["lifetime_years"]),
                build_years=max(_num(r.get("build_years", 1.0)) for r in rows),
                funders=tuple(split_list(main.get("funders", ""))),
                requires=tuple(
                    dict.fromkeys(m for r in rows for m in split_list(r.get("requires", "")))
                ),
                excludes=tuple(
                    dict.fromkeys(m for r in rows for m in split_list(r.get("excludes", "")))
                ),
            )
        )
    ids = set(groups)
    for m in out:
        for ref in m.requires + m.excludes:
            if ref not in ids:
                raise DataError(
                    "interventions.csv", f"measure '{m.id}' refers to unknown measure '{ref}'"
                )
    return tuple(out)
