"""Platform kubernetes settings (`kubernetes.*`): the cluster, storage, exposure, safeguards,
autoscaling and container resources. Each value is checked here, with the others it must
agree with, before anything is declared."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional, Sequence

from moorings.kubernetes_cluster import MODES, KubernetesClusterArgs
from moorings.wordpress_builders.kubernetes.options import (
    READ_WRITE_MANY,
    READ_WRITE_ONCE,
    Autoscaling,
    Exposure,
    Ingress,
    Resources,
    Safeguards,
    Storage,
    WordPressKubernetesOptions,
)
from moorings.service_spec import ServiceSpec
from moorings.wordpress_args import WordPressSpec
from stacks.settings.images import pinned_image_problem
from stacks.settings.reader import ConfigReader

EXPOSURES = ("ClusterIP", "NodePort", "LoadBalancer", "Ingress")
NODE_PORTS = (30000, 32767)  # the API server's default --service-node-port-range
# The stack deletes its namespace on destroy: never one the cluster itself relies on.
RESERVED_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_CPU = re.compile(r"^(\d+)m$|^(\d+(\.\d+)?)$")
_SIZE = re.compile(r"^[1-9]\d*(Ki|Mi|Gi|Ti)$")


@dataclass(frozen=True)
class KubernetesSettings:
    cluster: KubernetesClusterArgs
    wordpress: WordPressKubernetesOptions
    """Its `namespace` is the configured name; the composition passes the Namespace's output."""


def read_kubernetes(reader: ConfigReader, stack: str) -> KubernetesSettings:
    cluster = KubernetesClusterArgs(
        mode=reader.string("kubernetes.mode", "render", choices=MODES),
        namespace=reader.string("kubernetes.namespace", "moorings", check=_namespace_problem),
        kubeconfig=reader.optional_string("kubernetes.kubeconfig", check=_kubeconfig_problem),
        context=reader.optional_string("kubernetes.context"),
        # Default: one kind cluster per stack, named like everything else the stack owns.
        kind_cluster=reader.optional_string("kubernetes.kindCluster", check=_dns_label_problem)
        or f"{reader.namespace}-{stack}",
        kind_node_image=reader.optional_string("kubernetes.kindNodeImage", check=pinned_image_problem),
        render_dir=reader.string("kubernetes.renderDir", "rendered"),
    )
    options = WordPressKubernetesOptions(
        namespace=cluster.namespace,
        mysql_storage=Storage(
            size=reader.string("kubernetes.mysqlStorageSize", "10Gi", check=_size_problem),
            class_name=reader.optional_string("kubernetes.mysqlStorageClass", check=_dns_subdomain_problem),
        ),
        wp_content_storage=Storage(
            size=reader.string("kubernetes.wpContentStorageSize", "5Gi", check=_size_problem),
            class_name=reader.optional_string("kubernetes.wpContentStorageClass", check=_dns_subdomain_problem),
            access_mode=reader.string(
                "kubernetes.wpContentAccessMode", READ_WRITE_ONCE, choices=(READ_WRITE_ONCE, READ_WRITE_MANY)
            ),
        ),
        backup_storage=Storage(
            size=reader.string("kubernetes.backupStorageSize", "10Gi", check=_size_problem),
            class_name=reader.optional_string("kubernetes.backupStorageClass", check=_dns_subdomain_problem),
        ),
        exposure=_read_exposure(reader),
        safeguards=Safeguards(
            disruption_budget=reader.boolean("kubernetes.disruptionBudget", True),
            network_policy=reader.boolean("kubernetes.networkPolicy", True),
        ),
        autoscaling=_read_autoscaling(reader),
        wordpress_resources=_read_resources(reader, "wordpress", Resources()),
        mysql_resources=_read_resources(reader, "mysql", Resources(memory="1Gi")),
    )
    return KubernetesSettings(cluster=cluster, wordpress=options)


