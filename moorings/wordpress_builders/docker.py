"""WordPressStack on a local Docker Engine: the Compose recipe as Pulumi resources."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_docker as docker

from moorings.wordpress_builders.docker_confinement import (
    MYSQL_CAPABILITIES,
    NO_NEW_PRIVILEGES,
    WORDPRESS_CAPABILITIES,
    capabilities,
    tmpfs,
)
from moorings.db_rotation import close_rotation, open_rotation
from moorings.swarm_shell import NodeShell
from moorings.wordpress_builders.docker_backup import backups
from moorings.engine_names import fixed_container_name, freed_names
from moorings.wordpress_builders.docker_secrets import secrets_volume
from moorings.wordpress_builders.engine_volumes import MYSQL_DATA_DIR, WP_CONTENT_DIR, mysql_data_volume, wp_content_volume
from moorings.wordpress_builders.image_paths import MYSQL_SCRATCH, WORDPRESS_SCRATCH
from moorings.wordpress_builders.site_ready import site_ready
from moorings.wordpress_args import (
    HTTP_PORT,
    MYSQL_PORT,
    MYSQL_PROBE,
    MYSQL_READER,
    MYSQL_SECRET_ENV,
    WORDPRESS_PROBE,
    WORDPRESS_READER,
    WORDPRESS_SECRET_ENV,
    WordPressOutputs,
    WordPressStackArgs,
    mysql_env,
    wordpress_env,
)

RESTART = "unless-stopped"
MYSQL_HEALTHCHECK = MYSQL_PROBE.as_args(docker.ContainerHealthcheckArgs)
WORDPRESS_HEALTHCHECK = WORDPRESS_PROBE.as_args(docker.ContainerHealthcheckArgs)


def build(stack: pulumi.ComponentResource, args: WordPressStackArgs) -> WordPressOutputs:
    if args.wordpress.replicas != 1:
        raise ValueError(
            f"wordpress.replicas = {args.wordpress.replicas}: the docker platform runs exactly 1 "
            "WordPress container; use platform swarm or kubernetes to scale"
        )
    prefix = args.name_prefix
    child = pulumi.ResourceOptions(parent=stack)
    network_name = f"{prefix}-net"
    # A network a killed first `up` left under the name is freed before the create.
    network = docker.Network(
        "network", name=network_name, driver="bridge", opts=pulumi.ResourceOptions.merge(child, freed_names("network", network_name))
    )
    wp_content = wp_content_volume(stack, args)
    # MySQL's image also carries the backups' client, for an external database too.
    mysql_image = (
        docker.RemoteImage("mysql-image", name=args.mysql.image, keep_locally=True, opts=child)
        if args.mysql.external is None or args.backup is not None
        else None
    )
    external = args.mysql.external
    if external is None:
        assert mysql_image is not None
        database = _mysql(stack, args, network, mysql_image)
        mysql_host, mysql_port, mysql_name = "mysql", MYSQL_PORT, database.container.name
    else:
        # No container, volume or rotation of ours: the database and its passwords are someone else's.
        database = _Database(container=None, carrier=None, rotation=[])
        mysql_host, mysql_port, mysql_name = external.host, external.port, pulumi.Output.from_input(external.host)

    url = args.wordpress.public_url or f"http://localhost:{args.wordpress.port}"
    wordpress_secrets = args.secrets.wire(WORDPRESS_SECRET_ENV, WORDPRESS_READER)
    wordpress_image = _wordpress_image(stack, args)
    wordpress_files = secrets_volume(
        stack, args, "wordpress", wordpress_image, wordpress_secrets, database.rotation
    )
    plain = wordpress_env(args.wordpress, mysql_host=mysql_host, site_url=url, mysql_port=mysql_port)
    wordpress_name = f"{prefix}-wordpress"
    wordpress = docker.Container(
        "wordpress",
        name=wordpress_name,
        image=wordpress_image,
        envs=wordpress_secrets.env_list(plain=plain),
        ports=[docker.ContainerPortArgs(internal=HTTP_PORT, external=args.wordpress.port, ip="127.0.0.1", protocol="tcp")],
        # wp-content is mounted inside the document root's tmpfs: Docker mounts parents first.
        volumes=[
            docker.ContainerVolumeArgs(volume_name=wp_content.name, container_path=WP_CONTENT_DIR),
            wordpress_files.mount,
        ],
        read_only=True,
        tmpfs=tmpfs(WORDPRESS_SCRATCH),
        capabilities=capabilities(WORDPRESS_CAPABILITIES),
        networks_advanced=[docker.ContainerNetworksAdvancedArgs(name=network.name)],
        healthcheck=WORDPRESS_HEALTHCHECK,
        restart=RESTART,
        security_opts=NO_NEW_PRIVILEGES,
        # Started beside MySQL, not after it: the entrypoint needs no database, and the gate
        # below holds `up` until the site answers.
        opts=fixed_container_name(stack, wordpress_name, depends_on=[wordpress_files.carrier]),
    )
    ours = [database.container] if database.container is not None else []
    ready = site_ready(
        stack,
        # wp-login.php: 500 without a database; before the install it redirects to the installer.
        f"http://127.0.0.1:{args.wordpress.port}/wp-login.php",
        # Again after a rotation too: new secret files are new carriers, the containers stay.
        containers=[*ours, wordpress],
        ids=[c.id for c in ours] + [wordpress.id] + [c.id for c in (database.carrier, wordpress_files.carrier) if c is not None],
    )
    if args.backup is not None:
        assert mysql_image is not None
        backups(stack, args, network, wp_content, mysql_image.image_id, after=database.rotation)
    if external is None and args.mysql.online_rotation:
        close_rotation(stack, args.secrets, NodeShell(), _mysql_filter(args), args.wordpress.db_user, after=[ready])

    return WordPressOutputs(
        url=url,
        wordpress_name=wordpress.name,
        mysql_name=mysql_name,
        network_name=network.name,
    )


@dataclass(frozen=True)
class _Database:
    container: Optional[docker.Container]
    carrier: Optional[docker.Container]
    """The container that wrote its secret files."""
    rotation: list[pulumi.Resource]
    """What the consumers' new secret files wait for (the opening step of a rotation)."""


