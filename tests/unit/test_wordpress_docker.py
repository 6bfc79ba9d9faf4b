"""WordPressStack on platform docker: the inputs the Docker provider receives."""

import re
import pytest

from moorings.secret_args import SecretBundleArgs
from moorings.secret_bundle import SecretBundle
from moorings.wordpress_args import MySqlSpec, WordPressSpec, WordPressStackArgs, wordpress_secret_entries
from moorings.wordpress_stack import WordPressStack
from tests.harness import run_program

CONTAINER = "docker:index/container:Container"


def deploy(wordpress=None, mysql=None, passwords=(None, None), **config):
    def program():
        secrets = SecretBundle(
            "secrets",
            SecretBundleArgs(entries=wordpress_secret_entries(*passwords), platform="docker", name_prefix="moorings-t"),
        )
        WordPressStack(
            "wordpress",
            WordPressStackArgs(
                platform="docker",
                name_prefix="moorings-t",
                wordpress=wordpress or WordPressSpec(image="wordpress:6.8.3-apache"),
                mysql=mysql or MySqlSpec(image="mysql:8.4.6"),
                secrets=secrets,
            ),
        )

    return run_program(program, **config)


@pytest.fixture(scope="module")
def run():
    return deploy()


def test_declares_the_compose_recipe_under_the_component(run):
    stack = run.one("moorings:index:WordPressStack")
    children = sorted((r.type.split(":")[-1], r.name) for r in run.children_of(stack))
    assert children == [
        ("Command", "mysql-credentials"),
        ("Command", "mysql-credentials-close"),
        ("Command", "site-ready"),
        ("Container", "mysql"),
        ("Container", "mysql-secrets-carrier"),
        ("Container", "wordpress"),
        ("Container", "wordpress-secrets-carrier"),
        ("Network", "network"),
        ("RemoteImage", "mysql-image"),
        ("RemoteImage", "wordpress-image"),
        ("Volume", "mysql-data"),
        ("Volume", "mysql-secrets"),
        ("Volume", "wordpress-secrets"),
        ("Volume", "wp-content"),
    ]


def test_a_private_bridge_network_joins_the_two_containers(run):
    network = run.one("docker:index/network:Network")
    assert network.inputs == {"name": "moorings-t-net", "driver": "bridge"}
    for name in ("mysql", "wordpress"):
        (attachment,) = run.one(CONTAINER, name).inputs["networksAdvanced"]
        assert attachment["name"] == "moorings-t-net"
    assert run.one(CONTAINER, "mysql").inputs["networksAdvanced"][0]["aliases"] == ["mysql"]


def test_mysql_is_never_published_and_keeps_its_data_on_a_named_volume(run):
    mysql = run.one(CONTAINER, "mysql").inputs
    assert "ports" not in mysql
    assert mysql["volumes"][0] == {"volumeName": "moorings-t-mysql-data", "containerPath": "/var/lib/mysql"}
    assert mysql["restart"] == "unless-stopped"
    assert mysql["healthcheck"]["tests"] == ["CMD", "mysqladmin", "ping", "-h", "127.0.0.1", "--silent"]


def test_wordpress_starts_beside_mysql_and_up_waits_for_the_site_to_answer(run):
    wordpress, mysql = run.one(CONTAINER, "wordpress"), run.one(CONTAINER, "mysql")
    assert mysql.urn not in wordpress.depends_on  # the entrypoint needs no database
    assert "wait" not in mysql.inputs  # the gate, not MySQL's first health check, holds `up`
    gate = run.one("command:local:Command", "site-ready")
    assert {mysql.urn, wordpress.urn} <= set(gate.depends_on)
    assert gate.inputs["environment"]["MOORINGS_PROBE_URL"] == "http://127.0.0.1:8080/wp-login.php"
    assert gate.inputs["interpreter"] == ["python3", "-c"]
    # A replaced container is a new id: the gate waits again.
    assert gate.inputs["triggers"][:2] == ["mysql-id", "wordpress-id"]


def test_wordpress_answers_with_the_stacks_address_not_the_one_in_its_database(run):
    envs = run.one(CONTAINER, "wordpress").inputs["envs"]
    (extra,) = [e for e in envs if e.startswith("WORDPRESS_CONFIG_EXTRA=")]
    assert "define('WP_HOME', 'http://localhost:8080');" in extra
    assert "define('WP_SITEURL', 'http://localhost:8080');" in extra


