# kube-apiserver, kube-controller-manager, kube-scheduler and kubectl for the control-plane tests
# (tests/control_plane.py): the cmd/ mains of k8s.io/kubernetes, listed as `tool`s in go.mod.
version="1.37.2"
requires="k8s.io/kubernetes v$version"
binaries=(
    "kube-apiserver=k8s.io/kubernetes/cmd/kube-apiserver"
    "kube-controller-manager=k8s.io/kubernetes/cmd/kube-controller-manager"
    "kube-scheduler=k8s.io/kubernetes/cmd/kube-scheduler"
    "kubectl=k8s.io/kubernetes/cmd/kubectl"
)
# Without these the binaries report v0.0.0-master, which clients and discovery show.
ldflags="-s -w $(kubernetes_version_ldflags "$version")"
