"""A content-addressed disk cache of base-year calibrations and loaded networks.

A command run twice on the same dataset and scenario answers from one loaded
network; preparing it (the calibration's searches, the fixed point) is most of
a one-off command's work. :class:`ResultCache` stores each result under a key
that hashes everything it depends on:

- the *content* of every table of the networks involved (so any changed value
  in any CSV file, and any scenario change applied in memory, gives a new key),
- the parameters of the call,
- the package version and a digest of the package's own source files (a code
  change never serves a result computed by older code).

The networks themselves are not stored: the caller already holds them, and the
pickled result refers to them by name (pickle's persistent ids), so a cached
result points at the caller's own network objects. Writes are atomic (a
temporary file renamed over the target), so a reader never sees half a file and
two processes that race to store the same key both leave a complete one. A file
that cannot be read (truncated, from another Python, corrupt) is a miss.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import pickle
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corridor.model.network import Network

__all__ = ["CACHE_ENV", "ResultCache", "default_cache", "network_digest"]

#: Environment variable naming the cache folder; set to an empty string to disable caching.
CACHE_ENV = "CORRIDOR_CACHE_DIR"
_FORMAT = 1


def default_cache() -> ResultCache | None:
    """The user's cache: ``$CORRIDOR_CACHE_DIR``, else ``$XDG_CACHE_HOME/corridor``,
    else ``~/.cache/corridor``; ``None`` when ``CORRIDOR_CACHE_DIR`` is set but empty."""
    value = os.environ.get(CACHE_ENV)
    if value is not None:
        return ResultCache(Path(value)) if value.strip() else None
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return ResultCache(Path(root) / "corridor")


@functools.cache
def _code_digest() -> str:
    """Package version and a digest of every source file of the package."""
    import corridor

    package = Path(corridor.__file__).parent
    h = hashlib.blake2b(digest_size=16)
    h.update(corridor.__version__.encode())
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".csv") and "datasets" not in path.parts:
            h.update(str(path.relative_to(package)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def network_digest(network: Network) -> str:
    """Hash of the content of every table of ``network`` (names, columns, types, values).

    Examples
    --------
    >>> from corridor import load_network
    >>> net = load_network()
    >>> network_digest(net) == network_digest(net.with_tables(links=net.links.copy()))
    True
    >>> longer = net.links["length_km"] + (net.links["id"] == net.links["id"][0])
    >>> links = net.links.with_column("length_km", longer)
    >>> network_digest(net) == network_digest(net.with_tables(links=links))
    False
    """
    h = hashlib.blake2b(digest_size=16)
    for name in sorted(network.tables):
        table = network.tables[name]
        h.update(repr((name, len(table))).encode())
        for column, dtype in table.dtypes.items():
            h.update(repr((column, str(dtype))).encode())
            values = table[column]
            if values.dtype.kind in "biufcmM":
                h.update(values.tobytes())
            else:  # strings, lists, missing values: their repr is their content
                h.update(repr(values.tolist()).encode())
    return h.hexdigest()


class _Pickler(pickle.Pickler):
    def __init__(self, file: io.BytesIO, objects: Mapping[str, object]) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._names = {id(obj): name for name, obj in objects.items()}

    def persistent_id(self, obj: object) -> str | None:
        return self._names.get(id(obj))


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, objects: Mapping[str, object]) -> None:
        super().__init__(file)
        self._objects = objects

    def persistent_load(self, pid: object) -> object:
        if not isinstance(pid, str) or pid not in self._objects:
            raise pickle.UnpicklingError(f"cached result refers to unknown object {pid!r}")
        return self._objects[pid]


@dataclass(frozen=True)
class ResultCache:
    """Results stored in ``folder``, one file per key (module docs)."""

    folder: Path

    def key(self, kind: str, *parts: object) -> str:
        """The key of a ``kind`` of result computed from ``parts`` (strings, numbers)."""
        h = hashlib.blake2b(digest_size=20)
        h.update(repr((_FORMAT, _code_digest(), kind, parts)).encode())
        return h.hexdigest()

    def _path(self, kind: str, key: str) -> Path:
        import corridor

        return self.folder / corridor.__version__ / kind / f"{key}.pickle"

    def load(self, kind: str, key: str, objects: Mapping[str, object]) -> Any:
        """The stored result, its references to ``objects`` restored; ``None`` on a miss."""
        try:
            data = self._path(kind, key).read_bytes()
            return _Unpickler(io.BytesIO(data), objects).load()
        except Exception:  # anything unreadable is a miss, recomputed
            return None

    def store(self, kind: str, key: str, value: object, objects: Mapping[str, object]) -> None:
        """Store ``value``, writing references to ``objects`` by name (best effort)."""
        from corridor.io.atomic import write_bytes

        buf = io.BytesIO()
        _Pickler(buf, objects).dump(value)
        try:
            write_bytes(self._path(kind, key), buf.getvalue())
        except Exception:  # a cache that cannot be written is no cache
            return
