"""The real node's NetworkPolicy enforcer: toolchain's kube-network-policies as its upstream
manifest (install.yaml) runs it, a DaemonSet on the host network in kube-system. It
keeps an nftables table of its own (`inet kube-network-policies`) that sends the new
connections of policed pods to an NFQUEUE and decides them from the API's NetworkPolicies."""

from __future__ import annotations

from typing import Any

ENFORCER_IMAGE = "moorings.local/kube-network-policies:0.8.0"
TABLE = ("inet", "kube-network-policies")
LABELS = {"app": "kube-network-policies"}


def enforcer_objects(metrics_port: int) -> list[dict[str, Any]]:
    meta = {"name": "kube-network-policies", "namespace": "kube-system"}
    rules = [
        {"apiGroups": [""], "resources": ["pods", "namespaces"], "verbs": ["list", "watch"]},
        {"apiGroups": ["networking.k8s.io"], "resources": ["networkpolicies"], "verbs": ["list", "watch"]},
    ]
    return [
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
         "metadata": {"name": "moorings:kube-network-policies"}, "rules": rules},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
         "metadata": {"name": "moorings:kube-network-policies"},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                     "name": "moorings:kube-network-policies"},
         "subjects": [{"kind": "ServiceAccount", **meta}]},
        {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {**meta, "labels": LABELS},
         "spec": {"selector": {"matchLabels": LABELS}, "template": {
             "metadata": {"labels": LABELS},
             "spec": {
                 "hostNetwork": True, "serviceAccountName": "kube-network-policies",
                 "tolerations": [{"operator": "Exists", "effect": "NoSchedule"}],
                 "containers": [{
                     "name": "kube-network-policies", "image": ENFORCER_IMAGE, "imagePullPolicy": "Never",
                     "args": ["--hostname-override=$(NODE_NAME)", "--v=2",
                              # containerd 1.6 has no NRI: pod addresses come from the API.
                              "--disable-nri",
                              # On the host's network: its metrics on loopback only.
                              f"--metrics-bind-address=127.0.0.1:{metrics_port}"],
                     "env": [{"name": "NODE_NAME", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}}],
                     # Upstream asks privileged, which this API server refuses (no
                     # --allow-privileged); its nftables table and NFQUEUE need NET_ADMIN only.
                     "securityContext": {"capabilities": {"add": ["NET_ADMIN"]}},
                 }],
             }}}},
    ]
