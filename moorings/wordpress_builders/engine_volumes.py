"""The named volumes WordPress + MySQL keep on a Docker Engine, for the docker and swarm builders."""

from __future__ import annotations

import pulumi
import pulumi_docker as docker

from moorings.wordpress_builders.image_paths import MYSQL_DATA_DIR, WP_CONTENT_DIR
from moorings.wordpress_args import WordPressStackArgs

__all__ = ["MYSQL_DATA_DIR", "WP_CONTENT_DIR", "mysql_data_volume", "wp_content_volume"]


def mysql_data_volume(stack: pulumi.ComponentResource, args: WordPressStackArgs) -> docker.Volume:
    return docker.Volume(
        "mysql-data",
        name=f"{args.name_prefix}-mysql-data",
        opts=pulumi.ResourceOptions(parent=stack, protect=args.mysql.protect_data),
    )


def wp_content_volume(stack: pulumi.ComponentResource, args: WordPressStackArgs) -> docker.Volume:
    return docker.Volume(
        "wp-content",
        name=f"{args.name_prefix}-wp-content",
        opts=pulumi.ResourceOptions(parent=stack, protect=args.wordpress.protect_content),
    )
