"""WordPressStack on Docker Swarm: MySQL and WordPress as services on an encrypted overlay.

MySQL runs as one task pinned to the node that holds its data volume; WordPress runs
`wordpress.replicas` tasks behind the swarm's ingress on `wordpress.port`. Passwords and
salts are Swarm secrets mounted as files. Give the stack the cluster's provider:
`opts=ResourceOptions(providers=[cluster.provider])`.
"""

from __future__ import annotations

import pulumi
import pulumi_docker as docker

from moorings.db_rotation import close_rotation, open_rotation
from moorings.engine_names import freed_names
from moorings.swarm_service import (
    DNSRR,
    VIP,
    ConfigFile,
    NetworkAttachment,
    Placement,
    SwarmService,
    SwarmServiceArgs,
    VolumeMount,
)
from moorings.wordpress_builders.docker_confinement import MYSQL_CAPABILITIES, WORDPRESS_CAPABILITIES, swarm_confinement
from moorings.wordpress_builders.image_paths import MYSQL_SCRATCH, WORDPRESS_SCRATCH
from moorings.wordpress_builders.swarm_backup import backup_service
from moorings.wordpress_builders.swarm_edge import MAX_BACKENDS, edge_service
from moorings.wordpress_builders.swarm_options import (
    EDGE,
    FIRST_START,
    ROUTINGS,
    SINGLE_WRITER,
    SINGLE_WRITER_ROLLBACK,
    SwarmWordPressOptions,
)
from moorings.wordpress_builders.engine_volumes import MYSQL_DATA_DIR, WP_CONTENT_DIR, mysql_data_volume, wp_content_volume
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
from moorings.service_spec import PortSpec, ResourceSpec

MYSQL_ALIAS = "mysql"
VXLAN_OPTION = "options"  # ignore_changes cannot name the one key: its path holds dots
# Requests the scheduler sets aside per task, and ceilings it enforces.
MYSQL_LIMITS, MYSQL_RESERVATIONS = ResourceSpec(cpu=1.0, memory_mb=1024), ResourceSpec(cpu=0.25, memory_mb=384)
WORDPRESS_LIMITS, WORDPRESS_RESERVATIONS = ResourceSpec(cpu=1.0, memory_mb=512), ResourceSpec(cpu=0.1, memory_mb=128)
# PHP settings every WordPress task reads (a Swarm config: one copy, the same on every node).
PHP_UPLOADS = ConfigFile(
    name="php-uploads",
    content="upload_max_filesize = 64M\npost_max_size = 64M\n",
    path="/usr/local/etc/php/conf.d/moorings-uploads.ini",
)