def check_kubernetes(
    reader: ConfigReader,
    wordpress: WordPressSpec,
    services: Sequence[ServiceSpec],
    kubernetes: KubernetesSettings,
) -> None:
    """What platform kubernetes needs of the settings shared with the other platforms."""
    if wordpress.build_context is not None:
        reader.fail(
            "wordpress.build",
            True,
            "false on platform kubernetes (the Dockerfile variant builds a local image; "
            "push it to a registry and set wordpress.image)",
        )
    options = kubernetes.wordpress
    scaling = options.autoscaling
    if scaling and not scaling.min_replicas <= wordpress.replicas <= scaling.max_replicas:
        reader.fail(
            "wordpress.replicas",
            wordpress.replicas,
            f"a count from kubernetes.autoscalingMinReplicas to kubernetes.autoscalingMaxReplicas "
            f"({scaling.min_replicas} to {scaling.max_replicas}) while kubernetes.autoscaling is on: "
            "the autoscaler owns the replica count; change its bounds instead",
        )
    _, most = options.replica_bounds(wordpress.replicas)
    if most > 1 and options.wp_content_storage.access_mode == READ_WRITE_ONCE:
        key = "kubernetes.autoscalingMaxReplicas" if scaling else "wordpress.replicas"
        reader.fail(
            key,
            most,
            "1 while kubernetes.wpContentAccessMode is ReadWriteOnce: every WordPress pod mounts "
            "wp-content, so more than one needs kubernetes.wpContentAccessMode ReadWriteMany and a "
            "kubernetes.wpContentStorageClass that provides it (NFS, CephFS, EFS, Azure Files, Longhorn)",
        )
    for service in services:
        _check_service(reader, service)


def _check_service(reader: ConfigReader, service: ServiceSpec) -> None:
    path = f"services.{service.name}"
    if service.mode == "global":
        reader.fail(
            f"{path}.mode",
            service.mode,
            "replicated on platform kubernetes (global, one task per node, is a swarm mode)",
        )
    seen: set[tuple[int, str]] = set()
    for index, port in enumerate(service.ports):
        if port.mode == "host":
            reader.fail(
                f"{path}.ports[{index}].mode",
                port.mode,
                "ingress on platform kubernetes (host publishing is a swarm mode; see kubernetes.exposure)",
            )
        if (port.published, port.protocol) in seen:
            reader.fail(f"{path}.ports[{index}].published", port.published, "a port this service does not publish twice")
        seen.add((port.published, port.protocol))


def _read_exposure(reader: ConfigReader) -> Exposure:
    kind = reader.string("kubernetes.exposure", "ClusterIP", choices=EXPOSURES)
    node_port = reader.integer("kubernetes.nodePort", 0, minimum=0, maximum=NODE_PORTS[1])
    if node_port and node_port < NODE_PORTS[0]:
        reader.fail("kubernetes.nodePort", node_port, "0 (the cluster picks one) or a port from 30000 to 32767")
    elif node_port and kind != "NodePort":
        reader.fail("kubernetes.nodePort", node_port, "0 unless kubernetes.exposure is NodePort")
    reported = len(reader.problems)
    ingress_keys = {
        "kubernetes.ingressHost": reader.optional_string("kubernetes.ingressHost", check=_host_problem),
        "kubernetes.ingressClass": reader.optional_string("kubernetes.ingressClass", check=_dns_subdomain_problem),
        "kubernetes.ingressTlsSecret": reader.optional_string("kubernetes.ingressTlsSecret", check=_dns_subdomain_problem),
        "kubernetes.ingressNamespace": reader.optional_string("kubernetes.ingressNamespace", check=_dns_label_problem),
    }
    if kind != "Ingress":
        for key, value in ingress_keys.items():
            if value is not None:
                reader.fail(key, value, "no value unless kubernetes.exposure is Ingress")
        return Exposure(service_type=kind, node_port=node_port or None)
    host = ingress_keys["kubernetes.ingressHost"]
    host_refused = any(":kubernetes.ingressHost = " in p for p in reader.problems[reported:])
    if host is None and not host_refused:
        reader.fail(
            "kubernetes.ingressHost", "", "the host name WordPress is served on (e.g. blog.example.com) when kubernetes.exposure is Ingress"
        )
    return Exposure(
        service_type="ClusterIP",
        ingress=Ingress(
            host=host or "unset.invalid",
            class_name=ingress_keys["kubernetes.ingressClass"],
            tls_secret=ingress_keys["kubernetes.ingressTlsSecret"],
            controller_namespace=ingress_keys["kubernetes.ingressNamespace"] or Ingress.controller_namespace,
        ),
    )


