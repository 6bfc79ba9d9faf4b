"""The launcher's clearing of stale stack locks (toolchain/launcher/stale_locks.sh): a lock that a
`pulumi` of this host left when it was killed is removed, saying so; a lock of a `pulumi` that
still runs, or of another host, stays. The app tier kills `up` for real and runs the next one
through the launcher (tests/app/test_app_faults.py)."""

import json
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from tests.stack_config import ROOT

SCRIPT = ROOT / "toolchain" / "launcher" / "stale_locks.sh"
LOCKS = Path(".pulumi/locks/organization/moorings/dev")


def write_lock(backend: Path, name: str, pid: int, host: str) -> Path:
    lock = backend / LOCKS / f"{name}.json"
    lock.parent.mkdir(parents=True, exist_ok=True)
    # As the CLI writes it (backend/diy/lock.go).
    lock.write_text(json.dumps({"pid": pid, "username": "root", "hostname": host, "timestamp": "2026-12-06T07:00:00Z"}))
    return lock


def clear(backend_url: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "-c", f". {SCRIPT} && clear_stale_locks"],
        env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "PULUMI_BACKEND_URL": backend_url},
        capture_output=True, text=True, timeout=30,
    )


def dead_pid() -> int:
    done = subprocess.Popen(["true"])
    done.wait()
    return done.pid


@pytest.fixture
def running_pulumi(tmp_path):
    """A process whose command name is `pulumi`, as the CLI's is."""
    program = tmp_path / "pulumi"
    shutil.copy(shutil.which("sleep"), program)
    process = subprocess.Popen([str(program), "60"])
    yield process.pid
    process.kill()
    process.wait()


@pytest.mark.parametrize("query", ["", "?metadata=skip"])  # the launcher's own default has one
def test_a_lock_of_a_pulumi_that_no_longer_runs_here_is_removed_and_named(tmp_path, query):
    lock = write_lock(tmp_path, "stale", dead_pid(), socket.gethostname())
    done = clear(f"file://{tmp_path}{query}")
    assert done.returncode == 0, done.stderr
    assert not lock.exists()
    assert "removed a stale lock of stack organization/moorings/dev/stale.json" in done.stderr
    assert "no longer runs on this host" in done.stderr


def test_the_lock_of_a_running_pulumi_stays(tmp_path, running_pulumi):
    lock = write_lock(tmp_path, "live", running_pulumi, socket.gethostname())
    clear(f"file://{tmp_path}")
    assert lock.exists()


def test_a_lock_whose_pid_now_belongs_to_another_program_is_stale(tmp_path):
    sleeper = subprocess.Popen(["sleep", "60"])
    try:
        lock = write_lock(tmp_path, "reused", sleeper.pid, socket.gethostname())
        clear(f"file://{tmp_path}")
        assert not lock.exists()
    finally:
        sleeper.kill()
        sleeper.wait()


def test_a_lock_of_another_host_stays(tmp_path):
    lock = write_lock(tmp_path, "elsewhere", dead_pid(), "another-host")
    done = clear(f"file://{tmp_path}")
    assert lock.exists() and done.stderr == ""


def test_a_service_backend_or_no_locks_is_left_alone(tmp_path):
    assert clear("https://api.pulumi.com").returncode == 0
    assert clear(f"file://{tmp_path / 'empty'}").returncode == 0
