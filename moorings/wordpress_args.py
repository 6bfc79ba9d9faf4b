"""The arguments of a WordPressStack, and what every platform's builder shares: which secret feeds
which variable, who reads it, the ports, probes and plain settings of the two images.

Apart from moorings/wordpress_stack.py so that the builders (moorings/wordpress_builders/)
can import it while the stack imports the builders: its table BUILDERS names each one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import pulumi

from moorings.health_probe import HealthProbe
from moorings.secret_args import FileReader, SecretEntry
from moorings.secret_bundle import SecretBundle
from moorings.wordpress_builders.kubernetes.options import WordPressKubernetesOptions
from moorings.wordpress_builders.swarm_options import SwarmWordPressOptions

# The platforms a WordPressStack is built on: each has a builder (wordpress_stack.BUILDERS), a secret
# form (secret_bundle.FORMS) and a composition (stacks.compose.COMPOSITIONS).
PLATFORMS = ("docker", "swarm", "kubernetes")

# Which secret each image reads through its `<VAR>_FILE` variable.
MYSQL_SECRET_ENV = {
    "MYSQL_ROOT_PASSWORD": "mysql-root-password",
    "MYSQL_PASSWORD": "mysql-password",
}
# WordPress keys and salts must be shared by every replica, or logins break between them.
WORDPRESS_SALTS = (
    "AUTH_KEY",
    "SECURE_AUTH_KEY",
    "LOGGED_IN_KEY",
    "NONCE_KEY",
    "AUTH_SALT",
    "SECURE_AUTH_SALT",
    "LOGGED_IN_SALT",
    "NONCE_SALT",
)
WORDPRESS_SECRET_ENV = {
    "WORDPRESS_DB_PASSWORD": "mysql-password",
    **{f"WORDPRESS_{salt}": f"wordpress-{salt.lower().replace('_', '-')}" for salt in WORDPRESS_SALTS},
}

# The users the official images run as, who must be able to read their secret files.
MYSQL_READER = FileReader(uid="999", gid="999")
WORDPRESS_READER = FileReader(uid="33", gid="33")  # www-data reads them at request time

HTTP_PORT = 80
MYSQL_PORT = 3306

MYSQL_PROBE = HealthProbe(
    # TCP, not the socket: during first-run initialisation the image's temporary server
    # listens on the socket only, and must not count as healthy.
    tests=("CMD", "mysqladmin", "ping", "-h", "127.0.0.1", "--silent"),
    interval="10s",
    timeout="5s",
    retries=10,
    start_period="30s",
)
WORDPRESS_PROBE = HealthProbe(
    # The image has PHP but no curl; a database outage makes this page answer 500. Redirects are
    # not followed: before the install the page redirects to the site's public address
    # (WP_SITEURL), which is not this container's port 80.
    tests=(
        "CMD-SHELL",
        "php -r 'exit(@file_get_contents(\"http://127.0.0.1/wp-login.php\", false, "
        "stream_context_create([\"http\" => [\"follow_location\" => 0]])) === false ? 1 : 0);'",
    ),
    # Checked every 10 s, so a new task counts as healthy (and a Swarm roll moves on) about 10 s
    # after it answers, not 30; nine failures in a row still make a 90 s database outage short
    # of "unhealthy", as three at 30 s did.
    interval="10s",
    timeout="10s",
    retries=9,
    start_period="30s",
)


def mysql_env(spec: "WordPressSpec") -> dict[str, str]:
    """Plain settings of the MySQL image: the database and user it creates on first start."""
    return {"MYSQL_DATABASE": spec.db_name, "MYSQL_USER": spec.db_user}


def wordpress_env(
    spec: "WordPressSpec", mysql_host: str, site_url: Optional[str] = None, mysql_port: int = MYSQL_PORT
) -> dict[str, str]:
    """Plain settings of the WordPress image: where its database is, and the address it answers
    with (`site_url`; None leaves it to the database, as WordPress does by default)."""
    env = {
        "WORDPRESS_DB_HOST": f"{mysql_host}:{mysql_port}",
        "WORDPRESS_DB_NAME": spec.db_name,
        "WORDPRESS_DB_USER": spec.db_user,
    }
    if site_url is not None:
        env["WORDPRESS_CONFIG_EXTRA"] = site_address_config(site_url)
    return env


def site_address_config(site_url: str) -> str:
    """The wp-config lines (the image evaluates WORDPRESS_CONFIG_EXTRA) that pin WordPress's
    address to the stack's: WordPress otherwise keeps the address it was installed at in its
    database and redirects every request there, so a changed port or host would break the site.
    The URL is checked by the settings (no quote can reach the PHP)."""
    if "'" in site_url or "\\" in site_url:
        raise ValueError(f"site address {site_url!r}: quotes and backslashes are not accepted")
    return f"define('WP_HOME', '{site_url}');\ndefine('WP_SITEURL', '{site_url}');"


def wordpress_secret_entries(
    mysql_root_password: Optional[pulumi.Input[str]] = None,
    mysql_password: Optional[pulumi.Input[str]] = None,
) -> list[SecretEntry]:
    """The secrets a WordPressStack consumes; the two passwords may come from config."""
    entries = [
        SecretEntry("mysql-root-password", mysql_root_password),
        SecretEntry("mysql-password", mysql_password),
    ]
    entries += [
        SecretEntry(name, None, length=64)
        for var, name in WORDPRESS_SECRET_ENV.items()
        if var != "WORDPRESS_DB_PASSWORD"
    ]
    return entries


@dataclass(frozen=True)
class WordPressSpec:
    image: str
    """Pinned official image, e.g. wordpress:6.8.3-apache (the FROM of the Dockerfile variant)."""
    replicas: int = 1
    port: int = 8080
    """Port on the host (docker, swarm) or of the Service (kubernetes)."""
    db_name: str = "wordpress"
    db_user: str = "wordpress"
    build_context: Optional[str] = None
    """Dockerfile variant: build the image from this folder instead of using `image` as is."""
    protect_content: bool = True
    """`protect` on the wp-content storage (uploads, themes, plugins)."""
    public_url: Optional[str] = None
    """The address people reach the site at (scheme://host[:port][/path], no trailing slash);
    WordPress answers with it. None: the platform's own (docker, swarm: the published port)."""


@dataclass(frozen=True)
class ExternalDatabase:
    """An existing MySQL or MariaDB the stack uses instead of deploying one. WordPress connects as
    WordPressSpec.db_user to WordPressSpec.db_name with the bundle's `mysql-password`."""

    host: str
    """Host name or IP address, as WordPress's container reaches it."""
    port: int = MYSQL_PORT


@dataclass(frozen=True)
class MySqlSpec:
    image: str
    """Pinned official image, e.g. mysql:8.4.6."""
    protect_data: bool = True
    """`protect` on the data volume: `pulumi destroy` refuses until it is lifted."""
    online_rotation: bool = True
    """Set a changed root or user password in the running database before any consumer switches
    to it (moorings/db_rotation.py; docker). Off: the database keeps its old passwords."""
    external: Optional[ExternalDatabase] = None
    """An existing database instead of a deployed one (on every platform); its password rotates by hand."""


@dataclass(frozen=True)
class BackupSpec:
    """An opt-in schedule that backs up the database and wp-content (docker: a container beside
    them; swarm: a service on the node of the volumes; kubernetes: a CronJob)."""

    every_minutes: int = 1440
    """Minutes between two backups: a divisor of 60, or whole hours that divide 24 (so that
    Kubernetes can say it as a CronJob schedule). The first one is an interval after the start."""
    keep: int = 7
    """How many backups are kept: the oldest beyond them is deleted after each new one."""


@dataclass(frozen=True)
class WordPressStackArgs:
    platform: str
    """One of PLATFORMS."""
    name_prefix: str
    """Prefix of every name on the platform (container, network, volume...)."""
    wordpress: WordPressSpec
    mysql: MySqlSpec
    secrets: SecretBundle
    swarm: Optional[SwarmWordPressOptions] = None
    """Platform swarm only: its options (None: the defaults)."""
    kubernetes: Optional[WordPressKubernetesOptions] = None
    """Platform kubernetes only: its options (required there: they name the namespace)."""
    backup: Optional[BackupSpec] = None
    """Scheduled backups into a protected volume or claim (every platform); None: no backups."""


@dataclass(frozen=True)
class WordPressOutputs:
    url: pulumi.Input[str]
    wordpress_name: pulumi.Input[str]
    mysql_name: pulumi.Input[str]
    network_name: pulumi.Input[str]


# A platform's builder: declares the stack's resources as children of the component, returns its outputs.
Builder = Callable[[pulumi.ComponentResource, WordPressStackArgs], WordPressOutputs]
