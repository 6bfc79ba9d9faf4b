"""`mysql.external*`: an existing MySQL or MariaDB the stack uses instead of deploying one.

Unset (`mysql.externalHost` empty, the default) the stack deploys its own database. Set, WordPress
connects to host:port as `mysql.externalUser` (default wordpress.dbUser) to
`mysql.externalDatabase` (default wordpress.dbName) with `mysqlPassword`, which must then be set
as a secret: a generated one could not match. Built on every platform.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re
from typing import Callable, Optional

from moorings.wordpress_args import MYSQL_PORT, ExternalDatabase, MySqlSpec, WordPressSpec
from stacks.settings.reader import ConfigReader

_HOST_NAME = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")
HOST_ACCEPTED = "a host name or an IP address, without port or scheme (e.g. db.example.com, 10.0.0.5)"


def host_problem(value: str) -> Optional[str]:
    try:
        ipaddress.ip_address(value)
        return None
    except ValueError:
        return None if _HOST_NAME.match(value) else HOST_ACCEPTED


def read_external(
    reader: ConfigReader,
    wordpress: WordPressSpec,
    mysql: MySqlSpec,
    identifier_problem: Callable[[str], Optional[str]],
    user_password_set: bool,
    root_password_set: bool,
) -> tuple[WordPressSpec, MySqlSpec]:
    """The WordPress and MySQL specs with the external database in them, when one is set."""
    host = reader.optional_string("mysql.externalHost", check=host_problem)
    port = reader.integer("mysql.externalPort", MYSQL_PORT, minimum=1, maximum=65535)
    user = reader.optional_string("mysql.externalUser", check=identifier_problem)
    database = reader.optional_string("mysql.externalDatabase", check=identifier_problem)
    if host is None:
        for key, value in (("User", user), ("Database", database)):
            if value is not None:
                reader.fail(f"mysql.external{key}", value, "no value while mysql.externalHost is empty (set the host to use an external database)")
        return wordpress, mysql
    if not user_password_set:
        reader.problems.append(
            "moorings:mysqlPassword is not set: expected the external database user's password, as a "
            "secret, with mysql.externalHost set (`pulumi config set --secret mysqlPassword <value>`)"
        )
    if root_password_set:
        reader.problems.append(
            "moorings:mysqlRootPassword is set: expected it unset with mysql.externalHost (the stack "
            "deploys no database, so nothing uses it; `pulumi config rm mysqlRootPassword`)"
        )
    wordpress = dataclasses.replace(wordpress, db_user=user or wordpress.db_user, db_name=database or wordpress.db_name)
    return wordpress, dataclasses.replace(mysql, external=ExternalDatabase(host=host, port=port))