def test_a_public_url_is_the_address_wordpress_answers_with_and_the_url_output():
    run = deploy(wordpress=WordPressSpec(image="wordpress:6.8.3-apache", port=8081, public_url="https://blog.example.com"))
    envs = run.one(CONTAINER, "wordpress").inputs["envs"]
    assert "WORDPRESS_CONFIG_EXTRA=define('WP_HOME', 'https://blog.example.com');\ndefine('WP_SITEURL', 'https://blog.example.com');" in envs
    assert run.component_outputs[run.one("moorings:index:WordPressStack").urn]["url"] == "https://blog.example.com"


def test_wordpress_is_published_on_loopback_only(run):
    wordpress = run.one(CONTAINER, "wordpress")
    assert wordpress.inputs["ports"] == [{"internal": 80, "external": 8080, "ip": "127.0.0.1", "protocol": "tcp"}]
    assert wordpress.inputs["volumes"][0] == {"volumeName": "moorings-t-wp-content", "containerPath": "/var/www/html/wp-content"}
    assert wordpress.inputs["restart"] == "unless-stopped"
    assert "healthcheck" in wordpress.inputs


def test_images_are_the_pinned_official_ones(run):
    images = {r.name: r.inputs["name"] for r in run.of_type("docker:index/remoteImage:RemoteImage")}
    assert images == {"mysql-image": "mysql:8.4.6", "wordpress-image": "wordpress:6.8.3-apache"}
    assert run.one(CONTAINER, "mysql").inputs["image"] == "sha256:mysql-image"


def test_passwords_reach_the_containers_as_files_never_as_values(run):
    mysql = run.one(CONTAINER, "mysql")
    assert "MYSQL_ROOT_PASSWORD_FILE=/run/secrets/mysql-root-password" in mysql.inputs["envs"]
    assert "MYSQL_PASSWORD_FILE=/run/secrets/mysql-password" in mysql.inputs["envs"]
    assert not any(e.startswith(("MYSQL_ROOT_PASSWORD=", "MYSQL_PASSWORD=")) for e in mysql.inputs["envs"])
    carrier = run.one(CONTAINER, "mysql-secrets-carrier")
    assert carrier.input_is_secret("uploads")
    uploads = {u["file"]: u for u in carrier.inputs["uploads"]}
    assert set(uploads) == {"/run/secrets/mysql-root-password", "/run/secrets/mysql-password"}
    assert {u["permissions"] for u in uploads.values()} == {"0444"}  # no write, no execute
    assert all("owner" not in u for u in uploads.values())  # an input the 5.1.0 provider rejects


def test_wordpress_reads_its_db_password_and_shared_salts_from_files(run):
    wordpress = run.one(CONTAINER, "wordpress")
    envs = wordpress.inputs["envs"]
    assert "WORDPRESS_DB_PASSWORD_FILE=/run/secrets/mysql-password" in envs
    assert "WORDPRESS_AUTH_KEY_FILE=/run/secrets/wordpress-auth-key" in envs
    assert len([e for e in envs if e.startswith("WORDPRESS_") and "_FILE=" in e]) == 9
    carrier = run.one(CONTAINER, "wordpress-secrets-carrier")
    assert carrier.input_is_secret("uploads")
    assert {u["permissions"] for u in carrier.inputs["uploads"]} == {"0444"}  # www-data reads them


@pytest.mark.parametrize("protect_data, protect_content", [(True, True), (True, False), (False, True), (False, False)])
def test_each_volume_is_protected_when_asked_and_only_then(protect_data, protect_content):
    run = deploy(
        wordpress=WordPressSpec(image="wordpress:6.8.3-apache", protect_content=protect_content),
        mysql=MySqlSpec(image="mysql:8.4.6", protect_data=protect_data),
    )
    expected = ["mysql-data"] * protect_data + ["wp-content"] * protect_content
    assert sorted(r.name for r in run.resources if r.protect) == expected


