"""A dataset's identity in the store: the SHA-256 of its files."""

from __future__ import annotations

import hashlib

from corridor.model.network import Network


def dataset_hash(network: Network) -> str:
    """SHA-256 over the relative names and bytes of a dataset folder's CSV and JSON files.

    The same files give the same hash wherever they lie; one changed figure,
    renamed file or added scenario gives another.
    """
    from corridor.model.network import _dataset_dir

    digest = hashlib.sha256()
    with _dataset_dir(network.path or None) as folder:
        files = sorted(
            p for p in folder.rglob("*") if p.is_file() and p.suffix in (".csv", ".json")
        )
        for p in files:
            data = p.read_bytes()
            name = p.relative_to(folder).as_posix().encode()
            digest.update(len(name).to_bytes(8, "big") + name)
            digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()
