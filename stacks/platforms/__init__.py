"""One composition per platform, and what they all declare the same way."""

from __future__ import annotations

from typing import Optional

import pulumi

from moorings.secret_args import SecretBundleArgs
from moorings.secret_bundle import SecretBundle
from moorings.wordpress_args import WordPressStackArgs, wordpress_secret_entries
from moorings.wordpress_builders.kubernetes.options import WordPressKubernetesOptions
from moorings.wordpress_builders.swarm_options import SwarmWordPressOptions
from moorings.wordpress_stack import WordPressStack
from stacks.settings import Settings


def wordpress_secrets(
    settings: Settings,
    namespace: Optional[pulumi.Input[str]] = None,
    opts: Optional[pulumi.ResourceOptions] = None,
    docker_host: Optional[str] = None,
) -> SecretBundle:
    """The SecretBundle a WordPressStack consumes: the passwords the stack sets, the rest generated."""
    return SecretBundle(
        "secrets",
        SecretBundleArgs(
            entries=wordpress_secret_entries(settings.secrets.mysql_root_password, settings.secrets.mysql_password),
            platform=settings.platform,
            name_prefix=settings.name_prefix,
            namespace=namespace,
            docker_host=docker_host,
        ),
        opts=opts,
    )


def wordpress_site(
    settings: Settings,
    secrets: SecretBundle,
    *,
    swarm: Optional[SwarmWordPressOptions] = None,
    kubernetes: Optional[WordPressKubernetesOptions] = None,
    opts: Optional[pulumi.ResourceOptions] = None,
) -> WordPressStack:
    """The stack's WordPressStack on its platform, with that platform's options (`swarm`, `kubernetes`)."""
    return WordPressStack(
        "wordpress",
        WordPressStackArgs(
            platform=settings.platform,
            name_prefix=settings.name_prefix,
            wordpress=settings.wordpress,
            mysql=settings.mysql,
            secrets=secrets,
            swarm=swarm,
            kubernetes=kubernetes,
            backup=settings.backup,
        ),
        opts=opts,
    )
