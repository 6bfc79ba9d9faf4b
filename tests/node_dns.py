"""The real node's cluster DNS: toolchain's CoreDNS as a cluster runs it, a Deployment in
kube-system labelled k8s-app=kube-dns behind the Service kube-dns, reading the API through the
`kubernetes` Service with its own ServiceAccount. The stacks' NetworkPolicies admit DNS to
exactly these pods (moorings/k8s/network_policies.py)."""

from __future__ import annotations

from typing import Any

DNS_IP = "10.96.0.10"  # in the API server's service range (tests/control_plane.py)
DOMAIN = "cluster.local"
COREDNS_IMAGE = "moorings.local/coredns:1.15.0"
LABELS = {"k8s-app": "kube-dns"}

# No `forward`: nothing outside the cluster is reachable here, so names outside it fail fast.
# Each plugin named here must be built in: toolchain/modules/coredns/main.go lists them.
COREFILE = f""".:53 {{
    errors
    health :8080
    ready :8181
    kubernetes {DOMAIN} in-addr.arpa ip6.arpa {{
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
    }}
    cache 5
}}
"""


def dns_objects() -> list[dict[str, Any]]:
    meta = {"name": "coredns", "namespace": "kube-system"}
    rules = [
        {"apiGroups": [""], "resources": ["endpoints", "services", "pods", "namespaces"], "verbs": ["list", "watch"]},
        {"apiGroups": ["discovery.k8s.io"], "resources": ["endpointslices"], "verbs": ["list", "watch"]},
    ]
    return [
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "moorings:coredns"},
         "rules": rules},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
         "metadata": {"name": "moorings:coredns"},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "moorings:coredns"},
         "subjects": [{"kind": "ServiceAccount", **meta}]},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": {"Corefile": COREFILE}},
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {**meta, "labels": LABELS},
         "spec": {"replicas": 1, "selector": {"matchLabels": LABELS}, "template": {
             "metadata": {"labels": LABELS},
             "spec": {"serviceAccountName": "coredns", "dnsPolicy": "Default",
                      "containers": [{
                          "name": "coredns", "image": COREDNS_IMAGE, "imagePullPolicy": "Never",
                          "args": ["-conf", "/etc/coredns/Corefile"],
                          "ports": [{"name": "dns", "containerPort": 53, "protocol": "UDP"},
                                    {"name": "dns-tcp", "containerPort": 53, "protocol": "TCP"}],
                          "readinessProbe": {"httpGet": {"path": "/ready", "port": 8181}, "periodSeconds": 2},
                          "volumeMounts": [{"name": "config", "mountPath": "/etc/coredns"}],
                      }],
                      "volumes": [{"name": "config", "configMap": {"name": "coredns"}}]}}}},
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "kube-dns", "namespace": "kube-system",
                                                              "labels": LABELS},
         "spec": {"clusterIP": DNS_IP, "selector": LABELS, "ports": [
             {"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
             {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53}]}},
    ]
