"""One composition per platform, and what they all declare the same way."""

from __future__ import annotations

from typing import Any, Optional

import pulumi

from components.secret_args import SecretBundleArgs
from components.secret_bundle import SecretBundle
from components.wordpress_stack import WordPressStack, WordPressStackArgs, wordpress_secret_entries
from stacks.settings import Settings


def wordpress_secrets(
    settings: Settings,
    namespace: Optional[pulumi.Input[str]] = None,
    opts: Optional[pulumi.ResourceOptions] = None,
) -> SecretBundle:
    """The SecretBundle a WordPressStack consumes: the passwords the stack sets, the rest generated."""
    return SecretBundle(
        "secrets",
        SecretBundleArgs(
            entries=wordpress_secret_entries(settings.secrets.mysql_root_password, settings.secrets.mysql_password),
            platform=settings.platform,
            name_prefix=settings.name_prefix,
            namespace=namespace,
        ),
        opts=opts,
    )


def wordpress_site(
    settings: Settings,
    secrets: SecretBundle,
    platform_options: Any = None,
    opts: Optional[pulumi.ResourceOptions] = None,
) -> WordPressStack:
    """The stack's WordPressStack on its platform; `platform_options` fill that platform's slot."""
    platform = settings.platform
    return WordPressStack(
        "wordpress",
        WordPressStackArgs(
            platform=platform,
            name_prefix=settings.name_prefix,
            wordpress=settings.wordpress,
            mysql=settings.mysql,
            secrets=secrets,
            **({platform: platform_options} if platform_options is not None else {}),
        ),
        opts=opts,
    )
