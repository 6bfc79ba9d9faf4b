"""The named volumes WordPress + MySQL keep on a Docker Engine, for the docker and swarm builders."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_docker as docker

from moorings.wordpress_builders.image_paths import MYSQL_DATA_DIR, WP_CONTENT_DIR
from moorings.wordpress_args import WordPressStackArgs

__all__ = ["MYSQL_DATA_DIR", "WP_CONTENT_DIR", "EngineVolumes", "engine_volumes", "mysql_data_volume", "wp_content_volume"]


@dataclass(frozen=True)
class EngineVolumes:
    mysql_data: docker.Volume
    """The database: `protect`ed when the stack asks (destroy refuses until it is lifted)."""
    wp_content: docker.Volume
    """Themes, plugins and uploads: `protect`ed when the stack asks, like the database."""


def engine_volumes(stack: pulumi.ComponentResource, args: WordPressStackArgs) -> EngineVolumes:
    return EngineVolumes(mysql_data=mysql_data_volume(stack, args), wp_content=wp_content_volume(stack, args))


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
