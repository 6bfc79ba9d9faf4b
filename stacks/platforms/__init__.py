"""One composition per platform, and what they all declare the same way."""

from __future__ import annotations

from typing import Optional

import pulumi

from components.secret_bundle import SecretBundle, SecretBundleArgs
from components.wordpress_stack import wordpress_secret_entries
from stacks.settings import Settings


def wordpress_secrets(
    settings: Settings,
    platform: str,
    namespace: Optional[pulumi.Input[str]] = None,
    opts: Optional[pulumi.ResourceOptions] = None,
) -> SecretBundle:
    """The SecretBundle a WordPressStack consumes: the passwords the stack sets, the rest generated."""
    return SecretBundle(
        "secrets",
        SecretBundleArgs(
            entries=wordpress_secret_entries(settings.secrets.mysql_root_password, settings.secrets.mysql_password),
            platform=platform,
            name_prefix=settings.name_prefix,
            namespace=namespace,
        ),
        opts=opts,
    )
