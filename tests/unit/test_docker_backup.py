"""Backups on platform docker under the mocks: with `backup` set, a container on MySQL's image
dumps and archives into a protected volume, confined, reading the root password from a file."""

import pytest

from moorings.secret_args import SecretBundleArgs
from moorings.secret_bundle import SecretBundle
from moorings.wordpress_args import BackupSpec, MySqlSpec, WordPressSpec, WordPressStackArgs, wordpress_secret_entries
from moorings.backups import BACKUP_SCRIPT as SCRIPT
from moorings.wordpress_stack import WordPressStack
from tests.harness import plain_occurrences, run_program

CONTAINER = "docker:index/container:Container"
ROOT_PASSWORD = "a configured root password"


def deploy(backup=BackupSpec(every_minutes=360, keep=3)):
    def program():
        secrets = SecretBundle(
            "secrets",
            SecretBundleArgs(entries=wordpress_secret_entries(ROOT_PASSWORD), platform="docker", name_prefix="moorings-t"),
        )
        WordPressStack(
            "wordpress",
            WordPressStackArgs(
                platform="docker",
                name_prefix="moorings-t",
                wordpress=WordPressSpec(image="wordpress:6.8.3-apache", db_name="blog", protect_content=False),
                mysql=MySqlSpec(image="mysql:8.4.6", protect_data=False),
                secrets=secrets,
                backup=backup,
            ),
        )

    return run_program(program)


@pytest.fixture(scope="module")
def run():
    return deploy()


def test_without_backup_nothing_of_it_is_declared():
    names = {r.name for r in deploy(backup=None).resources}
    assert not names & {"backup", "backups", "backup-secrets", "backup-secrets-carrier"}


def test_the_backups_volume_is_protected_even_when_the_data_volumes_are_not(run):
    assert sorted(r.name for r in run.resources if r.protect) == ["backups"]
    assert run.one("docker:index/volume:Volume", "backups").inputs["name"] == "moorings-t-backups"


def test_the_container_runs_the_script_on_mysqls_image_with_interval_keep_and_database(run):
    backup = run.one(CONTAINER, "backup").inputs
    assert backup["name"] == "moorings-t-backup"
    assert backup["image"] == run.one(CONTAINER, "mysql").inputs["image"]  # nothing else is pulled
    assert backup["entrypoints"] == ["sh", "-c", SCRIPT.read_text(), "moorings-backup", "21600", "3"]
    assert backup["restart"] == "unless-stopped"
    (attachment,) = backup["networksAdvanced"]
    assert attachment["name"] == "moorings-t-net"  # the private network: MySQL stays unpublished
    assert "ports" not in backup


def test_it_writes_only_to_the_backups_volume_and_reads_wp_content_and_its_secret(run):
    backup = run.one(CONTAINER, "backup").inputs
    mounts = {m["containerPath"]: m for m in backup["volumes"]}
    assert mounts["/backups"] == {"volumeName": "moorings-t-backups", "containerPath": "/backups"}
    assert mounts["/wp-content"] == {"volumeName": "moorings-t-wp-content", "containerPath": "/wp-content", "readOnly": True}
    assert mounts["/run/secrets"] == {"volumeName": "moorings-t-backup-secrets", "containerPath": "/run/secrets", "readOnly": True}
    assert backup["readOnly"] is True
    assert backup["capabilities"] == {"drops": ["ALL"], "adds": ["CAP_DAC_OVERRIDE"]}
    assert backup["securityOpts"] == ["no-new-privileges:true"]
    assert set(backup["tmpfs"]) == {"/tmp"}


def test_the_root_password_is_a_file_from_a_secret_upload_never_a_value(run):
    backup = run.one(CONTAINER, "backup")
    assert "MYSQL_ROOT_PASSWORD_FILE=/run/secrets/mysql-root-password" in backup.inputs["envs"]
    for plain in ("MYSQL_HOST=mysql", "MYSQL_PORT=3306", "BACKUP_USER=root", "MYSQL_DATABASE=blog"):
        assert plain in backup.inputs["envs"]
    carrier = run.one(CONTAINER, "backup-secrets-carrier")
    assert carrier.input_is_secret("uploads")
    assert [u["file"] for u in carrier.inputs["uploads"]] == ["/run/secrets/mysql-root-password"]
    for resource in run.resources:
        assert plain_occurrences(resource.raw_inputs, ROOT_PASSWORD) == [], resource.name


def test_a_rotation_reaches_its_password_file_after_the_database_has_it(run):
    rotation = run.one("command:local:Command", "mysql-credentials")
    assert rotation.urn in run.one(CONTAINER, "backup-secrets-carrier").depends_on
    assert run.one(CONTAINER, "backup-secrets-carrier").urn in run.one(CONTAINER, "backup").depends_on
