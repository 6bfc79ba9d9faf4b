"""Platform docker: recipe 1 (WordPress + MySQL, the Compose recipe) on the local engine."""

from __future__ import annotations

import pulumi

from components.wordpress_stack import WordPressStack, WordPressStackArgs
from stacks.platforms import wordpress_secrets
from stacks.settings import Settings


def compose(settings: Settings) -> None:
    secrets = wordpress_secrets(settings, "docker")
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
