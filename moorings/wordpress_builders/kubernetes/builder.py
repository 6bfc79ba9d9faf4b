"""The kubernetes builder of WordPressStack (recipe 8): MySQL and WordPress with persistent storage in
the stack's namespace, exposed as configured, with the production safeguards.

One file per job: storage (the claims), mysql (StatefulSet + headless Service), wordpress
(Deployment), exposure (Service + Ingress), safeguards (PDB, NetworkPolicy, autoscaler).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from moorings.k8s.placement import Placement
from moorings.wordpress_builders.kubernetes.backup import backup_cronjob
from moorings.wordpress_builders.kubernetes.exposure import expose, ingress_url
from moorings.wordpress_builders.kubernetes.mysql import NAME as MYSQL
from moorings.wordpress_builders.kubernetes.mysql import mysql_statefulset
from moorings.wordpress_builders.kubernetes.options import READ_WRITE_MANY
from moorings.wordpress_builders.kubernetes.rotation import close_job, open_job, record_files
from moorings.wordpress_builders.kubernetes.safeguards import guard
from moorings.wordpress_builders.kubernetes.storage import claim
from moorings.wordpress_builders.kubernetes.wordpress import wordpress_deployment
from moorings.secret_bundle import SecretWiring
from moorings.wordpress_args import (
    MYSQL_PORT,
    MYSQL_READER,
    MYSQL_SECRET_ENV,
    WORDPRESS_READER,
    WORDPRESS_SECRET_ENV,
    WordPressOutputs,
    WordPressStackArgs,
)


def build(stack: pulumi.ComponentResource, args: WordPressStackArgs) -> WordPressOutputs:
    options = args.kubernetes
    if options is None:
        raise ValueError("WordPressStack on kubernetes: WordPressStackArgs.kubernetes must be WordPressKubernetesOptions")
    _, most = options.replica_bounds(args.wordpress.replicas)
    if most > 1 and options.wp_content_storage.access_mode != READ_WRITE_MANY:
        raise ValueError(
            f"WordPressStack on kubernetes: up to {most} WordPress pods share wp-content, "
            "which needs a ReadWriteMany claim"
        )
    if args.wordpress.build_context is not None:
        raise ValueError("WordPressStack on kubernetes: the Dockerfile variant is docker only (push the image, set its name)")

    at = Placement(parent=stack, namespace=options.namespace, instance=args.name_prefix)
    wp_content = claim(at, "wp-content", options.wp_content_storage, protect=args.wordpress.protect_content)
    external = args.mysql.external
    mysql = None if external is not None else _mysql(at, args)
    wordpress = wordpress_deployment(
        at,
        args.wordpress.image,
        args.wordpress,
        args.secrets.wire(WORDPRESS_SECRET_ENV, WORDPRESS_READER),
        mysql_host=external.host if external is not None else MYSQL,  # MySQL: the headless Service, by its fixed name
        wp_content=wp_content,
        wp_content_access=options.wp_content_storage.access_mode,
        sizing=options.wordpress_resources,
        replicas=None if options.autoscaling else args.wordpress.replicas,
        mysql=mysql.statefulset if mysql is not None else None,
        # The address WordPress answers with; in-cluster only (no Ingress, no publicUrl): left to
        # the database, so a port-forward or NodePort keeps the address it was installed at.
        site_url=args.wordpress.public_url or ingress_url(options.exposure),
        mysql_port=external.port if external is not None else MYSQL_PORT,
    )
    if mysql is not None and mysql.rotation:
        close_job(at, args.mysql.image, args.secrets, mysql.wiring, args.wordpress.db_user, after=[wordpress])
    if args.backup is not None:
        backup_cronjob(at, args, options.backup_storage, wp_content, after=[mysql.statefulset] if mysql is not None else [])
    url = expose(at, args.wordpress.port, options.exposure)
    if args.wordpress.public_url:
        url = args.wordpress.public_url
    guard(
        at, options.safeguards, most, options.autoscaling, wordpress, options.exposure,
        rotation=mysql is not None and bool(mysql.rotation), backup=args.backup is not None, external=external,
    )
    return WordPressOutputs(
        url=url,
        wordpress_name=wordpress.metadata.name,
        mysql_name=mysql.statefulset.metadata.name if mysql is not None else (external.host if external else ""),
        network_name=options.namespace,  # the namespace is what scopes the two to each other here
    )


@dataclass(frozen=True)
class _Database:
    statefulset: k8s.apps.v1.StatefulSet
    wiring: SecretWiring
    """MySQL's secret files (the rotation's Jobs read the new values from them)."""
    rotation: list[pulumi.Resource]
    """The opening Job, when the stack rotates online."""


def _mysql(at: Placement, args: WordPressStackArgs) -> _Database:
    """The stack's own MySQL: its claim, StatefulSet, and the rotation's opening Job before it."""
    options = args.kubernetes
    assert options is not None
    mysql_data = claim(at, "mysql-data", options.mysql_storage, protect=args.mysql.protect_data)
    mysql_secrets = args.secrets.wire(MYSQL_SECRET_ENV, MYSQL_READER)
    # New passwords go into the running database, beside the old ones, before WordPress rolls to
    # them; the old ones are retired once it has rolled.
    opened = open_job(at, args.mysql.image, args.secrets, mysql_secrets, args.wordpress.db_user) if args.mysql.online_rotation else None
    rotation: list[pulumi.Resource] = [opened.job] if opened is not None else []
    statefulset = mysql_statefulset(
        at,
        args.mysql.image,
        args.wordpress,
        # Rotating online, MySQL reads the record, which keeps its name: no restart on a rotation.
        record_files(mysql_secrets) if opened is not None else mysql_secrets,
        mysql_data,
        options.mysql_resources,
        after=[opened.job, opened.record] if opened is not None else [],
    )
    return _Database(statefulset=statefulset, wiring=mysql_secrets, rotation=rotation)
