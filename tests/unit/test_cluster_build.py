"""scripts/cluster_build.sh and the cluster tier's wait for it, on a state folder of the test's
own (the real one may hold CI's background build)."""

import os
import subprocess

import pytest

from tests import cluster_toolchain
from tests.cluster_toolchain import CLUSTER_BUILD, wait_for_cluster_toolchain
from tests.pulumi_engine import engine_problem


@pytest.fixture
def build_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("MOORINGS_CLUSTER_BUILD_DIR", str(tmp_path))
    return tmp_path


def script(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(CLUSTER_BUILD), *args], capture_output=True, text=True, timeout=60, env=os.environ)


def test_a_failed_build_is_reported_by_wait_with_the_builds_own_words(build_dir):
    assert script("start", "no-such-module").returncode == 0
    waited = script("wait", "30")
    assert waited.returncode == 1
    assert "no module 'no-such-module'" in waited.stderr and "failed 1" in waited.stderr
    assert (build_dir / "state").read_text().strip() == "failed 1"


def test_wait_notices_a_build_that_died_without_a_status(build_dir):
    dead = subprocess.Popen(["true"])
    dead.wait()
    (build_dir / "state").write_text(f"running {dead.pid}\n")
    waited = script("wait", "30")
    assert waited.returncode == 1 and "is gone without a status" in waited.stderr


def test_stop_ends_a_running_build_and_records_it(build_dir):
    sleeper = subprocess.Popen(["setsid", "sleep", "300"])
    (build_dir / "state").write_text(f"running {sleeper.pid}\n")
    assert script("stop").returncode == 0
    assert sleeper.wait(timeout=10) != 0
    assert (build_dir / "state").read_text().strip() == "failed stopped"


def test_the_cluster_tier_fails_with_the_status_of_a_failed_build(build_dir):
    (build_dir / "state").write_text("failed 2\n")
    with pytest.raises(pytest.fail.Exception, match="ended: failed 2"):
        wait_for_cluster_toolchain()


def test_the_cluster_tier_waits_for_a_running_build_then_goes_on(build_dir):
    (build_dir / "state").write_text("done\n")
    wait_for_cluster_toolchain()  # done: no wait, no failure
    # The build starts its 2 s once its state is written: on a busy machine it could otherwise
    # write "done" first, and the "running" written after would name a build that has ended.
    build = subprocess.Popen(["sh", "-c", f"while [ ! -e {build_dir}/go ]; do sleep 0.1; done; sleep 2; "
                              f"echo done > {build_dir}/state.tmp && mv {build_dir}/state.tmp {build_dir}/state"])
    (build_dir / "state").write_text(f"running {build.pid}\n")
    (build_dir / "go").touch()
    wait_for_cluster_toolchain()
    build.wait(timeout=10)
    assert int((build_dir / "waited").read_text()) >= 1
    assert cluster_toolchain.build_dir() == build_dir


def test_the_kubernetes_plugin_is_no_missing_tool_while_the_background_build_makes_it(build_dir, tmp_path, monkeypatch):
    """The tiers before the modules that deploy to Kubernetes run while it builds; those wait for it."""
    monkeypatch.setenv("PULUMI_HOME", str(tmp_path / "empty-home"))
    (build_dir / "state").write_text("done\n")
    assert "resource-kubernetes-v" in engine_problem()
    (build_dir / "state").write_text(f"running {os.getpid()}\n")
    problem = engine_problem()
    assert "resource-kubernetes-v" not in problem and "resource-docker-v" in problem