def _mysql_filter(args: WordPressStackArgs) -> str:
    return f"name=^{args.name_prefix}-mysql$"


def _mysql(
    stack: pulumi.ComponentResource, args: WordPressStackArgs, network: docker.Network, image: docker.RemoteImage
) -> _Database:
    """The stack's own MySQL: its data volume, secret files, container and rotation's opening step."""
    data = mysql_data_volume(stack, args)
    # The running database takes the new passwords beside the old ones first; only then do the
    # secret files change; once the site answers on the new ones, the old ones are retired.
    rotation = (
        [open_rotation(stack, args.secrets, NodeShell(), _mysql_filter(args), args.wordpress.db_user)]
        if args.mysql.online_rotation
        else []
    )
    mysql_secrets = args.secrets.wire(MYSQL_SECRET_ENV, MYSQL_READER)
    mysql_files = secrets_volume(stack, args, "mysql", image.image_id, mysql_secrets, rotation)
    mysql_name = f"{args.name_prefix}-mysql"
    mysql = docker.Container(
        "mysql",
        name=mysql_name,
        image=image.image_id,
        envs=mysql_secrets.env_list(plain=mysql_env(args.wordpress)),
        volumes=[
            docker.ContainerVolumeArgs(volume_name=data.name, container_path=MYSQL_DATA_DIR),
            mysql_files.mount,
        ],
        # Read-only but for the data volume and the scratch paths the image writes.
        read_only=True,
        tmpfs=tmpfs(MYSQL_SCRATCH),
        capabilities=capabilities(MYSQL_CAPABILITIES),
        networks_advanced=[docker.ContainerNetworksAdvancedArgs(name=network.name, aliases=["mysql"])],
        healthcheck=MYSQL_HEALTHCHECK,
        restart=RESTART,
        security_opts=NO_NEW_PRIVILEGES,
        # No `ports`: MySQL is reachable on the private network only.
        opts=fixed_container_name(stack, mysql_name, depends_on=[mysql_files.carrier]),
    )
    return _Database(container=mysql, carrier=mysql_files.carrier, rotation=rotation)


def _wordpress_image(stack: pulumi.ComponentResource, args: WordPressStackArgs) -> pulumi.Output[str]:
    """The official image, or the Dockerfile variant built FROM it."""
    spec = args.wordpress
    if spec.build_context is None:
        return docker.RemoteImage(
            "wordpress-image", name=spec.image, keep_locally=True, opts=pulumi.ResourceOptions(parent=stack)
        ).image_id
    tag = spec.image.rsplit(":", 1)[-1]
    built = docker.Image(
        "wordpress-build",
        image_name=f"{args.name_prefix}-wordpress:{tag}",
        build=docker.DockerBuildArgs(
            context=spec.build_context,
            args={"WORDPRESS_IMAGE": spec.image},
        ),
        skip_push=True,  # a local image: no registry is involved
        opts=pulumi.ResourceOptions(parent=stack),
    )
    return built.image_name
