# kubelet and kube-proxy for the node of the cluster tests (tests/kubernetes_node.py): the
# cmd/ mains of k8s.io/kubernetes at the control plane's release (modules/kube), as `tool`s.
version="1.37.2"
requires="k8s.io/kubernetes v$version"
binaries=(
    "kubelet=k8s.io/kubernetes/cmd/kubelet"
    "kube-proxy=k8s.io/kubernetes/cmd/kube-proxy"
)
# As modules/kube: without these the node registers as v0.0.0-master.
ldflags="-s -w $(kubernetes_version_ldflags "$version")"
