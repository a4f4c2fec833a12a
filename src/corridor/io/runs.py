"""Output folders that change as a whole: a run's files land together or not at all.

A command that writes several files (``analyze --out DIR``, ``simulate --out
DIR``) writes them into a new hidden folder beside ``DIR``; only when all are
written is that folder swapped with ``DIR`` in one step (Linux
``renameat2(RENAME_EXCHANGE)``; two renames elsewhere). A reader, or a run
killed at any moment, sees either the complete earlier run or the complete new
one, never a mix. The swap holds an exclusive ``flock`` on the parent folder,
so two runs into one folder finish one after the other, each whole.

A folder is replaced only if it is new, empty, or a run written here (it holds
the marker file :data:`MARKER`): pointing ``--out`` at a folder of other files
is refused before anything is computed, so nothing of the user's is deleted.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import json
import os
import secrets
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from corridor.errors import DataError

#: File that marks a folder as a run written by corridor (listing its files).
MARKER = ".corridor-run.json"
#: What runs wrote before folders carried the marker: such a folder is a run too.
_UNMARKED_RUN_FILES = ("analysis.json", "simulation.json", "report.html", "report.pdf", "tcd_*")
_RENAME_EXCHANGE = 2  # linux/fs.h


def check_run_folder(out: str | os.PathLike[str]) -> Path:
    """Raise :class:`DataError` unless ``out`` may receive a run (new, empty or a run).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> check_run_folder(folder / "new") == folder / "new"
    True
    >>> (folder / "notes.txt").write_text("mine")
    4
    >>> check_run_folder(folder)
    Traceback (most recent call last):
    ...
    corridor.errors.DataError: ...: expected a new or empty folder, ... (it holds notes.txt ...)
    """
    target = Path(out)
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise DataError(str(target), "expected a folder for the outputs (this is a file)")
    if target.is_dir():
        try:
            names = sorted(p.name for p in target.iterdir())
        except OSError as exc:
            why = exc.strerror or exc
            raise DataError(str(target), f"cannot read the folder ({why})") from None
        if names and MARKER not in names and not _unmarked_run(target, names):
            raise DataError(
                str(target),
                "expected a new or empty folder, or one an earlier run wrote "
                f"(it holds {names[0]} and no {MARKER})",
            )
    return target


def _unmarked_run(folder: Path, names: list[str]) -> bool:
    """Whether ``folder`` holds only files an earlier corridor run wrote (no marker yet).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> for name in ("analysis.json", "report.html", "tcd_xian_duisburg.png"):
    ...     _ = (folder / name).write_text("x")
    >>> _unmarked_run(folder, sorted(p.name for p in folder.iterdir()))
    True
    >>> _unmarked_run(folder, ["analysis.json", "notes.txt"])
    False
    """
    from fnmatch import fnmatchcase

    return all(
        (folder / n).is_file()
        and not (folder / n).is_symlink()
        and any(fnmatchcase(n, pattern) for pattern in _UNMARKED_RUN_FILES)
        for n in names
    )


@contextmanager
def run_folder(out: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield an empty folder to write a run into; it becomes ``out`` on success.

    On an exception (or SIGTERM, which the CLI turns into one) the new folder
    is removed and ``out`` is untouched. Folders left by a run killed with
    SIGKILL are removed by the next run into the same place.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "run"
    >>> with run_folder(out) as tmp:
    ...     _ = (tmp / "a.json").write_text("{}")
    >>> sorted(p.name for p in out.iterdir())
    ['.corridor-run.json', 'a.json']
    """
    target = check_run_folder(out)
    parent = target.parent.absolute()
    tmp: Path | None = None
    own = -1
    try:
        try:
            parent.mkdir(parents=True, exist_ok=True)
            with _locked(parent):
                _remove_abandoned(parent, target.name)
                # named before it is made: a SIGTERM (raised as SystemExit) right after
                # the mkdir still finds it in `tmp` and removes it below
                tmp = parent / f".{target.name}.new-{secrets.token_hex(6)}"
                os.mkdir(tmp, 0o700)
                # a shared lock on our folder tells later runs that its owner is alive
                own = os.open(tmp, os.O_RDONLY)
                fcntl.flock(own, fcntl.LOCK_SH)
            # mkdtemp makes 0700: a new run folder is shared, a replaced one keeps its mode
            os.chmod(tmp, stat.S_IMODE(target.stat().st_mode) if target.is_dir() else 0o755)
        except OSError as exc:
            raise DataError(
                str(target), f"cannot create the output folder ({exc.strerror or exc})"
            ) from None
        yield tmp
        files = sorted(str(p.relative_to(tmp)) for p in tmp.rglob("*") if p.is_file())
        (tmp / MARKER).write_text(json.dumps({"files": files}, indent=1), encoding="utf-8")
        _swap_in(tmp, target, parent)
    except OSError as exc:
        raise DataError(str(target), f"cannot write the outputs ({exc.strerror or exc})") from None
    except DataError as exc:  # name the user's folder, not our hidden one
        file = exc.file.replace(str(tmp), str(target)) if tmp else exc.file
        raise DataError(file, exc.message, row=exc.row, column=exc.column) from None
    finally:
        if own >= 0:
            os.close(own)
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive flock on ``folder`` (other runs into it wait)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _swap_in(tmp: Path, target: Path, parent: Path) -> None:
    with _locked(parent):
        check_run_folder(target)  # again: someone may have filled it meanwhile
        if not target.exists():
            os.rename(tmp, target)
            return
        if not _exchange(tmp, target):
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=parent))
            os.rename(target, old / "run")
            os.rename(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        # after the exchange ``tmp`` holds the earlier run; the caller removes it
        _fsync_dir(parent)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2); False where not supported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    rc = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_abandoned(parent: Path, name: str) -> None:
    """Remove folders of earlier runs into ``name`` whose process is gone.

    Called with the parent locked, so no run is between creating its folder
    and locking it.
    """
    for stale in parent.glob(f".{name}.*-*"):
        if not stale.is_dir() or not stale.name.startswith((f".{name}.new-", f".{name}.old-")):
            continue
        try:
            fd = os.open(stale, os.O_RDONLY)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # a live run holds it
        finally:
            with suppress(OSError):
                os.close(fd)
        run = stale / "run"
        if stale.name.startswith(f".{name}.old-") and run.is_dir() and not (parent / name).exists():
            os.rename(run, parent / name)  # killed between the two renames: put it back
        shutil.rmtree(stale, ignore_errors=True)
