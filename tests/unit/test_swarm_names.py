"""Swarm names an interrupted `up` cannot block (moorings/swarm_names.py), under the mocks: every
service, secret and config of stack swarm carries a before-create hook on the manager's engine,
and the hook removes only what the interrupted create made. The app tier kills `up` on a real
swarm (tests/app/test_app_swarm.py)."""

from __future__ import annotations

import json
import subprocess

import pulumi
import pytest

from moorings import swarm_names
from moorings.swarm_names import Engine, free_the_name, service_made_by_this_create
from tests.kubernetes_support import deploy

SERVICE, SECRET, CONFIG = "docker:index/service:Service", "docker:index/secret:Secret", "docker:index/serviceConfig:ServiceConfig"
LOCAL_ENGINE = "unix:///var/run/docker.sock"


@pytest.fixture(scope="module")
def run():
    return deploy("swarm", {"backup.enabled": True})


def left_service(inputs: dict, **changes) -> dict:
    """What `docker service inspect` says of the service an interrupted create made from `inputs`."""
    wanted = inputs["taskSpec"]["containerSpec"]
    env = [f"{k}={v}" for k, v in (wanted.get("env") or {}).items()]
    found = {"ID": "0123456789abcdef0123",
             "Spec": {"Name": inputs["name"], "TaskTemplate": {"ContainerSpec": {
                 "Image": wanted["image"] + "@sha256:" + "a" * 64, "Env": env}}}}
    found["Spec"].update(changes)
    return found


def test_every_service_secret_and_config_frees_its_name_before_it_is_created(run):
    objects = run.of_type(SERVICE) + run.of_type(SECRET) + run.of_type(CONFIG)
    assert {r.type for r in objects} == {SERVICE, SECRET, CONFIG}
    for resource in objects:
        kind = {SERVICE: "service", SECRET: "secret", CONFIG: "config"}[resource.type]
        assert [name.split("-name-")[0] for name in resource.before_create_names] == [f"free-swarm-{kind}"], resource.name
    # One hook per service, named after it; one for the stack's secrets.
    services = run.of_type(SERVICE)
    assert len({tuple(s.before_create_names) for s in services}) == len(services)


def test_the_hook_removes_the_service_the_interrupted_create_left_on_the_managers_engine(run, monkeypatch):
    wordpress = next(s for s in run.of_type(SERVICE) if s.inputs["name"].endswith("-wordpress"))
    calls, warned = [], []

    def docker(command, **_):
        calls.append(command)
        if command[3:5] == ["service", "inspect"]:
            return subprocess.CompletedProcess(command, 0, json.dumps([left_service(wordpress.inputs)]), "")
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(swarm_names.subprocess, "run", docker)
    monkeypatch.setattr(swarm_names.shutil, "which", lambda name: "/usr/bin/docker")
    monkeypatch.setattr(pulumi.log, "warn", lambda message, *rest, **kw: warned.append(message))
    (hook,) = wordpress.before_create
    hook(pulumi.ResourceHookArgs(wordpress.urn, "", wordpress.name, SERVICE, new_inputs=wordpress.inputs))
    assert calls == [["docker", "-H", LOCAL_ENGINE, "service", "inspect", wordpress.inputs["name"]],
                     ["docker", "-H", LOCAL_ENGINE, "service", "rm", "0123456789abcdef0123"]]
    assert warned and f"service {wordpress.inputs['name']} (0123456789ab)" in warned[0] and "interrupted" in warned[0]


def test_a_service_of_another_image_or_environment_is_left_alone_and_named(run):
    wordpress = next(s for s in run.of_type(SERVICE) if s.inputs["name"].endswith("-wordpress"))
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


def test_a_secret_under_its_content_name_is_removed_unless_swarm_refuses(run):
    secret = run.of_type(SECRET)[0]
    inputs = {"name": secret.inputs["name"]}
    removed = []
    said = free_the_name("secret", inputs, lambda kind, name: {"ID": "fedcba9876543210"},
                         lambda kind, ident: removed.append((kind, ident)))
    assert removed == [("secret", "fedcba9876543210")] and "removed, and created again" in said
    refused = free_the_name("secret", inputs, lambda kind, name: {"ID": "fedcba9876543210"},
                            lambda kind, ident: "secret is in use by the following service: moorings-swarm-wordpress")
    assert "could not be removed" in refused and "in use" in refused and f"docker secret rm {inputs['name']}" in refused


def test_with_nothing_under_the_name_nothing_is_removed():
    removed = []
    assert free_the_name("service", {"name": "moorings-t-web"}, lambda kind, name: None, removed.append) is None
    assert free_the_name("config", {}, lambda kind, name: {"ID": "x"}, removed.append) is None
    assert removed == []


def test_the_engine_is_the_one_given_else_docker_hosts(monkeypatch):
    calls = []
    monkeypatch.setattr(swarm_names.subprocess, "run",
                        lambda command, **_: calls.append(command) or subprocess.CompletedProcess(command, 1, "", "no such"))
    monkeypatch.setattr(swarm_names.shutil, "which", lambda name: "/usr/bin/docker")
    assert Engine("ssh://ops@10.0.0.5").inspect("secret", "s") is None
    assert Engine(None).remove("config", "c1") == "no such"
    assert calls == [["docker", "-H", "ssh://ops@10.0.0.5", "secret", "inspect", "s"], ["docker", "config", "rm", "c1"]]
