# CoreDNS, the cluster DNS of the real node (tests/kubernetes_node.py): Services and the
# StatefulSet's pods by name, from the API, as a cluster's kube-dns answers them. main.go is
# coremain with only the five plugins the node's Corefile uses (tests/node_dns.py), not
# upstream's main with every in-tree plugin.
version="1.15.0"
requires="github.com/coredns/coredns v$version"
binaries=("coredns=.")
ldflags="-s -w"  # the release is a constant of coremain (CoreVersion)
