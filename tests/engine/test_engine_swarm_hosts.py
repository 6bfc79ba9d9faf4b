"""The recipe's three-host swarm, for real, with 1 manager and 2 workers: stack `swarm` with
`swarm.mode: ssh` through the real engine, against three hosts built on this machine
(tests/swarm_hosts.py: a network namespace, a Docker Engine and an sshd each, on a private
LAN). The CLI runs as the operator, in the LAN, with the test key in its SSH agent: every init,
join and leave goes over SSH, and the Docker provider talks to the first manager at
ssh://root@<address>. The tests run in order; the fixture destroys what it made, and the hosts
go whatever happened.
"""

from __future__ import annotations

import time

import pytest

from tests.kernel_features import esp_problem, ipvs_problem
from tests.pulumi_engine import changed_steps, step_summary
from tests.swarm_hosts_stack import (
    DEMO_PORT,
    PREFIX,
    STACK,
    built_hosts,
    deployed,
    destroy_all,
    fetch,
    fetch_in,
    nodes,
    replicas_column,
    running_tasks,
    swarm_state,
    task_containers,
    wait_for,
)

pytestmark = [pytest.mark.engine, pytest.mark.docker_engine]


def require(problem) -> None:
    """A kernel feature the test needs. Its absence skips the test with the reason, in CI too:
    it is the machine's kernel, not a prerequisite the set-up could install (docs/operators/swarm.md:
    what this kernel cannot prove), and a CI run on such a kernel must still land."""
    if problem:
        pytest.skip(problem)

ROLES = ("manager", "worker", "worker")


@pytest.fixture(scope="module")
def hosts():
    yield from built_hosts()


@pytest.fixture(scope="module")
def cluster(hosts, tmp_path_factory):
    yield from deployed(tmp_path_factory, hosts, ROLES, "one-manager")


def test_up_initialises_on_the_first_manager_and_joins_the_others_over_ssh(hosts, cluster):
    manager = hosts.hosts[0]
    listed = nodes(manager)
    assert {name: (row["Status"], row["ManagerStatus"]) for name, row in listed.items()} == {
        "node1": ("Ready", "Leader"),
        "node2": ("Ready", ""),
        "node3": ("Ready", ""),
    }
    # Each engine is in this swarm as the node the manager lists under its name.
    assert {
        host.name: host.docker("info", "--format", "{{.Swarm.LocalNodeState}} {{.Swarm.NodeID}}").stdout.split()
        for host in hosts.hosts
    } == {name: ["active", row["ID"]] for name, row in listed.items()}
    # Each node advertises the address it was configured with.
    addresses = {
        name: manager.docker("node", "inspect", "--format", "{{.Status.Addr}}", row["ID"]).stdout.strip()
        for name, row in listed.items()
    }
    assert addresses == {host.name: host.address for host in hosts.hosts}


def test_the_second_up_changes_nothing(hosts, cluster):
    before = {host.name: host.docker("info", "--format", "{{.Swarm.NodeID}}").stdout for host in hosts.hosts}
    assert changed_steps(cluster.preview_json(STACK)) == []
    result = cluster.up(STACK)
    summary = result.stdout[result.stdout.rindex("Resources:"):]
    assert "unchanged" in summary and not any(op in summary for op in ("created", "updated", "replaced", "deleted"))
    assert {host.name: host.docker("info", "--format", "{{.Swarm.NodeID}}").stdout for host in hosts.hosts} == before


def test_the_demos_3_replicas_spread_over_the_three_nodes(hosts, cluster):
    assert sorted(running_tasks(hosts.hosts[0], "demo")) == ["node1", "node2", "node3"]


@pytest.mark.parametrize("service, user, files", [
    ("mysql", "999", ["mysql-root-password", "mysql-password"]),
    ("wordpress", "33", ["mysql-password", "wordpress-auth-key"]),
])
def test_secrets_reach_the_tasks_on_every_node_they_run_on(hosts, cluster, service, user, files):
    placed = {host.name: task_containers(host, service) for host in hosts.hosts}
    assert sorted(name for name, containers in placed.items() for _ in containers) == sorted(
        running_tasks(hosts.hosts[0], service)
    )
    for host in hosts.hosts:
        for container in placed[host.name]:
            for file in files:
                read = host.docker("exec", "-u", user, container, "cat", f"/run/secrets/{file}")
                assert read.returncode == 0 and read.stdout, (host.name, file, read.stderr)


def test_wordpress_and_mysql_tasks_cover_the_three_nodes(hosts, cluster):
    """So that the secrets test above has read a secret on every node."""
    manager = hosts.hosts[0]
    assert set(running_tasks(manager, "mysql")) | set(running_tasks(manager, "wordpress")) == {
        "node1", "node2", "node3"
    }


def wordpress_on_a_worker(hosts) -> tuple:
    """A worker running a WordPress task, and that task's container."""
    worker = next(host for host in hosts.hosts[1:] if task_containers(host, "wordpress"))
    return worker, task_containers(worker, "wordpress")[0]


