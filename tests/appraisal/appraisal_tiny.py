"""A tiny dataset for the appraisal tests: the core tests' tiny network plus a catalogue of
measures on its one border."""

from __future__ import annotations

from pathlib import Path

from tiny_network import TINY as NETWORK

TINY = {
    **NETWORK,
    # two measures on the one border (the same bottleneck), one elsewhere, one that
    # changes nothing; m_ferry is two rows forming one measure
    "interventions": """id,name,component,target,attribute,operation,value,capex_usd,opex_usd_per_year,lifetime_years,measure,kind,country,build_years,funders,source
m_scanner,Scanner at B–C,borders,bc,dwell_h,scale,0.5,2000000,100000,10,,scanners,KZ,1,adb_grant,est
m_window,Single window at B–C,borders,bc,dwell_h,scale,0.5,3000000,100000,10,,single_window_etir,KZ,2,jica_tc,est
m_port,Cranes at Delta,terminals,td,handling_h,scale,0.5,4000000,,25,,port_cranes_berths,KZ,2,wb_loan,est
m_ferry_a,More ferries D–E,services,fe,vessels,add,1,30000000,,25,m_ferry,vessels,KZ,2,private,est
m_ferry_b,"More ferries D–E, second row",terminals,te,handling_h,scale,0.8,0,,25,m_ferry,vessels,AZ,2,private,est
m_nothing,A measure that changes nothing,borders,bc,dwell_h,scale,1,1000000,,10,,other,KZ,1,,est
""",
}


def write_tiny(folder: Path) -> Path:
    """Write the tiny dataset with its catalogue into ``folder`` (made if missing)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in TINY.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder
