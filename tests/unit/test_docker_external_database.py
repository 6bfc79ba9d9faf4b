"""An external database on platform docker under the mocks: no MySQL of ours (no container, data
volume, image or rotation), WordPress pointed at host:port with the user's password as a file,
and the backups dump it as that user."""

import pytest

from moorings.secret_args import SecretBundleArgs
from moorings.secret_bundle import SecretBundle
from moorings.wordpress_args import (
    BackupSpec,
    ExternalDatabase,
    MySqlSpec,
    WordPressSpec,
    WordPressStackArgs,
    wordpress_secret_entries,
)
from moorings.wordpress_stack import WordPressStack
from tests.harness import plain_occurrences, run_program

CONTAINER = "docker:index/container:Container"
PASSWORD = "the external user's password"


def deploy(platform="docker", backup=None, capture_error=False):
    def program():
        secrets = SecretBundle(
            "secrets",
            SecretBundleArgs(
                entries=wordpress_secret_entries(None, PASSWORD),
                platform=platform,
                name_prefix="moorings-t",
                namespace="moorings" if platform == "kubernetes" else None,
            ),
        )
        WordPressStack(
            "wordpress",
            WordPressStackArgs(
                platform=platform,
                name_prefix="moorings-t",
                wordpress=WordPressSpec(image="wordpress:6.8.3-apache", db_user="blog", db_name="blogdb"),
                mysql=MySqlSpec(image="mysql:8.4.6", external=ExternalDatabase(host="db.example.com", port=3307)),
                secrets=secrets,
                backup=backup,
            ),
        )

    return run_program(program, capture_error=capture_error)


@pytest.fixture(scope="module")
def run():
    return deploy()


def test_nothing_of_a_database_of_our_own_is_declared(run):
    names = {r.name for r in run.resources}
    assert not names & {"mysql", "mysql-data", "mysql-image", "mysql-secrets", "mysql-credentials", "mysql-credentials-close"}
    assert {"wordpress", "wp-content", "network", "site-ready"} <= names


def test_wordpress_connects_to_the_external_host_as_its_user_with_the_password_as_a_file(run):
    envs = run.one(CONTAINER, "wordpress").inputs["envs"]
    for plain in ("WORDPRESS_DB_HOST=db.example.com:3307", "WORDPRESS_DB_USER=blog", "WORDPRESS_DB_NAME=blogdb",
                  "WORDPRESS_DB_PASSWORD_FILE=/run/secrets/mysql-password"):
        assert plain in envs
    for resource in run.resources:
        assert plain_occurrences(resource.raw_inputs, PASSWORD) == [], resource.name


def test_the_site_waits_for_wordpress_alone(run):
    ready = run.one("command:local:Command", "site-ready")
    assert run.one(CONTAINER, "wordpress").urn in ready.depends_on


def test_backups_dump_the_external_database_as_the_sites_user_on_mysqls_image():
    run = deploy(backup=BackupSpec(every_minutes=60, keep=2))
    backup = run.one(CONTAINER, "backup").inputs
    assert backup["image"] == "sha256:mysql-image"  # only for its client
    for plain in ("MYSQL_HOST=db.example.com", "MYSQL_PORT=3307", "BACKUP_USER=blog", "MYSQL_DATABASE=blogdb",
                  "MYSQL_PASSWORD_FILE=/run/secrets/mysql-password"):
        assert plain in backup["envs"]
    carrier = run.one(CONTAINER, "backup-secrets-carrier")
    assert [u["file"] for u in carrier.inputs["uploads"]] == ["/run/secrets/mysql-password"]