def build(stack: pulumi.ComponentResource, args: WordPressStackArgs) -> WordPressOutputs:
    if args.wordpress.build_context is not None:
        raise ValueError(
            "wordpress.build: an image built on this machine is missing on the other swarm nodes; "
            "push it to a registry and set wordpress.image instead"
        )
    options = args.swarm if args.swarm is not None else SwarmWordPressOptions()
    if options.routing not in ROUTINGS:
        raise ValueError(f"WordPressStack on swarm: routing {options.routing!r} is not one of {', '.join(ROUTINGS)}")
    edge = options.routing == EDGE
    if edge and args.wordpress.replicas > MAX_BACKENDS:
        raise ValueError(f"wordpress.replicas = {args.wordpress.replicas}: the edge balances over at most {MAX_BACKENDS}")
    # Without the mesh, services find each other by DNS round-robin instead of a virtual IP.
    endpoint_mode = DNSRR if edge else VIP
    prefix = args.name_prefix
    child = pulumi.ResourceOptions(parent=stack)

    network_name = f"{prefix}-net"
    network = docker.Network(
        "network",
        name=network_name,
        driver="overlay",
        options={"encrypted": "true"},  # IPsec between nodes: database traffic crosses hosts
        attachable=False,  # services only: no stray `docker run` container on the database's network
        # Swarm adds the VXLAN IDs it picked to the options; the provider would replace the network
        # (and every service on it) on each `up` to take them out again.
        # A network a killed first `up` left under the name is freed before the create.
        opts=pulumi.ResourceOptions.merge(
            pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(ignore_changes=[VXLAN_OPTION])),
            freed_names("network", network_name, options.manager.docker_host if options.manager else None),
        ),
    )
    external = args.mysql.external
    # Local volumes, created on the node the provider talks to: the one MySQL is pinned to.
    mysql_data = mysql_data_volume(stack, args) if external is None else None
    wp_content = wp_content_volume(stack, args)

    site_url = args.wordpress.public_url or f"http://{options.public_host}:{args.wordpress.port}"
    mysql_filter = f"label=com.docker.swarm.service.name={prefix}-mysql"
    # New passwords go into the running database (its task runs on the manager the provider talks
    # to), beside the old ones, before any service moves to the new Swarm secrets; the old ones
    # are retired once WordPress has rolled. Without the manager's shell there is nowhere to run
    # it: a changed password then needs the database changed by hand first. An external
    # database's passwords are someone else's: no rotation of ours.
    online = external is None and args.mysql.online_rotation and options.manager is not None
    if mysql_data is not None:
        mysql = _mysql(stack, args, options, network, mysql_data, endpoint_mode, mysql_filter, online)
        mysql_host, mysql_port, mysql_name, database = MYSQL_ALIAS, MYSQL_PORT, mysql.service_name, [mysql]
    else:
        # No service, volume or rotation of ours: WordPress reaches host:port from the overlay.
        mysql_host, mysql_port, mysql_name, database = external.host, external.port, external.host, []
    wordpress = SwarmService(
        "wordpress",
        SwarmServiceArgs(
            name=f"{prefix}-wordpress",
            image=args.wordpress.image,
            replicas=args.wordpress.replicas,
            # On the edge, HAProxy publishes the port and WordPress none.
            ports=[] if edge else [PortSpec(target=HTTP_PORT, published=args.wordpress.port)],
            endpoint_mode=endpoint_mode,
            env=wordpress_env(args.wordpress, mysql_host=mysql_host, site_url=site_url, mysql_port=mysql_port),
            secrets=args.secrets.wire(WORDPRESS_SECRET_ENV, WORDPRESS_READER),
            configs=[PHP_UPLOADS],
            networks=[NetworkAttachment(network.id)],
            # Per node: several nodes need a shared volume driver for uploads to match.
            mounts=[VolumeMount(wp_content.name, WP_CONTENT_DIR)],
            healthcheck=WORDPRESS_PROBE,
            confinement=swarm_confinement(WORDPRESS_SCRATCH, WORDPRESS_CAPABILITIES),
            limits=WORDPRESS_LIMITS,
            reservations=WORDPRESS_RESERVATIONS,
            converge=FIRST_START,
            manager=options.manager,
        ),
        # MySQL converges (its health check passes) before WordPress starts.
        opts=pulumi.ResourceOptions(parent=stack, depends_on=database),
    )

    if args.backup is not None:
        backup_service(stack, args, options, network, wp_content, mysql_host, endpoint_mode, after=database)
    if online:
        close_rotation(stack, args.secrets, options.manager, mysql_filter, args.wordpress.db_user, after=[wordpress])
    if edge:
        edge_service(
            f"{prefix}-edge",
            options.edge_image,
            wordpress.service_name,
            args.wordpress.port,
            network.id,
            options.manager,
            opts=child,
        )
    return WordPressOutputs(
        url=site_url,
        wordpress_name=wordpress.service_name,
        mysql_name=mysql_name,
        network_name=network.name,
    )


def _mysql(
    stack: pulumi.ComponentResource,
    args: WordPressStackArgs,
    options: SwarmWordPressOptions,
    network: docker.Network,
    data: docker.Volume,
    endpoint_mode: str,
    mysql_filter: str,
    online: bool,
) -> SwarmService:
    """The stack's own MySQL on its data volume: the rotation's opening step and its service."""
    rotation = (
        [open_rotation(stack, args.secrets, options.manager, mysql_filter, args.wordpress.db_user)] if online else []
    )
    return SwarmService(
        "mysql",
        SwarmServiceArgs(
            name=f"{args.name_prefix}-mysql",
            image=args.mysql.image,
            replicas=1,
            endpoint_mode=endpoint_mode,
            env=mysql_env(args.wordpress),
            secrets=args.secrets.wire(MYSQL_SECRET_ENV, MYSQL_READER),
            networks=[NetworkAttachment(network.id, aliases=(MYSQL_ALIAS,))],
            mounts=[VolumeMount(data.name, MYSQL_DATA_DIR)],
            healthcheck=MYSQL_PROBE,
            limits=MYSQL_LIMITS,
            reservations=MYSQL_RESERVATIONS,
            placement=Placement(constraints=tuple(options.mysql_constraints)),
            update=SINGLE_WRITER,
            rollback=SINGLE_WRITER_ROLLBACK,
            # Read-only, tmpfs scratch, all but the entrypoint's capabilities dropped (as on docker).
            confinement=swarm_confinement(MYSQL_SCRATCH, MYSQL_CAPABILITIES),
            stop_grace_period="60s",  # a clean InnoDB shutdown
            converge=FIRST_START,
            manager=options.manager,
            # No ports: MySQL is reachable on the encrypted overlay only.
        ),
        opts=pulumi.ResourceOptions(parent=stack, depends_on=rotation),
    )
