"""Step 4 of scripts/setup.sh, scripts/link_launcher.sh: `pulumi` on PATH is a link to the
checkout's launcher; another Moorings checkout's launcher is re-pointed (a second clone sets up
too), a `pulumi` that is not Moorings' is left exactly as it was. Run on copies of the script and
the launcher in scratch checkouts, with a scratch HOME and bin folder: nothing is built and no
real folder of PATH is touched."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.stack_config import ROOT
SCRIPT = ROOT / "scripts" / "link_launcher.sh"
LAUNCHER = ROOT / "toolchain" / "launcher" / "pulumi"

# The launcher as clones made before link_launcher.sh have it: theirs must be recognised too.
EARLIER_LAUNCHER = """#!/usr/bin/env bash
# `pulumi` for Moorings: scripts/setup.sh links this onto PATH. It runs the CLI of
# toolchain/bin (built there, or a link to the one set-up found) in toolchain/env.sh.
toolchain="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
. "$toolchain/env.sh"
exec "$toolchain/bin/pulumi" "$@"
"""

FOREIGN = "#!/bin/sh\necho other\n"


def checkout(where: Path, launcher_text: str | None = None) -> Path:
    """A scratch Moorings checkout with what link_launcher.sh needs: itself and the launcher."""
    (where / "scripts").mkdir(parents=True)
    (where / "toolchain" / "launcher").mkdir(parents=True)
    shutil.copy2(SCRIPT, where / "scripts" / "link_launcher.sh")
    launcher = where / "toolchain" / "launcher" / "pulumi"
    if launcher_text is None:
        shutil.copy2(LAUNCHER, launcher)
    else:
        launcher.write_text(launcher_text)
        launcher.chmod(0o755)
    return where


@pytest.fixture
def bin_dir(tmp_path):
    path = tmp_path / "bin"
    path.mkdir()
    (tmp_path / "home").mkdir()
    return path


def link(repo: Path, bin_dir: Path) -> subprocess.CompletedProcess:
    env = {
        "HOME": str(bin_dir.parent / "home"),
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "MOORINGS_BIN_DIR": str(bin_dir),
    }
    return subprocess.run(
        ["bash", str(repo / "scripts" / "link_launcher.sh")],
        env=env, capture_output=True, text=True, timeout=30,
    )


def launcher_of(repo: Path) -> Path:
    return repo / "toolchain" / "launcher" / "pulumi"


def test_the_launcher_carries_the_line_it_is_known_by():
    assert LAUNCHER.read_text().splitlines()[1].startswith("# `pulumi` for Moorings:")


def test_a_first_set_up_links_the_launcher(tmp_path, bin_dir):
    repo = checkout(tmp_path / "a")
    run = link(repo, bin_dir)
    assert run.returncode == 0, run.stderr
    assert os.readlink(bin_dir / "pulumi") == str(launcher_of(repo))
    assert f"{bin_dir}/pulumi -> {launcher_of(repo)}" in run.stdout


def test_a_second_set_up_in_the_same_checkout_changes_nothing(tmp_path, bin_dir):
    repo = checkout(tmp_path / "a")
    assert link(repo, bin_dir).returncode == 0
    before = os.lstat(bin_dir / "pulumi")
    run = link(repo, bin_dir)
    assert run.returncode == 0, run.stderr
    after = os.lstat(bin_dir / "pulumi")
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert os.readlink(bin_dir / "pulumi") == str(launcher_of(repo))
    assert "(already)" in run.stdout


@pytest.mark.parametrize("first_launcher", [None, EARLIER_LAUNCHER], ids=["same-launcher", "earlier-launcher"])
def test_a_second_checkout_re_points_the_first_ones_link(tmp_path, bin_dir, first_launcher):
    first = checkout(tmp_path / "first", first_launcher)
    second = checkout(tmp_path / "second")
    assert link(first, bin_dir).returncode == 0
    run = link(second, bin_dir)
    assert run.returncode == 0, run.stderr
    assert os.readlink(bin_dir / "pulumi") == str(launcher_of(second))
    assert str(launcher_of(first)) in run.stderr and str(launcher_of(second)) in run.stderr
    assert "re-pointed" in run.stderr
    # and back: the checkout set up last is the one `pulumi` runs.
    assert link(first, bin_dir).returncode == 0
    assert os.readlink(bin_dir / "pulumi") == str(launcher_of(first))


def test_a_link_to_another_checkouts_launcher_through_a_linked_folder_is_re_pointed(tmp_path, bin_dir):
    first = checkout(tmp_path / "first")
    second = checkout(tmp_path / "second")
    (tmp_path / "alias").symlink_to(first)
    (bin_dir / "pulumi").symlink_to(tmp_path / "alias" / "toolchain" / "launcher" / "pulumi")
    run = link(second, bin_dir)
    assert run.returncode == 0, run.stderr
    assert os.readlink(bin_dir / "pulumi") == str(launcher_of(second))


def test_a_foreign_pulumi_file_is_left_exactly_as_it_was(tmp_path, bin_dir):
    repo = checkout(tmp_path / "a")
    foreign = bin_dir / "pulumi"
    foreign.write_text(FOREIGN)
    foreign.chmod(0o755)
    before = os.lstat(foreign)
    run = link(repo, bin_dir)
    assert run.returncode == 1
    assert "exists and is not Moorings' launcher; left alone" in run.stderr
    after = os.lstat(foreign)
    assert not foreign.is_symlink()
    assert foreign.read_text() == FOREIGN
    assert (after.st_ino, after.st_mode, after.st_mtime_ns) == (before.st_ino, before.st_mode, before.st_mtime_ns)
    assert subprocess.run([str(foreign)], capture_output=True, text=True).stdout == "other\n"


@pytest.mark.parametrize(
    "where",
    ["opt/pulumi/bin/pulumi", "impostor/toolchain/launcher/pulumi"],
    ids=["a-cli-elsewhere", "same-path-without-the-launcher-line"],
)
def test_a_link_to_a_foreign_pulumi_is_left_alone(tmp_path, bin_dir, where):
    repo = checkout(tmp_path / "a")
    foreign = tmp_path / where
    foreign.parent.mkdir(parents=True)
    foreign.write_text(FOREIGN)
    foreign.chmod(0o755)
    (bin_dir / "pulumi").symlink_to(foreign)
    run = link(repo, bin_dir)
    assert run.returncode == 1
    assert "left alone" in run.stderr
    assert os.readlink(bin_dir / "pulumi") == str(foreign)
    assert foreign.read_text() == FOREIGN


def test_a_copy_of_a_launcher_is_not_a_link_and_is_left_alone(tmp_path, bin_dir):
    repo = checkout(tmp_path / "a")
    shutil.copy2(LAUNCHER, bin_dir / "pulumi")
    run = link(repo, bin_dir)
    assert run.returncode == 1
    assert not (bin_dir / "pulumi").is_symlink()
    assert (bin_dir / "pulumi").read_bytes() == LAUNCHER.read_bytes()


def test_a_dangling_link_is_replaced(tmp_path, bin_dir):
    repo = checkout(tmp_path / "a")
    (bin_dir / "pulumi").symlink_to(tmp_path / "gone" / "toolchain" / "launcher" / "pulumi")
    run = link(repo, bin_dir)
    assert run.returncode == 0, run.stderr
    assert os.readlink(bin_dir / "pulumi") == str(launcher_of(repo))


def test_no_writable_folder_on_path_is_an_error(tmp_path, bin_dir):
    repo = checkout(tmp_path / "a")
    run = subprocess.run(
        ["bash", str(repo / "scripts" / "link_launcher.sh")],
        env={"HOME": str(tmp_path / "home"), "PATH": "/usr/bin:/bin", "MOORINGS_BIN_DIR": str(bin_dir)},
        capture_output=True, text=True, timeout=30,
    )
    assert run.returncode == 1
    assert "no writable folder on PATH" in run.stderr
    assert not (bin_dir / "pulumi").exists()
