"""The atomic writer writes only regular files or new paths, and keeps an existing file's mode."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from corridor.errors import DataError
from corridor.io.atomic import write_text


def test_a_new_file_is_0644_and_an_existing_one_keeps_its_mode(tmp_path: Path) -> None:
    new = tmp_path / "new.txt"
    write_text(new, "a")
    assert stat.S_IMODE(new.stat().st_mode) == 0o644
    private = tmp_path / "private.txt"
    private.write_text("old")
    private.chmod(0o600)
    write_text(private, "new")
    assert private.read_text() == "new"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600


@pytest.mark.parametrize("kind", ["fifo", "folder", "symlink", "device"])
def test_devices_fifos_folders_and_links_are_refused_untouched(tmp_path: Path, kind: str) -> None:
    if kind == "fifo":
        target = tmp_path / "pipe"
        os.mkfifo(target)
    elif kind == "folder":
        target = tmp_path / "dir"
        target.mkdir()
    elif kind == "symlink":
        real = tmp_path / "real.txt"
        real.write_text("keep")
        target = tmp_path / "link.txt"
        target.symlink_to(real)
    else:
        if os.geteuid() == 0:  # a bug here must not be able to replace a root's device
            pytest.skip("device case not run as root")
        target = Path("/dev/null")
    before = target.lstat()
    with pytest.raises(DataError, match="regular file"):
        write_text(target, "x")
    after = target.lstat()
    assert (before.st_mode, before.st_ino) == (after.st_mode, after.st_ino)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    if kind == "symlink":
        assert (tmp_path / "real.txt").read_text() == "keep"


def test_the_cli_refuses_a_fifo_as_output_in_one_line(tmp_path: Path) -> None:
    pipe = tmp_path / "report.html"
    os.mkfifo(pipe)
    run = subprocess.run(
        [sys.executable, "-m", "corridor", "report", "--out", str(pipe)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 2, run.stderr
    lines = [x for x in run.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and str(pipe) in lines[0]
    assert stat.S_ISFIFO(os.lstat(pipe).st_mode)
