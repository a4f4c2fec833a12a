"""Write files so that a reader never sees half of one: temp file, then rename."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from corridor.errors import DataError


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it over ``path`` on success.

    On an exception the temporary file is removed and ``path`` is untouched.
    Only a new path or an existing regular file is written: a device, a FIFO,
    a folder or a symbolic link named as ``path`` is refused with a
    :class:`~corridor.errors.DataError` before anything is written, and an
    existing file keeps its permissions (a new one is 0644).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("hello")
    >>> target.read_text()
    'hello'
    """
    target = Path(path)
    mode = 0o644
    if target.is_symlink() or (target.exists() and not target.is_file()):
        raise DataError(str(target), "expected a new path or a regular file to write")
    if target.exists():
        mode = stat.S_IMODE(target.stat().st_mode)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise DataError(str(target), f"cannot write here ({exc.strerror or exc})") from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, mode)  # mkstemp makes 0600: new outputs are shared, old keep theirs
        os.replace(tmp, target)
    except OSError as exc:  # a full disk, a folder gone: one line, the old file intact
        raise DataError(str(target), f"cannot write ({exc.strerror or exc})") from None
    finally:
        if tmp.exists():
            tmp.unlink()


def write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` atomically (UTF-8)."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
