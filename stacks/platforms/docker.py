"""Platform docker: recipe 1 (WordPress + MySQL, the Compose recipe) on the local engine."""

from __future__ import annotations

import pulumi

from components.secret_bundle import SecretBundle, SecretBundleArgs
from components.wordpress_stack import WordPressStack, WordPressStackArgs, wordpress_secret_entries
from stacks.settings import Settings


def compose(settings: Settings) -> None:
    secrets = SecretBundle(
        "secrets",
        SecretBundleArgs(
            entries=wordpress_secret_entries(
                settings.secrets.mysql_root_password, settings.secrets.mysql_password
            ),
            platform="docker",
            name_prefix=settings.name_prefix,
        ),
    )
    site = WordPressStack(
        "wordpress",
        WordPressStackArgs(
            platform="docker",
            name_prefix=settings.name_prefix,
            wordpress=settings.wordpress,
            mysql=settings.mysql,
            secrets=secrets,
        ),
    )
    pulumi.export("url", site.url)
    pulumi.export("wordpressContainer", site.wordpress_name)
    pulumi.export("mysqlContainer", site.mysql_name)
    pulumi.export("network", site.network_name)
