"""`swarm.*` settings: local or ssh mode, the hosts, and the Raft quorum rule, checked before anything runs."""

import runpy

import pytest

from moorings.swarm_cluster import SwarmHost
from stacks.settings import ConfigError
from stacks.settings.images import PINNED_IMAGE
from tests.harness import run_program
from tests.stack_config import ROOT
from tests.unit.settings_loader import load, problems


def hosts(*roles):
    return [{"address": f"10.0.0.{11 + i}", "user": "admin", "role": role} for i, role in enumerate(roles)]


def swarm(**values):
    return {"platform": "swarm", "swarm": values}


def test_local_mode_is_the_default_and_has_no_hosts():
    settings = load({"platform": "swarm"})
    assert (settings.swarm.mode, settings.swarm.hosts) == ("local", ())


def test_ssh_hosts_are_read_in_order():
    settings = load(swarm(mode="ssh", hosts=hosts("worker", "manager", "worker")))
    assert settings.swarm.hosts == (
        SwarmHost("10.0.0.11", "admin", "worker"),
        SwarmHost("10.0.0.12", "admin", "manager"),
        SwarmHost("10.0.0.13", "admin", "worker"),
    )


@pytest.mark.parametrize("managers", [1, 3, 5])
def test_an_odd_number_of_managers_is_accepted(managers):
    settings = load(swarm(mode="ssh", hosts=hosts(*["manager"] * managers, "worker")))
    assert sum(h.role == "manager" for h in settings.swarm.hosts) == managers


@pytest.mark.parametrize("managers", [2, 4])
def test_an_even_number_of_managers_is_rejected_with_the_raft_reason(managers):
    config = swarm(mode="ssh", hosts=hosts(*["manager"] * managers, "worker"))
    (problem,) = problems(config)
    assert problem.startswith("moorings:swarm.hosts = [{\"address\": \"10.0.0.11\"")
    assert f"is not accepted: expected an odd number of managers, found {managers}." in problem
    assert "N managers tolerate (N-1)/2 failures, so 3 survive 1 and 5 survive 2" in problem
    assert f"{managers} managers survive only {(managers - 1) // 2}, as {managers - 1} would" in problem


def test_a_swarm_without_a_manager_is_rejected():
    (problem,) = problems(swarm(mode="ssh", hosts=hosts("worker", "worker")))
    assert "expected at least one host with role manager" in problem


def test_the_even_count_stops_the_program_before_any_resource():
    run = run_program(
        lambda: runpy.run_path(str(ROOT / "__main__.py")),
        swarm(mode="ssh", hosts=hosts("manager", "manager")),
        stack="swarm",
        capture_error=True,
    )
    assert isinstance(run.error, ConfigError)
    assert "odd number of managers" in str(run.error)
    assert run.resources == []


def test_hosts_need_ssh_mode():
    assert problems(swarm(mode="local", hosts=hosts("manager"))) == [
        'moorings:swarm.hosts = [{"address": "10.0.0.11", "user": "admin", "role": "manager"}] is not accepted: '
        "expected no hosts with swarm.mode local (set swarm.mode to ssh to use them)"
    ]


def test_local_mode_takes_another_engine_socket_such_as_rootless_dockers():
    settings = load(swarm(dockerHost="unix:///run/user/1000/docker.sock"))
    assert settings.swarm.docker_host == "unix:///run/user/1000/docker.sock"
    assert load({"platform": "swarm"}).swarm.docker_host == "unix:///var/run/docker.sock"


@pytest.mark.parametrize("value", ["/var/run/docker.sock", "tcp://10.0.0.1:2375", "unix://docker.sock", "unix://"])
def test_a_docker_host_that_is_no_local_socket_is_rejected_with_what_is_accepted(value):
    (problem,) = problems(swarm(dockerHost=value))
    assert problem == (
        f"moorings:swarm.dockerHost = '{value}' is not accepted: expected the local engine's socket as "
        "unix:///absolute/path (e.g. unix:///run/user/1000/docker.sock for rootless Docker)"
    )


def test_a_docker_host_needs_local_mode():
    (problem,) = problems(swarm(mode="ssh", hosts=hosts("manager"), dockerHost="unix:///run/docker.sock"))
    assert problem == (
        "moorings:swarm.dockerHost = 'unix:///run/docker.sock' is not accepted: "
        "expected no dockerHost with swarm.mode ssh (each host's engine is reached over SSH)"
    )


def test_ssh_mode_needs_hosts():
    (problem,) = problems(swarm(mode="ssh"))
    assert problem.startswith("moorings:swarm.hosts = [] is not accepted: expected at least one host {address, user, role}")


def test_an_unknown_mode_is_rejected():
    (problem,) = problems(swarm(mode="cloud"))
    assert problem == "moorings:swarm.mode = 'cloud' is not accepted: expected one of local, ssh"


