"""Whether the database in a container logs a user in with a password: over TCP (the socket lets
the container's root in without one), the password in MYSQL_PWD read from stdin, off the command line."""

from __future__ import annotations

from tests.docker_engine import docker

LOGIN = 'IFS= read -r MYSQL_PWD; export MYSQL_PWD; mariadb --protocol=tcp -h 127.0.0.1 -u"$1" -e "SELECT 1"'


def database_accepts(container: str, user: str, password: str) -> bool:
    return docker("exec", "-i", container, "sh", "-c", LOGIN, "probe", user, stdin=password + "\n").returncode == 0
