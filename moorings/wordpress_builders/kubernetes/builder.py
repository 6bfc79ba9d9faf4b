"""The kubernetes builder of WordPressStack (recipe 8): MySQL and WordPress with persistent storage in
the stack's namespace, exposed as configured, with the production safeguards.

One file per job: storage (the claims), mysql (StatefulSet + headless Service), wordpress
(Deployment), exposure (Service + Ingress), safeguards (PDB, NetworkPolicy, autoscaler).
"""

from __future__ import annotations

import pulumi

from moorings.k8s.placement import Placement
from moorings.wordpress_builders.kubernetes.backup import backup_cronjob
from moorings.wordpress_builders.kubernetes.exposure import expose, ingress_url
from moorings.wordpress_builders.kubernetes.mysql import NAME as MYSQL
from moorings.wordpress_builders.kubernetes.mysql import mysql_statefulset
from moorings.wordpress_builders.kubernetes.options import READ_WRITE_MANY
from moorings.wordpress_builders.kubernetes.rotation import close_job, open_job
from moorings.wordpress_builders.kubernetes.safeguards import guard
from moorings.wordpress_builders.kubernetes.storage import claim
from moorings.wordpress_builders.kubernetes.wordpress import wordpress_deployment
from moorings.wordpress_args import (
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
    mysql_data = claim(at, "mysql-data", options.mysql_storage, protect=args.mysql.protect_data)
    wp_content = claim(at, "wp-content", options.wp_content_storage, protect=args.wordpress.protect_content)
    mysql_secrets = args.secrets.wire(MYSQL_SECRET_ENV, MYSQL_READER)
    # New passwords go into the running database, beside the old ones, before MySQL, and after it
    # WordPress, roll to them; the old ones are retired once WordPress has rolled.
    rotation = (
        [open_job(at, args.mysql.image, args.secrets, mysql_secrets, args.wordpress.db_user)]
        if args.mysql.online_rotation
        else []
    )
    mysql = mysql_statefulset(
        at,
        args.mysql.image,
        args.wordpress,
        mysql_secrets,
        mysql_data,
        options.mysql_resources,
        after=rotation,
    )
    wordpress = wordpress_deployment(
        at,
        args.wordpress.image,
        args.wordpress,
        args.secrets.wire(WORDPRESS_SECRET_ENV, WORDPRESS_READER),
        mysql_host=MYSQL,  # the headless Service, by its fixed name
        wp_content=wp_content,
        wp_content_access=options.wp_content_storage.access_mode,
        sizing=options.wordpress_resources,
        replicas=None if options.autoscaling else args.wordpress.replicas,
        mysql=mysql,
        # The address WordPress answers with; in-cluster only (no Ingress, no publicUrl): left to
        # the database, so a port-forward or NodePort keeps the address it was installed at.
        site_url=args.wordpress.public_url or ingress_url(options.exposure),
    )
    if rotation:
        close_job(at, args.mysql.image, args.secrets, mysql_secrets, args.wordpress.db_user, after=[wordpress])
    if args.backup is not None:
        backup_cronjob(at, args, options.backup_storage, wp_content, after=[mysql])
    url = expose(at, args.wordpress.port, options.exposure)
    if args.wordpress.public_url:
        url = args.wordpress.public_url
    guard(
        at, options.safeguards, most, options.autoscaling, wordpress, options.exposure,
        rotation=bool(rotation), backup=args.backup is not None,
    )
    return WordPressOutputs(
        url=url,
        wordpress_name=wordpress.metadata.name,
        mysql_name=mysql.metadata.name,
        network_name=options.namespace,  # the namespace is what scopes the two to each other here
    )
