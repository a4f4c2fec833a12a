"""A run's outputs land together (issue 14 part 2): killed runs, concurrent runs and a
full disk leave the complete earlier run or the complete new one, never a mix."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from corridor.errors import DataError
from corridor.io.runs import MARKER, run_folder

FILES = [f"f{i}.txt" for i in range(4)]

# A run that writes FILES one by one, saying which it wrote and waiting for a
# line on stdin before the next: the test decides exactly when to kill it.
WRITER = textwrap.dedent(
    """
    import signal, sys
    from pathlib import Path
    from corridor.cli import terminate_on_sigterm
    from corridor.io.atomic import write_text
    from corridor.io.runs import run_folder

    terminate_on_sigterm()
    out, tag, wait = Path(sys.argv[1]), sys.argv[2], sys.argv[3] == "wait"
    with run_folder(out) as tmp:
        for i in range(4):
            write_text(tmp / f"f{i}.txt", tag * 1000)
            print(i, flush=True)
            if wait:
                sys.stdin.readline()
    print("done", flush=True)
    """
)


def _writer(out: Path, tag: str, *, wait: bool) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(out), tag, "wait" if wait else "go"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _run_set(out: Path) -> str:
    """The tag of the one run ``out`` holds; fails on a mix or an incomplete set."""
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted([MARKER, *FILES]), names
    tags = {(out / f).read_text()[:1] for f in FILES}
    assert len(tags) == 1, f"mixed runs: {tags}"
    return tags.pop()


def _leftovers(parent: Path, name: str) -> list[str]:
    return [p.name for p in parent.iterdir() if p.name.startswith(f".{name}.")]


def _old_run(out: Path) -> None:
    with run_folder(out) as tmp:
        for f in FILES:
            (tmp / f).write_text("o" * 1000)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
@pytest.mark.parametrize("after", [1, 3, 4])
def test_a_run_killed_mid_write_leaves_the_earlier_run_whole(
    tmp_path: Path, sig: signal.Signals, after: int
) -> None:
    out = tmp_path / "out"
    _old_run(out)
    with _writer(out, "n", wait=True) as child:
        assert child.stdin is not None and child.stdout is not None
        for i in range(after):  # `after` files written into the new run's folder
            assert child.stdout.readline().strip() == str(i)
            if i + 1 < after:
                child.stdin.write("\n")
                child.stdin.flush()
        child.send_signal(sig)
        child.communicate(timeout=60)
    assert _run_set(out) == "o"
    if sig == signal.SIGTERM:  # ended like an exception: its folder is gone
        assert child.returncode == 128 + signal.SIGTERM
        assert _leftovers(tmp_path, "out") == []
    else:  # SIGKILL leaves its folder; the next run removes it and lands whole
        assert len(_leftovers(tmp_path, "out")) == 1
        ok = _writer(out, "m", wait=False)
        ok.communicate(timeout=120)
        assert ok.returncode == 0
        assert _run_set(out) == "m"
        assert _leftovers(tmp_path, "out") == []


def test_two_runs_into_one_folder_each_land_whole(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _old_run(out)
    for _ in range(3):
        a, b = _writer(out, "a", wait=False), _writer(out, "b", wait=False)
        a.communicate(timeout=120)
        b.communicate(timeout=120)
        assert a.returncode == b.returncode == 0
        assert _run_set(out) in ("a", "b")
        assert _leftovers(tmp_path, "out") == []


def test_a_write_error_keeps_the_earlier_run_and_names_the_users_folder(tmp_path: Path) -> None:
    """A file-size limit fails writes as a full disk does (EFBIG instead of ENOSPC)."""
    out = tmp_path / "out"
    _old_run(out)
    code = textwrap.dedent(
        """
        import resource, signal, sys
        from pathlib import Path
        from corridor.errors import DataError
        from corridor.io.atomic import write_text
        from corridor.io.runs import run_folder
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (1500, 1500))
        try:
            with run_folder(Path(sys.argv[1])) as tmp:
                write_text(tmp / "f0.txt", "n" * 1000)
                write_text(tmp / "f1.txt", "n" * 2000)
        except DataError as exc:
            print(exc)
        """
    )
    run = subprocess.run(
        [sys.executable, "-c", code, str(out)], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(f"{out}/f1.txt: cannot write"), run.stdout
    assert _run_set(out) == "o"
    assert _leftovers(tmp_path, "out") == []


def test_an_exception_inside_the_run_removes_its_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _old_run(out)
    with pytest.raises(DataError), run_folder(out) as tmp:
        (tmp / "f0.txt").write_text("n")
        raise DataError("x", "boom")
    assert _run_set(out) == "o" and _leftovers(tmp_path, "out") == []


@contextlib.contextmanager
def _small_tmpfs(where: Path, size: str):  # type: ignore[no-untyped-def]
    where.mkdir()
    mount = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True
    )
    if mount.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], check=False)


def test_analyze_on_a_full_disk_says_so_in_one_line_and_keeps_the_earlier_run(
    tmp_path: Path,
) -> None:
    with _small_tmpfs(tmp_path / "disk", "300k") as disk:
        out = disk / "out"
        _old_run(out)
        run = subprocess.run(
            [sys.executable, "-m", "corridor", "analyze", "--out", str(out)],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert run.returncode == 2, run.stderr
        lines = [x for x in run.stderr.splitlines() if x.strip()]
        assert len(lines) == 1 and "No space left on device" in lines[0], run.stderr
        assert lines[0].startswith(f"error: {out}")
        assert _run_set(out) == "o"
        assert _leftovers(disk, "out") == []


def test_sigterm_to_analyze_keeps_the_earlier_run(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _old_run(out)
    with subprocess.Popen(
        [sys.executable, "-m", "corridor", "analyze", "--out", str(out)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    ) as child:  # fmt: skip
        # wait until it writes its outputs (its hidden folder appears), then stop it
        while child.poll() is None and not _leftovers(tmp_path, "out"):
            time.sleep(0.01)
        child.send_signal(signal.SIGTERM)
        _, stderr = child.communicate(timeout=120)
    names = {p.name for p in out.iterdir()}
    if child.returncode == 0:  # it finished first: then the new run is there whole
        assert "analysis.json" in names and "f0.txt" not in names
    else:
        assert child.returncode == 128 + signal.SIGTERM, stderr
        assert _run_set(out) == "o"
    assert _leftovers(tmp_path, "out") == []
    assert os.listdir(tmp_path) == ["out"]


def test_a_folder_an_earlier_version_wrote_is_replaced_but_not_one_with_other_files(
    tmp_path: Path,
) -> None:
    # `make run` before run folders carried the marker left out/ with these files
    old = tmp_path / "out"
    old.mkdir()
    for name in ("analysis.json", "report.html", "tcd_xian_duisburg.png"):
        (old / name).write_text("old", encoding="utf-8")
    with run_folder(old) as tmp:
        (tmp / "analysis.json").write_text("new", encoding="utf-8")
    assert sorted(p.name for p in old.iterdir()) == sorted([MARKER, "analysis.json"])
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    (mixed / "analysis.json").write_text("old", encoding="utf-8")
    (mixed / "thesis.docx").write_text("mine", encoding="utf-8")
    with pytest.raises(DataError, match="expected a new or empty folder"), run_folder(mixed):
        pass
    assert (mixed / "thesis.docx").read_text(encoding="utf-8") == "mine"
