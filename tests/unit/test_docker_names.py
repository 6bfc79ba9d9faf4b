"""Fixed container names on platform docker, under the mocks: every named container is deleted
before it is replaced, and carries the hook that frees its name of what an interrupted `up` left
(moorings/wordpress_builders/docker_names.py). The app tier kills `up` for real
(tests/app/test_app_interrupted.py)."""

import pulumi
import pytest

from moorings.secret_args import SecretBundleArgs
from moorings.secret_bundle import SecretBundle
from moorings.wordpress_args import BackupSpec, MySqlSpec, WordPressSpec, WordPressStackArgs, wordpress_secret_entries
from moorings.wordpress_builders import docker_names
from moorings.wordpress_builders.docker_names import free_the_name, made_by_this_create
from moorings.wordpress_stack import WordPressStack
from tests.harness import run_program

CONTAINER = "docker:index/container:Container"
INPUTS = {"name": "moorings-t-wordpress", "image": "sha256:abc", "envs": ["WORDPRESS_DB_HOST=mysql", "WORDPRESS_DB_PASSWORD_FILE=/run/secrets/mysql-password"]}


def left_behind(**changes):
    """What `docker container inspect` says of the container an interrupted create made."""
    found = {
        "Id": "0123456789abcdef0123",
        "Name": "/moorings-t-wordpress",
        "Image": "sha256:abc",
        "Config": {"Image": "sha256:abc", "Env": [*INPUTS["envs"], "PATH=/usr/local/bin:/usr/bin"]},
    }
    found.update(changes)
    return found


@pytest.fixture(scope="module")
def run():
    def program():
        secrets = SecretBundle(
            "secrets", SecretBundleArgs(entries=wordpress_secret_entries("root"), platform="docker", name_prefix="moorings-t")
        )
        WordPressStack(
            "wordpress",
            WordPressStackArgs(
                platform="docker",
                name_prefix="moorings-t",
                wordpress=WordPressSpec(image="wordpress:6.8.3-apache"),
                mysql=MySqlSpec(image="mysql:8.4.6"),
                secrets=secrets,
                backup=BackupSpec(every_minutes=60, keep=2),
            ),
        )

    return run_program(program)


def test_every_container_is_deleted_before_its_replacement_and_frees_its_name_before_creation(run):
    containers = run.of_type(CONTAINER)
    assert sorted(c.name for c in containers) == [
        "backup", "backup-secrets-carrier", "mysql", "mysql-secrets-carrier", "wordpress", "wordpress-secrets-carrier",
    ]
    for container in containers:
        assert container.delete_before_replace, container.name
        assert container.before_create == [docker_names._before_create], container.name


def test_the_hook_removes_what_the_interrupted_create_left_and_warns(run, monkeypatch):
    removed, warned = [], []
    wordpress = run.one(CONTAINER, "wordpress")
    made = left_behind(Image=wordpress.inputs["image"], Config={"Image": wordpress.inputs["image"], "Env": wordpress.inputs["envs"]})
    monkeypatch.setattr(docker_names, "docker_inspect", lambda name: made if name == "moorings-t-wordpress" else None)
    monkeypatch.setattr(docker_names, "docker_remove", removed.append)
    monkeypatch.setattr(pulumi.log, "warn", lambda message, *rest, **kw: warned.append(message))
    hook = wordpress.before_create[0]
    hook(pulumi.ResourceHookArgs(wordpress.urn, "", "wordpress", CONTAINER, new_inputs=wordpress.inputs))
    assert removed == ["0123456789abcdef0123"]
    assert warned and "moorings-t-wordpress (0123456789ab)" in warned[0] and "interrupted" in warned[0]


def test_with_nothing_under_the_name_nothing_is_removed():
    removed = []
    assert free_the_name(INPUTS, lambda name: None, removed.append) is None
    assert removed == []


def test_the_container_of_the_interrupted_create_is_removed_by_its_id():
    removed = []
    said = free_the_name(INPUTS, lambda name: left_behind(), removed.append)
    assert removed == ["0123456789abcdef0123"]
    assert "left by an interrupted `pulumi up`" in said


@pytest.mark.parametrize(
    "other",
    [
        {"Image": "sha256:other", "Config": {"Image": "wordpress:latest", "Env": INPUTS["envs"]}},
        {"Config": {"Image": "sha256:abc", "Env": ["WORDPRESS_DB_HOST=elsewhere"]}},
        {"Name": "/moorings-t-wordpress-2"},
    ],
    ids=["another image", "another environment", "another name"],
)
def test_someone_elses_container_is_left_alone_and_named(other):
    removed = []
    said = free_the_name(INPUTS, lambda name: left_behind(**other), removed.append)
    assert removed == []
    assert not made_by_this_create(left_behind(**other), INPUTS)
    if other.get("Name") is None:
        assert "moorings-t-wordpress (0123456789ab) exists and is not the one this stack creates" in said


def test_a_container_made_from_the_image_by_name_matches_its_config_image():
    found = left_behind(Image="sha256:resolved", Config={"Image": "sha256:abc", "Env": INPUTS["envs"]})
    assert made_by_this_create(found, INPUTS)