def test_the_dockerfile_variant_builds_the_image_from_the_repository():
    run = deploy(wordpress=WordPressSpec(image="wordpress:6.8.3-apache", build_context="docker/wordpress"))
    build = run.one("docker:index/image:Image")
    assert build.inputs["imageName"] == "moorings-t-wordpress:6.8.3-apache"
    assert build.inputs["build"]["context"] == "docker/wordpress"
    assert build.inputs["build"]["args"] == {"WORDPRESS_IMAGE": "wordpress:6.8.3-apache"}
    assert build.inputs["skipPush"] is True
    assert run.one(CONTAINER, "wordpress").inputs["image"] == "moorings-t-wordpress:6.8.3-apache"
    assert [r.name for r in run.of_type("docker:index/remoteImage:RemoteImage")] == ["mysql-image"]


def test_the_dockerfile_is_the_recipe_variant_with_a_pinned_base():
    from tests.stack_config import ROOT

    dockerfile = (ROOT / "docker/wordpress/Dockerfile").read_text()
    assert "ARG WORDPRESS_IMAGE=wordpress:6.8.3-apache" in dockerfile
    assert "FROM ${WORDPRESS_IMAGE}" in dockerfile
    assert "ENV CUSTOM_ENV=env-value" in dockerfile


def test_more_than_one_replica_is_refused_on_docker():
    run = deploy(wordpress=WordPressSpec(image="wordpress:6.8.3-apache", replicas=2), capture_error=True)
    assert "the docker platform runs exactly 1 WordPress container" in str(run.error)


def test_component_outputs_name_what_was_built(run):
    stack = run.one("moorings:index:WordPressStack")
    outputs = run.component_outputs[stack.urn]
    assert outputs == {
        "url": "http://localhost:8080",
        "wordpressName": "moorings-t-wordpress",
        "mysqlName": "moorings-t-mysql",
        "networkName": "moorings-t-net",
    }


def test_neither_container_can_gain_privileges(run):
    for name in ("mysql", "wordpress"):
        assert run.one(CONTAINER, name).inputs["securityOpts"] == ["no-new-privileges:true"]


@pytest.mark.parametrize("name, writable", [
    ("mysql", ["/var/run/mysqld", "/var/lib/mysql-files", "/tmp"]),
    ("wordpress", ["/var/www/html", "/var/run/apache2", "/var/lock/apache2", "/tmp"]),
])
def test_each_container_writes_only_to_its_volumes_and_a_tmpfs_at_the_paths_its_image_writes(run, name, writable):
    inputs = run.one(CONTAINER, name).inputs
    assert inputs["readOnly"] is True
    assert sorted(inputs["tmpfs"]) == sorted(writable)
    assert all(options.startswith("rw,noexec,nosuid,nodev,size=") for options in inputs["tmpfs"].values())


def test_the_scratch_paths_are_the_ones_the_kubernetes_pods_mount():
    from moorings.wordpress_builders.kubernetes import mysql, wordpress
    from moorings.wordpress_builders.image_paths import MYSQL_SCRATCH, WORDPRESS_SCRATCH

    assert mysql.SCRATCH is MYSQL_SCRATCH and wordpress.SCRATCH is WORDPRESS_SCRATCH


def test_a_tmpfs_is_as_large_as_the_emptydir_at_the_same_path(run):
    assert run.one(CONTAINER, "mysql").inputs["tmpfs"]["/tmp"].endswith("size=1g")
    assert run.one(CONTAINER, "wordpress").inputs["tmpfs"]["/var/www/html"].endswith("size=256m")


@pytest.mark.parametrize("name", ["mysql", "wordpress"])
def test_the_secrets_reach_a_read_only_container_on_a_read_only_volume_a_never_started_carrier_fills(run, name):
    (mount,) = [v for v in run.one(CONTAINER, name).inputs["volumes"] if v["containerPath"] == "/run/secrets"]
    assert mount["readOnly"] is True
    carrier = run.one(CONTAINER, f"{name}-secrets-carrier").inputs
    assert carrier["start"] is False and carrier["mustRun"] is False
    assert carrier["volumes"] == [{"volumeName": mount["volumeName"], "containerPath": "/run/secrets"}]
    assert carrier["image"] == run.one(CONTAINER, name).inputs["image"]  # already here; never run


def test_the_secrets_volume_keeps_its_name_so_a_rotation_rewrites_the_files_in_place(run):
    # A new name would replace the consumer: MySQL restarting, WordPress's container recreated.
    assert run.one("docker:index/volume:Volume", "mysql-secrets").inputs["name"] == "moorings-t-mysql-secrets"
    assert run.one("docker:index/volume:Volume", "wordpress-secrets").inputs["name"] == "moorings-t-wordpress-secrets"


