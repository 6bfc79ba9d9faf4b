"""The swarm stack on the local Docker Engine, as the engine and application tiers inspect it:
its services, tasks and leftovers by the stack's name prefix, and the swarm it made."""

from __future__ import annotations

import json
import time

from tests.docker_engine import docker, swarm_info
from tests.pulumi_engine import EngineProject

STACK = "swarm"
PREFIX = "moorings-swarm"
OWNER = PREFIX  # the created-by label init.sh puts on a swarm the stack made


def service(name: str) -> dict:
    return json.loads(docker("service", "inspect", f"{PREFIX}-{name}").stdout)[0]


def secret_names(name: str) -> list[str]:
    """The Swarm secrets of the stack's secret `name` (one per value: a new value is a new secret)."""
    return docker("secret", "ls", "--filter", f"name={PREFIX}-{name}-", "--format", "{{.Name}}").stdout.split()


def granted_secrets(name: str) -> list[str]:
    """The secrets the service `name` hands its tasks."""
    return [s["SecretName"] for s in service(name)["Spec"]["TaskTemplate"]["ContainerSpec"].get("Secrets") or []]


def replicas_column(name: str) -> str:
    """The REPLICAS column of `docker service ls` for one service, e.g. 5/5."""
    listed = docker("service", "ls", "--filter", f"name={PREFIX}-{name}", "--format", "{{.Name}} {{.Replicas}}")
    return dict(line.split(" ", 1) for line in listed.stdout.splitlines())[f"{PREFIX}-{name}"]


def running_tasks(name: str) -> set[str]:
    """IDs of the service's tasks that Swarm wants running."""
    listed = docker("service", "ps", "-q", "--filter", "desired-state=running", f"{PREFIX}-{name}")
    return set(listed.stdout.split())


def task_containers(name: str) -> list[str]:
    return docker("ps", "-q", "--filter", f"label=com.docker.swarm.service.name={PREFIX}-{name}").stdout.split()


def leftovers() -> dict[str, str]:
    """What the stack would leave behind: services, secrets, configs, networks, volumes."""
    found = {
        kind: docker(kind, "ls", "-q", "--filter", f"name={PREFIX}").stdout.strip()
        for kind in ("service", "secret", "config", "network", "volume")
        if swarm_info("LocalNodeState") == "active" or kind in ("network", "volume")
    }
    return {kind: ids for kind, ids in found.items() if ids}


def leave_swarm_if_ours() -> None:
    if swarm_info("LocalNodeState") != "inactive":
        node = swarm_info("NodeID")
        label = docker("node", "inspect", "--format", '{{index .Spec.Labels "moorings.created-by"}}', node)
        if label.stdout.strip() == OWNER:
            docker("swarm", "leave", "--force")


def unprotect_and_destroy(project: EngineProject, check: bool = True):
    """What docs/operators/swarm.md tells a user: unprotect the volumes, then destroy."""
    project.pulumi("state", "unprotect", "-s", STACK, "--all", "--yes", check=check)
    started = time.monotonic()
    result = project.destroy(STACK, check=check)
    project.destroy_seconds = time.monotonic() - started
    return result
