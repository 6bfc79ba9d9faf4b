"""How WordPress is reached: a Service of the configured type, and an Ingress when asked."""

from __future__ import annotations

from typing import Optional

import pulumi
import pulumi_kubernetes as k8s

from moorings.k8s.placement import Placement
from moorings.k8s.workloads import service
from moorings.wordpress_builders.kubernetes.options import Exposure
from moorings.wordpress_builders.kubernetes.wordpress import NAME, PORT_NAME

networking = k8s.networking.v1


def expose(at: Placement, port: int, exposure: Exposure) -> pulumi.Output[str]:
    """Declare the Service (and Ingress) in front of the WordPress pods; the URL WordPress answers on."""
    front = service(
        at,
        NAME,
        [k8s.core.v1.ServicePortArgs(name=PORT_NAME, port=port, target_port=PORT_NAME, node_port=exposure.node_port)],
        exposure.service_type,
    )
    if exposure.ingress is None:
        # In-cluster address; docs/operators/kubernetes.md explains reaching it from outside for each exposure.
        return pulumi.Output.format("http://{0}.{1}.svc.cluster.local:{2}", front.metadata.name, at.namespace, port)
    spec = exposure.ingress
    backend = networking.IngressBackendArgs(
        service=networking.IngressServiceBackendArgs(
            name=front.metadata.name, port=networking.ServiceBackendPortArgs(name=PORT_NAME)
        )
    )
    networking.Ingress(
        NAME,
        metadata=at.metadata(NAME),
        spec=networking.IngressSpecArgs(
            ingress_class_name=spec.class_name,
            tls=[networking.IngressTLSArgs(hosts=[spec.host], secret_name=spec.tls_secret)] if spec.tls_secret else None,
            rules=[
                networking.IngressRuleArgs(
                    host=spec.host,
                    http=networking.HTTPIngressRuleValueArgs(
                        paths=[networking.HTTPIngressPathArgs(path="/", path_type="Prefix", backend=backend)]
                    ),
                )
            ],
        ),
        opts=at.opts(),
    )
    return pulumi.Output.from_input(ingress_url(exposure) + "/")


def ingress_url(exposure: Exposure) -> Optional[str]:
    """The address the Ingress serves the site at, without the trailing slash; None without one."""
    spec = exposure.ingress
    if spec is None:
        return None
    scheme = "https" if spec.tls_secret else "http"
    return f"{scheme}://{spec.host}"
