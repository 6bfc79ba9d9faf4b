"""The recipe's three-host swarm with 3 managers (tests/swarm_hosts.py builds the hosts): `up`
joins two more managers over SSH, the swarm keeps answering and accepting changes with its
leader's engine stopped (Raft: 2 of 3 managers are a majority), and `destroy` takes the three
engines out again. The tests run in order; the hosts go whatever happened.
"""

from __future__ import annotations

import pytest

from tests.swarm_hosts_stack import (
    STACK,
    built_hosts,
    configure,
    deployed,
    destroy_all,
    nodes,
    operator_project,
    public_host_key,
    swarm_state,
    wait_for,
)

pytestmark = [pytest.mark.engine, pytest.mark.docker_engine]

ROLES = ("manager", "manager", "manager")


@pytest.fixture(scope="module")
def hosts():
    yield from built_hosts()


@pytest.fixture(scope="module")
def cluster(hosts, tmp_path_factory):
    yield from deployed(tmp_path_factory, hosts, ROLES, "three-managers")


def test_a_host_key_that_does_not_match_stops_up_before_any_swarm_exists(hosts, tmp_path_factory):
    project = operator_project(tmp_path_factory, hosts, "wrong-host-key")
    # node1's entry carries node2's key: what a user sees when another machine answers there.
    configure(project, hosts, ROLES, host_keys={"node1": public_host_key(hosts.hosts[1])})
    failed = project.pulumi("up", "-s", STACK, "--yes", "--skip-preview", check=False)
    assert failed.returncode != 0
    assert "ssh: handshake failed: ssh: host key mismatch" in failed.stdout + failed.stderr
    assert {host.name: swarm_state(host) for host in hosts.hosts} == {
        "node1": "inactive", "node2": "inactive", "node3": "inactive"
    }


def manager_status(host) -> dict[str, tuple[str, str]]:
    return {name: (row["Status"], row["ManagerStatus"]) for name, row in nodes(host).items()}


def test_up_joins_two_more_managers_over_ssh(hosts, cluster):
    assert manager_status(hosts.hosts[0]) == {
        "node1": ("Ready", "Leader"),
        "node2": ("Ready", "Reachable"),
        "node3": ("Ready", "Reachable"),
    }


def test_the_second_up_changes_nothing(hosts, cluster):
    before = {host.name: host.docker("info", "--format", "{{.Swarm.NodeID}}").stdout for host in hosts.hosts}
    result = cluster.up(STACK)
    summary = result.stdout[result.stdout.rindex("Resources:"):]
    assert "unchanged" in summary and not any(op in summary for op in ("created", "updated", "replaced", "deleted"))
    assert {host.name: host.docker("info", "--format", "{{.Swarm.NodeID}}").stdout for host in hosts.hosts} == before


def test_with_the_leaders_engine_stopped_the_other_two_elect_a_leader_and_accept_changes(hosts, cluster):
    leader, others = hosts.hosts[0], hosts.hosts[1:]
    leader.engine.stop()
    leader.engine.wait_stopped()
    try:
        def new_leader():
            listed = others[0].docker("node", "ls", "--format", "{{.Hostname}} {{.ManagerStatus}}")
            rows = dict(line.split(" ", 1) for line in listed.stdout.splitlines()) if listed.returncode == 0 else {}
            return next((name for name, status in rows.items() if status == "Leader"), None)

        elected = wait_for(new_leader, 60)
        assert elected in ("node2", "node3")
        # A write goes through Raft: it needs a majority of the managers.
        labelled = others[1].docker("node", "update", "--label-add", "quorum-test=2-of-3", "node2")
        assert labelled.returncode == 0, labelled.stderr
        # Its status is Unknown to a new leader until the heartbeats time out, then Down.
        status, manager = manager_status(others[0])["node1"]
        assert (status in ("Unknown", "Down"), manager) == (True, "Unreachable")
    finally:
        leader.engine.start()
        leader.engine.wait_until_ready()
    # The first manager's engine comes back as a manager of the same swarm.
    assert wait_for(lambda: manager_status(others[0]).get("node1", ("", ""))[0] == "Ready", 60)
    assert manager_status(leader)["node1"][1] == "Reachable"


def node_rows(manager) -> list[tuple[str, str, str]]:
    """Every row of `docker node ls`, a node that left included: (host name, status, manager status)."""
    listed = manager.docker("node", "ls", "--format", "{{.Hostname}}|{{.Status}}|{{.ManagerStatus}}")
    return sorted(tuple(line.split("|")) for line in listed.stdout.splitlines())


def set_roles(cluster, roles: dict[int, str]) -> None:
    for index, role in roles.items():
        cluster.set(STACK, f"swarm.hosts[{index}].role", role)
    cluster.up(STACK)


def test_managers_made_workers_and_back_keep_one_entry_each_in_the_node_list(hosts, cluster):
    manager = hosts.hosts[0]
    set_roles(cluster, {1: "worker", 2: "worker"})  # join.sh demotes them
    assert wait_for(lambda: node_rows(manager) == [
        ("node1", "Ready", "Leader"), ("node2", "Ready", ""), ("node3", "Ready", "")
    ], 60), node_rows(manager)
    set_roles(cluster, {1: "manager", 2: "manager"})  # join.sh leaves and joins with the manager token
    assert wait_for(lambda: node_rows(manager) == [
        ("node1", "Ready", "Leader"), ("node2", "Ready", "Reachable"), ("node3", "Ready", "Reachable")
    ], 60), node_rows(manager)


def test_destroy_leaves_all_three_engines_outside_any_swarm(hosts, cluster):
    destroy_all(cluster)
    cluster.destroyed = True
    assert {host.name: swarm_state(host) for host in hosts.hosts} == {
        "node1": "inactive", "node2": "inactive", "node3": "inactive"
    }
