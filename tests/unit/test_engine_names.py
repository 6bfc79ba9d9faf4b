"""Names an interrupted `up` cannot block (moorings/engine_names.py), under the mocks: every named
container and network of stack dev, and every service, secret, config and network of stack swarm,
carries a before-create hook on the engine its provider talks to, and the hook removes only what
the interrupted create made. The app tier kills `up` for real (tests/app/test_app_faults.py,
tests/app/test_app_swarm.py)."""

from __future__ import annotations

import json
import subprocess

import pulumi
import pytest

from moorings import engine_names
from moorings.engine_names import (
    Engine,
    container_made_by_this_create,
    free_the_name,
    network_made_by_this_create,
    service_made_by_this_create,
)
from tests.kubernetes_support import deploy

CONTAINER, NETWORK = "docker:index/container:Container", "docker:index/network:Network"
SERVICE, SECRET, CONFIG = "docker:index/service:Service", "docker:index/secret:Secret", "docker:index/serviceConfig:ServiceConfig"
KIND = {CONTAINER: "container", NETWORK: "network", SERVICE: "service", SECRET: "secret", CONFIG: "config"}
LOCAL_ENGINE = "unix:///var/run/docker.sock"
ID = "0123456789abcdef0123"


@pytest.fixture(scope="module")
def dev():
    return deploy("dev", {"backup.enabled": True})


@pytest.fixture(scope="module")
def swarm():
    return deploy("swarm", {"backup.enabled": True})


def hook_kinds(resource) -> list[str]:
    return [name.split("-name-")[0] for name in resource.before_create_names]


class FakeDocker:
    """subprocess.run for engine_names: `inspect` answers with `found`, everything else succeeds."""

    def __init__(self, found: dict):
        self.found, self.calls = found, []

    def __call__(self, command, **_):
        self.calls.append(command)
        if "inspect" in command:
            return subprocess.CompletedProcess(command, 0, json.dumps([self.found]), "")
        return subprocess.CompletedProcess(command, 0, "", "")


def run_hook(resource, found: dict, monkeypatch) -> tuple[list, list]:
    """The resource's hook, run as the engine runs it before the create; (docker calls, warnings)."""
    fake, warned = FakeDocker(found), []
    monkeypatch.setattr(engine_names.subprocess, "run", fake)
    monkeypatch.setattr(engine_names.shutil, "which", lambda name: "/usr/bin/docker")
    monkeypatch.setattr(pulumi.log, "warn", lambda message, *rest, **kw: warned.append(message))
    (hook,) = resource.before_create
    hook(pulumi.ResourceHookArgs(resource.urn, "", resource.name, resource.type, new_inputs=resource.inputs))
    return fake.calls, warned


# -- what carries a hook -----------------------------------------------------------------------


def test_every_container_of_dev_is_deleted_before_its_replacement_and_frees_its_name(dev):
    containers = dev.of_type(CONTAINER)
    assert sorted(c.name for c in containers) == [
        "backup", "backup-secrets-carrier", "mysql", "mysql-secrets-carrier", "wordpress", "wordpress-secrets-carrier",
    ]
    for container in containers:
        assert container.delete_before_replace, container.name
        # One hook per container, named after its Docker name: two stacks in one program never share one.
        assert container.before_create_names == [f"free-container-name-{container.inputs['name']}"]


@pytest.mark.parametrize("stack", ["dev", "swarm"])
def test_the_network_frees_its_name_before_it_is_created(stack, dev, swarm):
    (network,) = {"dev": dev, "swarm": swarm}[stack].of_type(NETWORK)
    assert network.before_create_names == [f"free-network-name-{network.inputs['name']}"]


def test_every_service_secret_and_config_of_swarm_frees_its_name_before_it_is_created(swarm):
    objects = swarm.of_type(SERVICE) + swarm.of_type(SECRET) + swarm.of_type(CONFIG)
    assert {r.type for r in objects} == {SERVICE, SECRET, CONFIG}
    for resource in objects:
        assert hook_kinds(resource) == [f"free-{KIND[resource.type]}"], resource.name
    services = swarm.of_type(SERVICE)
    assert len({tuple(s.before_create_names) for s in services}) == len(services)


