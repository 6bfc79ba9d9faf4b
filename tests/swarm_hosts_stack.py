"""What the engine tests of the recipe's three-host swarm share: the hosts, the stack in ssh
mode on them, run by the operator, and a manager's view of the swarm (`docker node ls`,
`docker service ps`). The host's own Docker Engine lends its stand-in images and is never part
of these swarms.
"""

from __future__ import annotations

import json
import time
from typing import Optional

from tests.docker_engine import require_docker_engine, skip_or_fail
from tests.pulumi_engine import EngineProject, require_engine
from tests.standin_images import build
from tests.swarm_hosts import Host, SwarmHosts, prerequisites_problem, three_hosts

STACK = "swarm"
PREFIX = "moorings-swarm"
DEMO_PORT = 80  # the committed stack's ports: each node is a host of its own
IMAGES = ("wordpress", "mysql", "nginx")


def built_hosts():
    """The three hosts, with the stand-in images loaded on each (a module fixture's body)."""
    require_engine()
    require_docker_engine()
    problem = prerequisites_problem()
    if problem:
        skip_or_fail(problem)
    images = tuple(build(name) for name in IMAGES)
    with three_hosts(images) as lab:
        print(f"\nthree hosts: built in {lab.build_seconds:.1f} s")
        yield lab


def public_host_key(host: Host) -> str:
    return host.sshd.known_hosts_line().split(" ", 1)[1]


def configure(
    project: EngineProject, lab: SwarmHosts, roles: tuple[str, ...], host_keys: Optional[dict[str, str]] = None
) -> None:
    """The committed stack, in ssh mode on the three hosts, with the stand-in images; each
    host's key is its own unless `host_keys` says otherwise (by host name)."""
    host_keys = host_keys or {}
    project.init(STACK)
    project.set(STACK, "swarm.mode", "ssh")
    for index, (host, role) in enumerate(zip(lab.hosts, roles)):
        project.set(STACK, f"swarm.hosts[{index}].address", host.address)
        project.set(STACK, f"swarm.hosts[{index}].user", "root")
        project.set(STACK, f"swarm.hosts[{index}].role", role)
        # The key a user reads with ssh-keyscan: the remote commands accept no other.
        project.set(STACK, f"swarm.hosts[{index}].hostKey", host_keys.get(host.name, public_host_key(host)))
    project.set(STACK, "wordpress.image", build("wordpress"))
    project.set(STACK, "mysql.image", build("mysql"))
    project.set(STACK, "services.demo.image", build("nginx"))
    project.set(STACK, "services.demo.stopGracePeriod", "5s")


def deployed(tmp_path_factory, lab: SwarmHosts, roles: tuple[str, ...], name: str):
    """The stack up on the hosts with `roles` (a module fixture's body): destroyed afterwards,
    and every engine out of any swarm, whatever happened."""
    project = operator_project(tmp_path_factory, lab, name)
    project.destroyed = False
    try:
        configure(project, lab, roles)
        project.up_seconds = timed_up(project)
        print(f"\n{name}: first up {project.up_seconds:.0f} s")
        yield project
    finally:
        if not project.destroyed:
            destroy_all(project, check=False)
        leave_any_swarm(lab)


def operator_project(tmp_path_factory, lab: SwarmHosts, name: str) -> EngineProject:
    project = EngineProject(tmp_path_factory.mktemp(name))
    project.launcher = lab.operator.launcher()
    project.env["SSH_AUTH_SOCK"] = str(lab.operator.agent_socket)
    return project


def timed_up(project: EngineProject) -> float:
    started = time.monotonic()
    project.up(STACK)
    return time.monotonic() - started


def destroy_all(project: EngineProject, check: bool = True):
    project.pulumi("state", "unprotect", "-s", STACK, "--all", "--yes", check=check)
    return project.destroy(STACK, check=check)


def leave_any_swarm(lab: SwarmHosts) -> None:
    """The backstop between clusters: these engines are the test's own."""
    for host in lab.hosts:
        if host.engine.running():
            host.docker("swarm", "leave", "--force")


def swarm_state(host: Host) -> str:
    return host.docker("info", "--format", "{{.Swarm.LocalNodeState}}").stdout.strip()


def nodes(manager: Host) -> dict[str, dict]:
    """`docker node ls` on a manager, by host name."""
    listed = manager.docker("node", "ls", "--format", "{{json .}}")
    assert listed.returncode == 0, listed.stderr
    return {row["Hostname"]: row for row in map(json.loads, listed.stdout.splitlines())}


def running_tasks(manager: Host, service: str) -> list[str]:
    """The node of each running task of `service`."""
    listed = manager.docker(
        "service", "ps", "--filter", "desired-state=running", "--format", "{{.Node}} {{.CurrentState}}",
        f"{PREFIX}-{service}",
    )
    return [line.split()[0] for line in listed.stdout.splitlines() if line.split()[1] == "Running"]


def replicas_column(manager: Host, service: str) -> str:
    listed = manager.docker("service", "ls", "--filter", f"name={PREFIX}-{service}", "--format", "{{.Name}} {{.Replicas}}")
    return dict(line.split(" ", 1) for line in listed.stdout.splitlines())[f"{PREFIX}-{service}"]


def wait_for(check, seconds: int = 60):
    deadline = time.monotonic() + seconds
    while not (result := check()) and time.monotonic() < deadline:
        time.sleep(1)
    return result




def task_containers(host: Host, service: str) -> list[str]:
    """The running containers of `service`'s tasks on `host`'s own engine."""
    listed = host.docker("ps", "-q", "--filter", f"label=com.docker.swarm.service.name={PREFIX}-{service}")
    return listed.stdout.split()


def fetch(client: Host, url: str) -> str:
    """The body at `url`, fetched with busybox wget from inside `client`'s namespace ('' on failure)."""
    # busybox timeout, not wget -T: busybox 1.35's wget crashes (SIGSEGV) when -T is given.
    got = client.run("busybox", "timeout", "10", "busybox", "wget", "-q", "-O", "-", url, timeout=30)
    return got.stdout if got.returncode == 0 else ""


def fetch_in(host: Host, container: str, name: str, port: int) -> str:
    """The body at http://<name>:<port>/ from inside a task's container ('' on failure). The
    name is resolved first with nslookup: the stand-ins' static busybox wget cannot resolve."""
    looked_up = host.docker("exec", container, "nslookup", name)
    addresses = [line.split()[-1] for line in looked_up.stdout.splitlines()[2:] if line.startswith("Address")]
    if not addresses:
        return ""
    got = host.docker("exec", container, "timeout", "10", "wget", "-q", "-O", "-", f"http://{addresses[0]}:{port}/")
    return got.stdout.strip() if got.returncode == 0 else ""
