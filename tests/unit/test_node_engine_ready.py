"""A node engine whose `docker info` hangs (a restarted swarm manager rejoining Raft) is not
ready yet: `wait_until_ready` keeps asking until its deadline instead of failing at once."""

import os
import stat
from pathlib import Path

import pytest

from tests import node_engine
from tests.node_engine import NodeEngine


def fake_docker(bin_dir: Path, body: str) -> None:
    script = bin_dir / "docker"
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(script.stat().st_mode | stat.S_IEXEC)


@pytest.fixture
def engine(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(node_engine, "ANSWER_TIMEOUT", 0.2)
    return bin_dir, NodeEngine("unused", tmp_path / "engine", "node1")


def test_an_info_that_hangs_is_no_answer(engine):
    bin_dir, node = engine
    fake_docker(bin_dir, "exec sleep 5\n")
    assert node.answers() is False


def test_ready_once_info_stops_hanging(engine, tmp_path):
    bin_dir, node = engine
    calls = tmp_path / "calls"
    # Hangs on the first call, answers with the storage driver from the second on.
    fake_docker(bin_dir, f'echo x >> {calls}\n[ "$(wc -l < {calls})" -gt 1 ] || exec sleep 5\necho overlay2\n')
    node.wait_until_ready()
    assert len(calls.read_text().splitlines()) == 2


def test_an_engine_that_never_answers_fails_at_the_deadline(engine, monkeypatch):
    bin_dir, node = engine
    fake_docker(bin_dir, "exec sleep 5\n")
    monkeypatch.setattr(node_engine, "READY_TIMEOUT", 0.5)
    with pytest.raises(RuntimeError, match="did not answer within"):
        node.wait_until_ready()