def test_wordpress_on_a_worker_reaches_mysqls_task_over_the_encrypted_overlay(hosts, cluster):
    require(esp_problem(hosts.lan.namespace))
    assert running_tasks(hosts.hosts[0], "mysql") == ["node1"]
    worker, container = wordpress_on_a_worker(hosts)
    # The stand-in MySQL answers HTTP on 3306; tasks.<service> is its task's own overlay address.
    assert fetch_in(worker, container, f"tasks.{PREFIX}-mysql", 3306) == "alive"


def test_wordpress_on_a_worker_reaches_mysql_by_the_alias_it_connects_to(hosts, cluster):
    require(esp_problem(hosts.lan.namespace))
    require(ipvs_problem())  # the alias names the service's virtual IP
    worker, container = wordpress_on_a_worker(hosts)
    assert fetch_in(worker, container, "mysql", 3306) == "alive"


def test_the_routing_mesh_answers_on_the_published_port_of_every_node(hosts, cluster):
    require(ipvs_problem())
    client = hosts.hosts[1]
    answers = {host.name: bool(fetch(client, f"http://{host.address}:{DEMO_PORT}/")) for host in hosts.hosts}
    assert answers == {"node1": True, "node2": True, "node3": True}


def test_scaling_the_demo_to_5_is_one_update_in_place(hosts, cluster):
    manager = hosts.hosts[0]
    demo_id = manager.docker("service", "inspect", "--format", "{{.ID}}", f"{PREFIX}-demo").stdout
    cluster.set(STACK, "services.demo.replicas", "5")
    steps = {resource: op for op, resource, _ in map(step_summary, changed_steps(cluster.preview_json(STACK)))}
    # The service, in place, and the wait for its rolling update on the first manager, run again.
    assert steps == {"docker:index/service:Service::demo": "update", "command:remote:Command::demo-rollout": "update"}
    started = time.monotonic()
    cluster.up(STACK)
    print(f"\nscale 3 -> 5: up {time.monotonic() - started:.0f} s")
    assert wait_for(lambda: replicas_column(manager, "demo") == "5/5", 30)
    assert manager.docker("service", "inspect", "--format", "{{.ID}}", f"{PREFIX}-demo").stdout == demo_id
    assert set(running_tasks(manager, "demo")) == {"node1", "node2", "node3"}


def update_state(manager, service: str) -> str:
    """The state of the service's last update (empty when it never had one), and its REPLICAS."""
    state = manager.docker("service", "inspect", "--format", "{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}",
                           f"{PREFIX}-{service}").stdout.strip()
    return f"{state} {replicas_column(manager, service)}"


def update_settled(manager, service: str) -> bool:
    state, replicas = update_state(manager, service).rsplit(" ", 1)
    return state in ("", "completed") and replicas.split("/")[0] == replicas.split("/")[1]


def test_a_host_removed_from_the_config_is_drained_leaves_and_is_gone_from_the_node_list(hosts, cluster):
    manager, removed = hosts.hosts[0], hosts.hosts[2]
    # Any update still rolling must finish first, so that what moves below is the drain's doing
    # (the scale itself restarts nothing since the restart policy is sent in full: docs/operators/swarm.md,
    # "Scaling the demo").
    settling = time.monotonic()
    assert wait_for(lambda: update_settled(manager, "demo"), 240), update_state(manager, "demo")
    print(f"\nthe scale's rolling restart settled {time.monotonic() - settling:.0f} s later")
    cluster.pulumi("config", "rm", "-s", STACK, "--path", "swarm.hosts[2]")
    started = time.monotonic()
    result = cluster.up(STACK)
    print(f"\nremove node3: up {time.monotonic() - started:.0f} s")
    assert sorted(nodes(manager)) == ["node1", "node2"]
    assert swarm_state(removed) == "inactive"
    # The demo's tasks moved to the two nodes left, before node3 went.
    assert wait_for(lambda: replicas_column(manager, "demo") == "5/5", 60), manager.docker(
        "service", "ps", "--format", "{{.Name}} {{.Node}} {{.DesiredState}} {{.CurrentState}} {{.Error}}", f"{PREFIX}-demo"
    ).stdout
    assert set(running_tasks(manager, "demo")) == {"node1", "node2"}
    deleted = [line for line in result.stdout.splitlines() if "deleted" in line]
    assert [name for name in ("drain", "node", "remove") if any(f"swarm-{name}-{removed.address}" in line for line in deleted)] == [
        "drain", "node", "remove"
    ], result.stdout


def test_destroy_leaves_all_three_engines_outside_any_swarm(hosts, cluster):
    started = time.monotonic()
    destroy_all(cluster)
    cluster.destroyed = True
    print(f"\ndestroy {time.monotonic() - started:.0f} s")
    assert {host.name: swarm_state(host) for host in hosts.hosts} == {
        "node1": "inactive", "node2": "inactive", "node3": "inactive"
    }
    # What stays: volumes Swarm created on a node when a task mounted them there (docs/operators/swarm.md).
    for host in hosts.hosts:
        print(f"{host.name} volumes after destroy: {host.docker('volume', 'ls', '-q').stdout.split()}")
