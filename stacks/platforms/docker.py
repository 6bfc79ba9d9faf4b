"""Platform docker: recipe 1 (WordPress + MySQL, the Compose recipe) on the local engine."""

from __future__ import annotations

import pulumi

from stacks.platforms import wordpress_secrets, wordpress_site
from stacks.settings import Settings


def compose(settings: Settings) -> None:
    secrets = wordpress_secrets(settings)
    site = wordpress_site(settings, secrets)
    pulumi.export("url", site.url)
    pulumi.export("wordpressContainer", site.wordpress_name)
    pulumi.export("mysqlContainer", site.mysql_name)
    pulumi.export("network", site.network_name)
