"""`mysql.external*`: an existing database instead of a deployed one; its password must be a
secret; refused, naming the key, where it is not built yet and when half set."""

import pytest

from moorings.wordpress_args import ExternalDatabase
from stacks.settings.external_database import HOST_ACCEPTED
from tests.unit.settings_loader import load, problems

PASSWORD = {"mysqlPassword": "the external user's password"}


def external(mysql, platform="docker", **extra):
    return {"platform": platform, "mysql": mysql, **PASSWORD, **extra}


def test_unset_the_stack_deploys_its_own_database():
    assert load().mysql.external is None


def test_a_host_alone_takes_port_3306_and_wordpress_user_and_database():
    settings = load(external({"externalHost": "db.example.com"}), secret_keys=["mysqlPassword"])
    assert settings.mysql.external == ExternalDatabase(host="db.example.com", port=3306)
    assert (settings.wordpress.db_user, settings.wordpress.db_name) == ("wordpress", "wordpress")


def test_user_database_and_port_are_what_wordpress_connects_with():
    settings = load(
        external({"externalHost": "10.0.0.5", "externalPort": "3307", "externalUser": "blog", "externalDatabase": "blogdb"}),
        secret_keys=["mysqlPassword"],
    )
    assert settings.mysql.external == ExternalDatabase(host="10.0.0.5", port=3307)
    assert (settings.wordpress.db_user, settings.wordpress.db_name) == ("blog", "blogdb")


@pytest.mark.parametrize("host", ["db.example.com:3306", "mysql://db", "db example", "-db", "a" * 300])
def test_a_host_that_is_not_a_name_or_an_address_is_refused(host):
    assert problems(external({"externalHost": host}), secret_keys=["mysqlPassword"]) == [
        f"moorings:mysql.externalHost = {host!r} is not accepted: expected {HOST_ACCEPTED}"
    ]


def test_without_the_password_as_a_secret_it_is_refused_saying_how_to_set_it():
    (problem,) = problems({"mysql": {"externalHost": "db.example.com"}})
    assert problem.startswith("moorings:mysqlPassword is not set: expected the external database user's password")
    assert "pulumi config set --secret mysqlPassword" in problem


def test_a_root_password_is_refused_since_nothing_would_use_it():
    (problem,) = problems(
        {**external({"externalHost": "db.example.com"}), "mysqlRootPassword": "x"},
        secret_keys=["mysqlPassword", "mysqlRootPassword"],
    )
    assert problem.startswith("moorings:mysqlRootPassword is set: expected it unset with mysql.externalHost")


@pytest.mark.parametrize("key", ["externalUser", "externalDatabase"])
def test_a_user_or_database_without_a_host_is_refused(key):
    assert problems({"mysql": {key: "blog"}}) == [
        f"moorings:mysql.{key} = 'blog' is not accepted: expected no value while mysql.externalHost is empty "
        "(set the host to use an external database)"
    ]


def test_swarm_takes_it():
    settings = load(external({"externalHost": "db.example.com", "externalPort": 3307}, platform="swarm"), secret_keys=["mysqlPassword"])
    assert settings.mysql.external == ExternalDatabase(host="db.example.com", port=3307)


def test_kubernetes_takes_it():
    settings = load(external({"externalHost": "10.0.0.5"}, platform="kubernetes"), secret_keys=["mysqlPassword"])
    assert settings.mysql.external == ExternalDatabase(host="10.0.0.5", port=3306)
