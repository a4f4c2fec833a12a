"""Sweeps: many scenarios from one YAML spec, run on Dask distributed.

:mod:`.spec` reads the spec and lays out its points (a grid or a Latin
hypercube); :mod:`.evaluate` runs one point through
:func:`corridor.loaded.prepare.prepare` and the analysis (and the simulation
when it asks for replications); :mod:`.run` sends the points to a Dask
cluster, keeps every finished point in its own Parquet file and in the store,
and skips finished points when a sweep is run again; :mod:`.plots` draws the
tornado and response-surface charts. Dask and PyYAML are the ``sweep`` extra.
"""
