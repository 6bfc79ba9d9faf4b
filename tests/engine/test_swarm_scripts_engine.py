"""The cluster scripts against a real Docker Engine, run exactly as SwarmCluster declares them.

The commands come from the component itself (a local-mode cluster under mocks) and run
the way pulumi-command's local.Command runs them: `/bin/sh -c <create>` with its environment.
The tests run in order: init, init again, tokens, join and leave on a member, then the
destroy step. The fixture leaves the swarm afterwards whatever happened.
"""

import os
import subprocess

import pytest

from moorings.swarm_cluster import SCRIPTS, SwarmCluster, SwarmClusterArgs
from tests.docker_engine import TIMEOUT, docker, engine_problem, skip_or_fail, swarm_info
from tests.harness import run_program

pytestmark = pytest.mark.docker_engine

OWNER = "moorings-engine-test"  # the created-by label marks a swarm these tests made


def declared_commands():
    run = run_program(lambda: SwarmCluster("swarm", SwarmClusterArgs(owner=OWNER)))
    return {r.name.removeprefix("swarm-"): r.inputs for r in run.of_type("command:local:Command")}


COMMANDS = declared_commands()


def run_declared(name, step="create", stdin=None):
    """Run command `name`'s create or delete step as local.Command would."""
    inputs = COMMANDS[name]
    env = {**os.environ, **inputs.get("environment", {})}
    return subprocess.run(
        ["/bin/sh", "-c", inputs[step]], input=stdin, env=env, capture_output=True, text=True, timeout=TIMEOUT
    )


def run_script(script, *args, stdin=None):
    return subprocess.run(
        ["sh", str(SCRIPTS / script), *args], input=stdin, capture_output=True, text=True, timeout=TIMEOUT
    )


def created_by_these_tests() -> bool:
    node = swarm_info("NodeID")
    label = docker("node", "inspect", "--format", '{{index .Spec.Labels "moorings.created-by"}}', node)
    return label.stdout.strip() == OWNER


def swarm_snapshot():
    """What must not change when a script has nothing to do."""
    return {
        "cluster": docker("info", "--format", "{{.Swarm.Cluster.ID}}").stdout,
        "node": swarm_info("NodeID"),
        "nodes": docker("node", "ls", "--format", "{{.ID}} {{.Status}} {{.ManagerStatus}}").stdout,
        "labels": docker("node", "inspect", "--format", "{{json .Spec.Labels}}", swarm_info("NodeID")).stdout,
        "worker token": docker("swarm", "join-token", "--quiet", "worker").stdout,
        "manager token": docker("swarm", "join-token", "--quiet", "manager").stdout,
    }


@pytest.fixture(scope="module", autouse=True)
def engine():
    problem = engine_problem()
    if problem:
        skip_or_fail(problem)
    if swarm_info("LocalNodeState") != "inactive":
        if not created_by_these_tests():
            skip_or_fail("this Docker Engine is already part of a swarm these tests did not create; they leave it alone")
        docker("swarm", "leave", "--force")  # ours, left over from an interrupted run
    yield
    if swarm_info("LocalNodeState") == "active" and created_by_these_tests():
        docker("swarm", "leave", "--force")


def test_init_creates_a_single_node_swarm_advertised_on_loopback():
    result = run_declared("node-local")
    assert result.returncode == 0, result.stderr
    assert "init: created a swarm advertised on 127.0.0.1" in result.stderr
    assert (swarm_info("LocalNodeState"), swarm_info("ControlAvailable")) == ("active", "true")
    # stdout is the node ID: the placement that pins MySQL to this node is built from it.
    assert result.stdout.strip() == swarm_info("NodeID") != ""
    assert docker("info", "--format", "{{range .Swarm.RemoteManagers}}{{.Addr}}{{end}}").stdout.strip() == "127.0.0.1:2377"
    assert created_by_these_tests()


def test_running_init_again_changes_nothing():
    before = swarm_snapshot()
    result = run_declared("node-local")
    assert result.returncode == 0, result.stderr
    assert "init: already a swarm manager, nothing to do" in result.stderr
    assert result.stdout.strip() == before["node"]
    assert swarm_snapshot() == before


@pytest.mark.parametrize("role", ["worker", "manager"])
def test_the_token_commands_print_the_join_tokens(role):
    result = run_declared(f"{role}-token")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("SWMTKN-1-")
    assert result.stdout == docker("swarm", "join-token", "--quiet", role).stdout


def test_worker_and_manager_tokens_differ():
    assert run_declared("worker-token").stdout != run_declared("manager-token").stdout


def test_an_unknown_role_has_no_token():
    result = run_script("tokens.sh", "leader")
    assert result.returncode == 2 and "neither worker nor manager" in result.stderr


def test_join_on_a_member_of_the_same_swarm_changes_nothing():
    before = swarm_snapshot()
    result = run_script("join.sh", "127.0.0.1:2377", "manager", "127.0.0.1", stdin=before["manager token"])
    assert result.returncode == 0, result.stderr
    assert "join: already a manager of this swarm, nothing to do" in result.stderr
    assert swarm_snapshot() == before


def test_join_refuses_a_node_of_another_swarm():
    token = docker("swarm", "join-token", "--quiet", "worker").stdout
    result = run_script("join.sh", "10.255.0.1:2377", "worker", "127.0.0.1", stdin=token)
    assert result.returncode == 1 and "belongs to another swarm" in result.stderr
    assert swarm_info("LocalNodeState") == "active"


def test_join_without_a_token_fails_before_touching_the_engine():
    result = run_script("join.sh", "127.0.0.1:2377", "worker", "127.0.0.1", stdin="")
    assert result.returncode == 2 and "no join token on standard input" in result.stderr


def test_leave_refuses_to_erase_the_swarm_from_its_last_manager():
    before = swarm_snapshot()
    result = run_script("leave.sh")
    assert result.returncode == 1 and "last manager" in result.stderr
    assert swarm_snapshot() == before


def test_dissolve_leaves_a_swarm_another_owner_created_alone():
    result = run_script("dissolve.sh", "someone-else")
    assert result.returncode == 0, result.stderr
    assert "not created by someone-else; leaving it as it is" in result.stderr
    assert swarm_info("LocalNodeState") == "active"


def test_the_destroy_step_dissolves_the_swarm_it_created_and_is_safe_to_repeat():
    first = run_declared("node-local", step="delete")
    assert first.returncode == 0, first.stderr
    assert swarm_info("LocalNodeState") == "inactive"
    again = run_declared("node-local", step="delete")
    assert again.returncode == 0 and "not in a swarm, nothing to do" in again.stderr
    left = run_script("leave.sh")
    assert left.returncode == 0 and "not in a swarm, nothing to do" in left.stderr
