"""Platform kubernetes: recipes 5-8. The cluster (existing, kind or rendered), the secret bundle
as a Kubernetes Secret, WordPress + MySQL, and the extra services, all in the stack's namespace."""

from __future__ import annotations

import dataclasses

import pulumi

from moorings.kubernetes_cluster import KubernetesCluster
from moorings.kubernetes_service import KubernetesService, KubernetesServiceArgs
from stacks.platforms import wordpress_secrets, wordpress_site
from stacks.settings import Settings


def compose(settings: Settings) -> None:
    config = settings.kubernetes
    warn_on_replicas_the_autoscaler_owns(settings)
    cluster = KubernetesCluster("cluster", config.cluster)
    # Everything below reaches the cluster through its provider, and waits for the namespace
    # because it names it through the Namespace's output.
    on_cluster = pulumi.ResourceOptions(providers=[cluster.provider])
    options = dataclasses.replace(config.wordpress, namespace=cluster.namespace)

    secrets = wordpress_secrets(settings, namespace=cluster.namespace, opts=on_cluster)
    site = wordpress_site(settings, secrets, kubernetes=options, opts=on_cluster)
    services = {
        spec.name: KubernetesService(
            spec.name,
            KubernetesServiceArgs(
                spec=spec,
                namespace=cluster.namespace,
                instance=settings.name_prefix,
                # The Ingress routes to WordPress only; the services share its Service type.
                service_type=options.exposure.service_type,
                disruption_budget=options.safeguards.disruption_budget,
                network_policy=options.safeguards.network_policy,
            ),
            opts=on_cluster,
        )
        for spec in settings.services
    }

    pulumi.export("url", site.url)
    pulumi.export("namespace", cluster.namespace)
    pulumi.export("wordpressDeployment", site.wordpress_name)
    pulumi.export("mysqlStatefulSet", site.mysql_name)
    pulumi.export("services", {name: service.deployment_name for name, service in services.items()})
    pulumi.export("clusterMode", config.cluster.mode)
    if config.cluster.mode == "render":
        pulumi.export("renderDir", config.cluster.render_dir)
    if cluster.kubeconfig is not None:
        pulumi.export("kubeconfig", cluster.kubeconfig)  # a secret: `pulumi stack output --show-secrets`


def warn_on_replicas_the_autoscaler_owns(settings: Settings) -> None:
    """A knob that changes nothing must say so: under the autoscaler, wordpress.replicas only
    has to lie within its bounds, and a value other than the lower bound reads as a request."""
    scaling = settings.kubernetes.wordpress.autoscaling
    if scaling is None or settings.wordpress.replicas == scaling.min_replicas:
        return
    pulumi.log.warn(
        f"moorings:wordpress.replicas = {settings.wordpress.replicas} changes nothing while "
        f"kubernetes.autoscaling is on: the HorizontalPodAutoscaler keeps WordPress between "
        f"{scaling.min_replicas} and {scaling.max_replicas} pods. Change "
        "kubernetes.autoscalingMinReplicas or kubernetes.autoscalingMaxReplicas instead."
    )