@pytest.mark.parametrize(
    "host, expected",
    [
        (
            {"address": "swarm1.example.com", "user": "admin", "role": "manager"},
            "moorings:swarm.hosts[0].address = 'swarm1.example.com' is not accepted: expected an IP address",
        ),
        (
            {"address": "10.0.0.11", "user": "admin", "role": "leader"},
            "moorings:swarm.hosts[0].role = 'leader' is not accepted: expected one of manager, worker",
        ),
        (
            {"address": "10.0.0.11", "user": "ad min", "role": "manager"},
            "moorings:swarm.hosts[0].user = 'ad min' is not accepted: expected a user name to log in with over SSH",
        ),
        (
            {"address": "10.0.0.11", "role": "manager"},
            'moorings:swarm.hosts[0] = {"address": "10.0.0.11", "role": "manager"} is not accepted: '
            "expected an object with address, user and role",
        ),
        (
            {"address": "10.0.0.11", "user": "admin", "role": "manager", "port": 2222},
            "moorings:swarm.hosts[0].port = 2222 is not accepted: expected one of the host fields address, user, role",
        ),
    ],
)
def test_a_bad_host_names_its_exact_path(host, expected):
    (problem,) = problems(swarm(mode="ssh", hosts=[host]))
    assert problem.startswith(expected)


ED25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH0Fr0mZ3cX4bUtYdc3e7aVvJ7x1c7o5rT0u1h2g9p3Q"


def test_a_hosts_public_key_is_read_when_given():
    listed = hosts("manager", "worker")
    listed[0]["hostKey"] = ED25519 + " root@node1"  # a .pub file's comment may stay
    settings = load(swarm(mode="ssh", hosts=listed))
    assert [host.host_key for host in settings.swarm.hosts] == [ED25519 + " root@node1", None]


@pytest.mark.parametrize("key", [
    "AAAAC3NzaC1lZDI1NTE5AAAAIH0Fr0mZ3cX4bUtYdc3e7aVvJ7x1c7o5rT0u1h2g9p3Q",  # the type left out
    "10.0.0.11 " + ED25519,  # a known_hosts line, address first
    "ssh-ed25519 not-base64!",
    "ssh-rsa " + ED25519.split()[1],  # the blob names another type
])
def test_a_malformed_host_key_names_its_path(key):
    listed = hosts("manager")
    listed[0]["hostKey"] = key
    (problem,) = problems(swarm(mode="ssh", hosts=listed))
    assert problem.startswith("moorings:swarm.hosts[0].hostKey = ")
    assert "expected the host's public key, `<type> <base64>`" in problem


def test_an_address_listed_twice_is_rejected():
    twice = hosts("manager", "worker")
    twice[1]["address"] = twice[0]["address"]
    assert problems(swarm(mode="ssh", hosts=twice)) == [
        "moorings:swarm.hosts[1].address = '10.0.0.11' is not accepted: expected each address once (one swarm node per host)"
    ]


def test_a_typo_in_a_swarm_key_is_caught():
    (problem,) = problems({"platform": "swarm", "swarm": {"mdoe": "ssh"}})
    assert problem.startswith("moorings:swarm.mdoe is not a Moorings setting")
    assert "did you mean swarm.mode?" in problem


def test_the_dockerfile_variant_is_refused_on_swarm():
    assert problems({"platform": "swarm", "wordpress": {"build": True}}) == [
        "moorings:wordpress.build = true is not accepted: expected false on platform swarm (an image built here "
        "is missing on the other nodes); push the image to a registry and set wordpress.image instead"
    ]


@pytest.mark.parametrize("name", ["mysql", "wordpress"])
def test_an_extra_service_may_not_take_a_wordpress_stack_name(name):
    assert problems({"platform": "swarm", "services": {name: {"image": "nginx:1.27.3-alpine"}}}) == [
        f"moorings:services.{name} = '{name}' is not accepted: expected a service name other than mysql and wordpress, "
        "which the WordPress stack takes"
    ]


def test_the_routing_mesh_is_the_default_and_the_edge_is_chosen_with_its_image():
    assert (load({"platform": "swarm"}).swarm.routing, load({"platform": "swarm"}).swarm.edge_image) == (
        "mesh", "haproxy:2.6.12",
    )
    chosen = load(swarm(routing="edge", edgeImage="moorings-local/haproxy:2.6")).swarm
    assert (chosen.routing, chosen.edge_image) == ("edge", "moorings-local/haproxy:2.6")


def test_an_unknown_routing_or_an_unpinned_edge_image_is_rejected():
    assert problems(swarm(routing="ipvs", edgeImage="haproxy:latest")) == [
        "moorings:swarm.routing = 'ipvs' is not accepted: expected one of mesh, edge",
        "moorings:swarm.edgeImage = 'haproxy:latest' is not accepted: expected " + PINNED_IMAGE,
    ]


def test_more_wordpress_replicas_than_the_edge_has_slots_for_are_rejected_before_any_resource():
    assert problems({**swarm(routing="edge"), "wordpress": {"replicas": 65}}) == [
        "moorings:wordpress.replicas = 65 is not accepted: expected at most 64 with swarm.routing edge "
        "(the server slots the edge fills from DNS)"
    ]