# -- what a hook removes -----------------------------------------------------------------------


def test_the_hook_removes_the_container_the_interrupted_create_left_with_its_anonymous_volumes(dev, monkeypatch):
    wordpress = dev.one(CONTAINER, "wordpress")
    inputs = wordpress.inputs
    left = {"Id": ID, "Name": f"/{inputs['name']}", "Image": inputs["image"],
            "Config": {"Image": inputs["image"], "Env": [*inputs["envs"], "PATH=/usr/bin"]}}
    calls, warned = run_hook(wordpress, left, monkeypatch)
    assert calls == [["docker", "container", "inspect", inputs["name"]], ["docker", "container", "rm", "--force", "--volumes", ID]]
    assert warned and f"container {inputs['name']} (0123456789ab)" in warned[0] and "interrupted" in warned[0]


def test_the_hook_removes_the_service_the_interrupted_create_left_on_the_managers_engine(swarm, monkeypatch):
    wordpress = next(s for s in swarm.of_type(SERVICE) if s.inputs["name"].endswith("-wordpress"))
    calls, warned = run_hook(wordpress, left_service(wordpress.inputs), monkeypatch)
    assert calls == [["docker", "-H", LOCAL_ENGINE, "service", "inspect", wordpress.inputs["name"]],
                     ["docker", "-H", LOCAL_ENGINE, "service", "rm", ID]]
    assert warned and f"service {wordpress.inputs['name']} (0123456789ab)" in warned[0] and "interrupted" in warned[0]


@pytest.mark.parametrize("stack, engine", [("dev", []), ("swarm", ["-H", LOCAL_ENGINE])])
def test_the_hook_removes_the_network_the_interrupted_first_up_left(stack, engine, dev, swarm, monkeypatch):
    (network,) = {"dev": dev, "swarm": swarm}[stack].of_type(NETWORK)
    left = {"Id": ID, "Name": network.inputs["name"], "Driver": network.inputs["driver"], "Labels": {}}
    calls, warned = run_hook(network, left, monkeypatch)
    assert calls == [["docker", *engine, "network", "inspect", network.inputs["name"]], ["docker", *engine, "network", "rm", ID]]
    assert warned and "interrupted" in warned[0]


def left_service(inputs: dict) -> dict:
    """What `docker service inspect` says of the service an interrupted create made from `inputs`."""
    wanted = inputs["taskSpec"]["containerSpec"]
    env = [f"{k}={v}" for k, v in (wanted.get("env") or {}).items()]
    return {"ID": ID, "Spec": {"Name": inputs["name"], "TaskTemplate": {"ContainerSpec": {
        "Image": wanted["image"] + "@sha256:" + "a" * 64, "Env": env}}}}


# -- what a hook leaves alone ------------------------------------------------------------------

CONTAINER_INPUTS = {"name": "moorings-t-wordpress", "image": "sha256:abc", "envs": ["WORDPRESS_DB_HOST=mysql"]}


def left_container(**changes) -> dict:
    found = {"Id": ID, "Name": "/moorings-t-wordpress", "Image": "sha256:abc",
             "Config": {"Image": "sha256:abc", "Env": [*CONTAINER_INPUTS["envs"], "PATH=/usr/bin"]}}
    return {**found, **changes}


@pytest.mark.parametrize(
    "other",
    [
        {"Image": "sha256:other", "Config": {"Image": "wordpress:latest", "Env": CONTAINER_INPUTS["envs"]}},
        {"Config": {"Image": "sha256:abc", "Env": ["WORDPRESS_DB_HOST=elsewhere"]}},
        {"Name": "/moorings-t-wordpress-2"},
    ],
    ids=["another image", "another environment", "another name"],
)
def test_someone_elses_container_is_left_alone_and_named(other):
    removed = []
    said = free_the_name("container", CONTAINER_INPUTS, lambda kind, name: left_container(**other), lambda kind, ident: removed.append(ident))
    assert removed == [] and not container_made_by_this_create(left_container(**other), CONTAINER_INPUTS)
    assert "moorings-t-wordpress (0123456789ab) exists and is not the one this stack creates (another image or environment)" in said