COMMAND = "command:local:Command"


@pytest.mark.parametrize("name", ["mysql", "wordpress"])
def test_the_database_has_the_new_passwords_before_any_secret_file_changes(run, name):
    rotation = run.one(COMMAND, "mysql-credentials")
    carrier = run.one(CONTAINER, f"{name}-secrets-carrier")
    assert rotation.urn in carrier.depends_on
    # and the consumer starts only once its files are there
    assert carrier.urn in run.one(CONTAINER, name).depends_on


@pytest.mark.parametrize("step, phase, runs_on", [
    ("mysql-credentials", "open", "create"),
    # Declared on a first install, it has nothing to retire: it runs on each later password change.
    ("mysql-credentials-close", "close", "update"),
])
def test_each_rotation_phase_finds_the_mysql_container_by_its_exact_name_for_the_stacks_user(run, step, phase, runs_on):
    script = run.one(COMMAND, step).inputs[runs_on]
    assert "'name=^moorings-t-mysql$'" in script
    assert f" wordpress {phase} " in script  # the user whose password it sets, and the phase


def test_the_closing_step_does_nothing_when_first_declared(run):
    assert run.one(COMMAND, "mysql-credentials-close").inputs["create"].startswith("echo ")


def test_the_old_password_is_retired_only_once_the_site_answers_on_the_new_files(run):
    close = run.one(COMMAND, "mysql-credentials-close")
    assert run.one(COMMAND, "site-ready").urn in close.depends_on
    assert close.input_is_secret("stdin")


def test_the_new_passwords_reach_the_rotation_only_on_its_secret_stdin():
    run = deploy(passwords=("root-pw-1", "user-pw-1"))
    rotation = run.one(COMMAND, "mysql-credentials")
    assert rotation.input_is_secret("stdin")
    assert rotation.inputs["stdin"] == "root-pw-1\nuser-pw-1\n"
    assert "pw-1" not in rotation.inputs["create"]
    assert "environment" not in rotation.inputs or "pw-1" not in str(rotation.inputs["environment"])


def test_a_rotation_runs_the_site_gate_again_though_no_container_is_replaced(run):
    # New secret files are new carriers: their ids are among what makes the gate wait again.
    triggers = run.one(COMMAND, "site-ready").inputs["triggers"]
    assert {"mysql-secrets-carrier-id", "wordpress-secrets-carrier-id"} <= set(triggers)


@pytest.mark.parametrize("name, kept", [
    ("mysql", ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_SETGID", "CAP_SETUID"]),
    ("wordpress", ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_SETGID", "CAP_SETUID"]),
])
def test_each_container_drops_every_capability_but_those_its_root_entrypoint_uses(run, name, kept):
    assert run.one(CONTAINER, name).inputs["capabilities"] == {"drops": ["ALL"], "adds": kept}


def test_with_online_rotation_off_no_step_runs_and_the_secret_files_change_at_once():
    run = deploy(mysql=MySqlSpec(image="mysql:8.4.6", online_rotation=False))
    assert [r.name for r in run.of_type(COMMAND)] == ["site-ready"]  # neither phase of the rotation
    assert not any("mysql-credentials" in urn for urn in run.one(CONTAINER, "mysql-secrets-carrier").depends_on)


@pytest.mark.parametrize("consumer", ["mysql", "wordpress"])
def test_each_secrets_carrier_first_sweeps_the_one_a_killed_up_left_under_its_name(run, consumer, tmp_path, monkeypatch):
    name = f"moorings-t-{consumer}-secrets"
    assert run.one(CONTAINER, f"{consumer}-secrets-carrier").before_create_hooks == [f"sweep-{name}"]
    # The hook with a `docker` that logs its arguments and lists one leftover.
    log = tmp_path / "docker.log"
    fake = tmp_path / "docker"
    fake.write_text(f'#!/bin/sh\necho "$*" >> {log}\n[ "$1" = ps ] && echo 0123456789abcdef\nexit 0\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    run.hooks[f"sweep-{name}"](None)
    listed, removed = log.read_text().splitlines()
    # Only a container of exactly that name, never started, on the carrier's own volume.
    assert f"--filter name=^/{name}$" in listed and "--filter status=created" in listed
    assert f"--filter volume={name}" in listed
    assert removed == "rm --force 0123456789abcdef"
