# CoreDNS, the cluster DNS of the real node (tests/kubernetes_node.py): Services and the
# StatefulSet's pods by name, from the API, as a cluster's kube-dns answers them.
version="1.15.0"
requires="github.com/coredns/coredns v$version"
binaries=("coredns=github.com/coredns/coredns")
ldflags="-s -w"  # the release is a constant of coremain (CoreVersion)
