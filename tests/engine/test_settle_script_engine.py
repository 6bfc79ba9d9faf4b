"""settle.sh, the wait SwarmService declares after each change (`<name>-rollout`), against a real
single-node swarm: run as the component declares it (`sh -s -- ID LIMIT DIGEST`, the script on
stdin), right after a `docker service update --detach`, as the provider leaves it. The tests run
in order on one service; the module leaves the swarm it made whatever happened. Last, drain.sh
(`<name>-drain`, the delete step) on the same service."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from moorings.swarm_service import SwarmService, SwarmServiceArgs
from moorings.swarm_shell import NodeShell, script_command
from tests.docker_engine import docker, engine_problem, skip_or_fail, swarm_info
from tests.harness import run_program
from tests.standin_images import build

pytestmark = pytest.mark.docker_engine

NAME = "moorings-settle-test"
LIMIT = 120  # seconds; every wait here ends well within it


def declared_rollout() -> dict:
    """The inputs of the rollout command SwarmService declares, under mocks."""
    args = SwarmServiceArgs(name=NAME, image="unused", manager=NodeShell())
    run = run_program(lambda: SwarmService("web", args))
    return run.named("web-rollout").inputs


ROLLOUT = declared_rollout()


def settle(service_id: str) -> subprocess.CompletedProcess:
    """The declared command line with the real service's ID in place of the mocks' one."""
    line = ROLLOUT["create"].split()
    assert line[:3] == ["sh", "-s", "--"], line
    return subprocess.run(
        [*line[:3], service_id, str(LIMIT), line[-1]],
        input=ROLLOUT["stdin"], capture_output=True, text=True, timeout=LIMIT + 30,
    )


def update_status(service_id: str) -> dict:
    inspected = json.loads(docker("service", "inspect", service_id).stdout)[0]
    return inspected.get("UpdateStatus") or {}


def replicas(service_id: str) -> str:
    return docker("service", "ls", "--filter", f"id={service_id}", "--format", "{{.Replicas}}").stdout.strip()


@pytest.fixture(scope="module")
def service():
    problem = engine_problem()
    if problem:
        skip_or_fail(problem)
    if swarm_info("LocalNodeState") != "inactive":
        skip_or_fail("this Docker Engine is already in a swarm; these tests need one outside any swarm")
    image = build("nginx")
    assert docker("swarm", "init", "--advertise-addr", "127.0.0.1").returncode == 0
    try:
        created = docker(
            "service", "create", "--detach", "--quiet", "--name", NAME, "--replicas", "1",
            "--mount", "type=tmpfs,destination=/tmp",  # the stand-in writes its page there
            "--update-monitor", "5s", "--update-failure-action", "rollback", "--update-order", "start-first",
            image,
        )
        assert created.returncode == 0, created.stderr
        yield created.stdout.strip()
    finally:
        docker("swarm", "leave", "--force")


def test_a_new_service_is_rolled_out_once_its_task_runs(service):
    result = settle(service)
    assert result.returncode == 0, result.stderr
    assert "is rolled out" in result.stderr
    assert replicas(service) == "1/1"


def test_a_scale_up_returns_when_every_task_runs(service):
    assert docker("service", "update", "--detach", "--quiet", "--replicas", "3", service).returncode == 0
    result = settle(service)
    assert result.returncode == 0, result.stderr
    assert replicas(service) == "3/3"


def test_a_changed_spec_returns_only_after_swarms_monitor_period(service):
    assert docker("service", "update", "--detach", "--quiet", "--env-add", "GREETING=hello", service).returncode == 0
    result = settle(service)
    assert result.returncode == 0, result.stderr
    # The provider would have returned once the new tasks ran, with the update still "updating".
    assert update_status(service).get("State") == "completed", update_status(service)


def test_a_rolled_back_update_fails_naming_swarms_message_and_the_tasks_error(service):
    # Without its tmpfs the stand-in cannot write its page and exits: Swarm rolls the update back.
    assert docker("service", "update", "--detach", "--quiet", "--mount-rm", "/tmp", service).returncode == 0
    result = settle(service)
    assert result.returncode == 1
    assert update_status(service).get("State") == "rollback_completed"
    assert f"the update of {service} ended rollback_completed" in result.stderr
    # The task that ended by itself, with its state (the stand-in exits 0: Complete).
    assert re.search(rf"; {NAME}\.\d+: (Complete|Failed) ", result.stderr), result.stderr
    assert "Swarm runs the previous spec" in result.stderr
    assert "pulumi up --refresh" in result.stderr


def test_drain_removes_a_stopped_container_of_an_earlier_service_of_that_name_and_only_that(service):
    """What an engine restarted while Swarm removed a service leaves: a stopped container labelled
    with the service's name and the old service's ID, holding its volumes. drain.sh (the delete
    step SwarmService declares) removes it, and leaves a container of the running service alone."""
    image = docker("service", "inspect", "--format", "{{.Spec.TaskTemplate.ContainerSpec.Image}}", service).stdout.strip()
    left = docker("create", "--label", f"com.docker.swarm.service.name={NAME}",
                  "--label", "com.docker.swarm.service.id=an-earlier-service", image).stdout.strip()
    current = docker("create", "--label", f"com.docker.swarm.service.name={NAME}",
                     "--label", f"com.docker.swarm.service.id={service}", image).stdout.strip()
    try:
        assert left and current
        drained = subprocess.run(["sh", "-c", script_command("drain.sh", service, "10")],
                                 capture_output=True, text=True, timeout=120)
        assert drained.returncode == 0, drained.stderr
        assert f"drain: removed container {left[:12]}, left by an earlier {NAME} service" in drained.stderr
        assert docker("inspect", left).returncode != 0
        assert docker("inspect", current).returncode == 0
    finally:
        docker("rm", "--force", left, current)
