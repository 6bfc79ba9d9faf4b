"""WordPressStack: WordPress + MySQL with the same arguments on every platform.

The component owns what is common (its arguments and outputs: moorings/wordpress_args.py);
one small builder per platform, named in BUILDERS, declares the platform's resources as its children.
"""

from __future__ import annotations

from typing import Optional

import pulumi

from moorings.wordpress_args import Builder, WordPressStackArgs
from moorings.wordpress_builders import docker, swarm
from moorings.wordpress_builders.kubernetes import builder as kubernetes

# How each platform declares the stack: moorings/wordpress_builders/<platform>.
BUILDERS: dict[str, Builder] = {
    "docker": docker.build,
    "swarm": swarm.build,
    "kubernetes": kubernetes.build,
}


class WordPressStack(pulumi.ComponentResource):
    url: pulumi.Output[str]
    wordpress_name: pulumi.Output[str]
    mysql_name: pulumi.Output[str]
    network_name: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        args: WordPressStackArgs,
        opts: Optional[pulumi.ResourceOptions] = None,
    ):
        super().__init__("moorings:index:WordPressStack", name, None, opts)
        if args.platform not in BUILDERS:
            raise ValueError(
                f"WordPressStack {name}: unknown platform {args.platform!r}: expected one of {', '.join(BUILDERS)}"
            )
        built = BUILDERS[args.platform](self, args)
        self.url = pulumi.Output.from_input(built.url)
        self.wordpress_name = pulumi.Output.from_input(built.wordpress_name)
        self.mysql_name = pulumi.Output.from_input(built.mysql_name)
        self.network_name = pulumi.Output.from_input(built.network_name)
        self.register_outputs(
            {
                "url": self.url,
                "wordpressName": self.wordpress_name,
                "mysqlName": self.mysql_name,
                "networkName": self.network_name,
            }
        )

