"""Stack config, read once into frozen typed settings.

`load_settings()` is the only place the program reads `pulumi.Config`: everything after it
works on the `Settings` object. Any bad value raises `ConfigError` (naming the key, the
value and what is accepted) before a single resource is declared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping, Optional

import pulumi
from pulumi.runtime import config as runtime_config

from moorings.wordpress_args import PLATFORMS, BackupSpec, MySqlSpec, WordPressSpec
from moorings.wordpress_builders.swarm_edge import MAX_BACKENDS
from moorings.wordpress_builders.swarm_options import EDGE
from stacks.settings.backup import read_backup
from stacks.settings.external_database import read_external
from stacks.settings.images import pinned_image_problem
from stacks.settings.kubernetes import KubernetesSettings, check_kubernetes, read_kubernetes
from stacks.settings.reader import ConfigError, ConfigReader
from stacks.settings.services import ServiceSpec, read_services
from stacks.settings.swarm import SwarmSettings, read_swarm

__all__ = ["ConfigError", "Settings", "SecretOverrides", "load_settings", "settings_from"]

NAMESPACE = "moorings"
DEFAULT_WORDPRESS_IMAGE = "wordpress:6.8.3-apache"
DEFAULT_MYSQL_IMAGE = "mysql:8.4.6"
# The Dockerfile variant of recipe 1 (`wordpress.build: true`), relative to the project.
WORDPRESS_BUILD_CONTEXT = "docker/wordpress"


@dataclass(frozen=True)
class SecretOverrides:
    """Secrets the stack sets with `pulumi config set --secret`; None means generate."""

    mysql_root_password: Optional[str] = None
    mysql_password: Optional[str] = None

    def __repr__(self) -> str:  # never print a value, even in a traceback
        set_keys = [k for k, v in vars(self).items() if v is not None]
        return f"SecretOverrides(set={set_keys})"


@dataclass(frozen=True)
class Settings:
    stack: str
    platform: str
    wordpress: WordPressSpec
    mysql: MySqlSpec
    secrets: SecretOverrides
    services: tuple[ServiceSpec, ...]
    """Extra services (`services.<name>`), deployed on swarm and kubernetes."""
    swarm: SwarmSettings
    kubernetes: KubernetesSettings
    backup: Optional[BackupSpec] = None
    """Scheduled backups (`backup.*`); None: off."""

    @property
    def name_prefix(self) -> str:
        """Prefix of every name on the platform: two stacks never collide on one engine."""
        return f"{NAMESPACE}-{self.stack}"


def settings_from(
    raw: Mapping[str, Any],
    stack: str,
    secret_keys: frozenset[str] = frozenset(),
) -> Settings:
    """Build and validate the settings from a flat `moorings:key -> value` map."""
    reader = ConfigReader(raw, NAMESPACE, secret_keys)
    platform = reader.string("platform", "docker", choices=PLATFORMS)

    wordpress = WordPressSpec(
        image=reader.string("wordpress.image", DEFAULT_WORDPRESS_IMAGE, check=pinned_image_problem),
        replicas=reader.integer("wordpress.replicas", 1, minimum=1),
        port=reader.integer("wordpress.port", 8080, minimum=1, maximum=65535),
        db_name=reader.string("wordpress.dbName", "wordpress", check=_mysql_identifier),
        db_user=reader.string("wordpress.dbUser", "wordpress", check=_mysql_identifier),
        build_context=WORDPRESS_BUILD_CONTEXT if reader.boolean("wordpress.build", False) else None,
        protect_content=reader.boolean("wordpress.protect", True),
        public_url=reader.optional_string("wordpress.publicUrl", check=_public_url_problem),
    )
    if platform == "docker" and wordpress.replicas != 1:
        reader.fail(
            "wordpress.replicas",
            wordpress.replicas,
            "1 on platform docker (one local container); "
            "scale on platform swarm or kubernetes instead",
        )
    if platform == "swarm" and wordpress.build_context is not None:
        reader.fail(
            "wordpress.build",
            True,
            "false on platform swarm (an image built here is missing on the other nodes); "
            "push the image to a registry and set wordpress.image instead",
        )
    mysql = MySqlSpec(
        image=reader.string("mysql.image", DEFAULT_MYSQL_IMAGE, check=pinned_image_problem),
        protect_data=reader.boolean("mysql.protect", True),
        online_rotation=reader.boolean("mysql.onlineRotation", True),
    )
    backup = read_backup(reader)
    secrets = SecretOverrides(
        mysql_root_password=reader.secret("mysqlRootPassword"),
        mysql_password=reader.secret("mysqlPassword"),
    )
    wordpress, mysql = read_external(
        reader,
        wordpress,
        mysql,
        _mysql_identifier,
        user_password_set=secrets.mysql_password is not None,
        root_password_set=secrets.mysql_root_password is not None,
    )
    # Every section is read whatever the platform, so a typo in a key name is caught anywhere;
    # the values of another platform's settings are not judged (they change nothing here).
    services = read_services(reader)
    for spec in services:
        if spec.name in ("mysql", "wordpress"):  # <prefix>-<name> would collide with WordPressStack's own
            reader.fail(
                f"services.{spec.name}",
                spec.name,
                "a service name other than mysql and wordpress, which the WordPress stack takes",
            )
        if spec.stop_grace_period is not None and platform != "swarm":
            reader.fail(
                f"services.{spec.name}.stopGracePeriod",
                spec.stop_grace_period,
                "no stopGracePeriod on platform " + platform + " (it sets a swarm task's stop grace period)",
            )
    swarm = read_swarm(reader if platform == "swarm" else reader.lenient())
    if platform == "swarm" and swarm.routing == EDGE and wordpress.replicas > MAX_BACKENDS:
        reader.fail(
            "wordpress.replicas",
            wordpress.replicas,
            f"at most {MAX_BACKENDS} with swarm.routing edge (the server slots the edge fills from DNS)",
        )
    kubernetes = read_kubernetes(reader if platform == "kubernetes" else reader.lenient(), stack)
    if platform == "kubernetes":
        check_kubernetes(reader, wordpress, services, kubernetes)
    reader.finish()
    return Settings(
        stack=stack,
        platform=platform,
        wordpress=wordpress,
        mysql=mysql,
        secrets=secrets,
        services=services,
        swarm=swarm,
        kubernetes=kubernetes,
        backup=backup,
    )


def load_settings() -> Settings:
    """Read the running stack's config (as the engine or the test mocks hand it over)."""
    raw = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    # The language host lists secret keys in the environment; the Automation API's inline
    # programs and the test mocks register them in the runtime instead.
    secret_keys = frozenset(runtime_config.get_config_secret_keys_env()) | frozenset(
        key for key in raw if runtime_config.is_config_secret(key)
    )
    return settings_from(raw, pulumi.get_stack(), secret_keys)


_PUBLIC_URL = re.compile(r"^https?://[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::\d{1,5})?(?:/[A-Za-z0-9._~%/-]*[A-Za-z0-9._~%-])?$")


def _public_url_problem(value: str) -> Optional[str]:
    ok = _PUBLIC_URL.match(value) is not None
    return None if ok else "an http:// or https:// address, host[:port][/path], no trailing slash (e.g. https://blog.example.com)"


def _mysql_identifier(value: str) -> Optional[str]:
    ok = value.replace("_", "a").isalnum() and value.isascii() and len(value) <= 32
    return None if ok else "letters, digits and _ only, at most 32 characters"