def test_a_container_made_from_the_image_by_name_matches_its_config_image():
    found = left_container(Image="sha256:resolved", Config={"Image": "sha256:abc", "Env": CONTAINER_INPUTS["envs"]})
    assert container_made_by_this_create(found, CONTAINER_INPUTS)


def test_a_service_of_another_image_or_environment_is_left_alone_and_named(swarm):
    wordpress = next(s for s in swarm.of_type(SERVICE) if s.inputs["name"].endswith("-wordpress"))
    removed = []
    other_image = left_service(wordpress.inputs)
    other_image["Spec"]["TaskTemplate"]["ContainerSpec"]["Image"] = "someone/else:1"
    other_env = left_service(wordpress.inputs)
    other_env["Spec"]["TaskTemplate"]["ContainerSpec"]["Env"] = ["WORDPRESS_DB_HOST=elsewhere"]
    for found in (other_image, other_env):
        assert not service_made_by_this_create(found, wordpress.inputs)
        said = free_the_name("service", wordpress.inputs, lambda kind, name: found, lambda kind, ident: removed.append(ident))
        assert "left alone" in said and wordpress.inputs["name"] in said
    assert removed == []


NETWORK_INPUTS = {"name": "moorings-t-net", "driver": "overlay", "labels": [{"label": "team", "value": "web"}]}


@pytest.mark.parametrize(
    "found, made",
    [
        ({"Name": "moorings-t-net", "Driver": "overlay", "Labels": {"team": "web", "com.docker.x": "1"}}, True),
        ({"Name": "moorings-t-net", "Driver": "bridge", "Labels": {"team": "web"}}, False),
        ({"Name": "moorings-t-net", "Driver": "overlay", "Labels": {}}, False),
        ({"Name": "moorings-t-net-2", "Driver": "overlay", "Labels": {"team": "web"}}, False),
    ],
    ids=["the create's", "another driver", "without its label", "another name"],
)
def test_a_network_is_the_creates_only_with_its_driver_and_labels(found, made):
    assert network_made_by_this_create(found, NETWORK_INPUTS) is made


def test_a_network_without_a_driver_is_a_bridge():
    assert network_made_by_this_create({"Name": "n", "Driver": "bridge"}, {"name": "n"})
    assert not network_made_by_this_create({"Name": "n", "Driver": "overlay"}, {"name": "n"})


def test_a_secret_under_its_content_name_is_removed_unless_the_engine_refuses(swarm):
    secret = swarm.of_type(SECRET)[0]
    inputs = {"name": secret.inputs["name"]}
    found = {"ID": "fedcba9876543210", "Spec": {"Name": inputs["name"]}}
    removed = []
    said = free_the_name("secret", inputs, lambda kind, name: found, lambda kind, ident: removed.append((kind, ident)))
    assert removed == [("secret", "fedcba9876543210")] and "removed, and created again" in said
    refused = free_the_name("secret", inputs, lambda kind, name: found,
                            lambda kind, ident: "secret is in use by the following service: moorings-swarm-wordpress")
    assert "could not be removed" in refused and "in use" in refused and f"docker secret rm {inputs['name']}" in refused


def test_with_nothing_under_the_name_nothing_is_removed():
    removed = []
    assert free_the_name("service", {"name": "moorings-t-web"}, lambda kind, name: None, removed.append) is None
    assert free_the_name("config", {}, lambda kind, name: {"ID": "x"}, removed.append) is None
    assert removed == []


def test_the_engine_is_the_one_given_else_docker_hosts(monkeypatch):
    calls = []
    monkeypatch.setattr(engine_names.subprocess, "run",
                        lambda command, **_: calls.append(command) or subprocess.CompletedProcess(command, 1, "", "no such"))
    monkeypatch.setattr(engine_names.shutil, "which", lambda name: "/usr/bin/docker")
    assert Engine("ssh://ops@10.0.0.5").inspect("secret", "s") is None
    assert Engine(None).remove("config", "c1") == "no such"
    assert calls == [["docker", "-H", "ssh://ops@10.0.0.5", "secret", "inspect", "s"], ["docker", "config", "rm", "c1"]]


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="kind 'volume' is not one of container, network, service, secret, config"):
        engine_names.freed_names("volume", "x")