def _read_autoscaling(reader: ConfigReader) -> Optional[Autoscaling]:
    enabled = reader.boolean("kubernetes.autoscaling", False)
    fewest = reader.integer("kubernetes.autoscalingMinReplicas", 2, minimum=1)
    most = reader.integer("kubernetes.autoscalingMaxReplicas", 5, minimum=1)
    cpu = reader.integer("kubernetes.autoscalingCpuPercent", 70, minimum=1, maximum=100)
    if most < fewest:
        reader.fail("kubernetes.autoscalingMaxReplicas", most, f"at least kubernetes.autoscalingMinReplicas ({fewest})")
    return Autoscaling(min_replicas=fewest, max_replicas=most, cpu_percent=cpu) if enabled else None


def _read_resources(reader: ConfigReader, who: str, default: Resources) -> Resources:
    cpu = reader.string(f"kubernetes.{who}Cpu", default.cpu, check=_cpu_problem)
    cpu_limit = reader.string(f"kubernetes.{who}CpuLimit", default.cpu_limit, check=_cpu_problem)
    memory = reader.string(f"kubernetes.{who}Memory", default.memory, check=_size_problem)
    if millicores(cpu_limit) < millicores(cpu):
        reader.fail(f"kubernetes.{who}CpuLimit", cpu_limit, f"at least kubernetes.{who}Cpu ({cpu})")
    return Resources(cpu=cpu, cpu_limit=cpu_limit, memory=memory)


def millicores(quantity: str) -> float:
    """CPU quantity in millicores ("250m" -> 250, "0.5" -> 500); 0 for a malformed one."""
    match = _CPU.match(quantity)
    if not match:
        return 0
    return float(match.group(1)) if match.group(1) else float(match.group(2)) * 1000


# -- checks: None when the value is fine, else what would be accepted ------------------------


def _kubeconfig_problem(value: str) -> Optional[str]:
    if value.startswith("~"):
        # The provider reads the path as given: nothing expands ~ on the way.
        return "an absolute path, a path relative to the project, or the kubeconfig's contents (~ is not expanded)"
    return None


def _namespace_problem(value: str) -> Optional[str]:
    if value in RESERVED_NAMESPACES or value.startswith("kube-"):
        return "a namespace of the stack's own, not default or kube-* (the stack deletes it on destroy)"
    return _dns_label_problem(value)


def _dns_label_problem(value: str) -> Optional[str]:
    ok = _DNS_LABEL.match(value)
    return None if ok else "a DNS label: lowercase letters, digits and '-', at most 63 characters"


def _dns_subdomain_problem(value: str) -> Optional[str]:
    ok = _DNS_SUBDOMAIN.match(value) and len(value) <= 253
    return None if ok else "a Kubernetes object name: lowercase letters, digits, '-' and '.'"


def _host_problem(value: str) -> Optional[str]:
    ok = _DNS_SUBDOMAIN.match(value) and "." in value and len(value) <= 253
    return None if ok else "a lowercase DNS host name, e.g. blog.example.com"


def _cpu_problem(value: str) -> Optional[str]:
    return None if millicores(value) > 0 else "CPU as a Kubernetes quantity, e.g. 250m or 0.5"


def _size_problem(value: str) -> Optional[str]:
    return None if _SIZE.match(value) else "a size in Ki, Mi, Gi or Ti, e.g. 512Mi or 10Gi"
