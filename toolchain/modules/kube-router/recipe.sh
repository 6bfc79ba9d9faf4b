# kube-router's network policy controller, the real node's NetworkPolicy enforcer: iptables
# chains and ipsets (tests/node_kube_router.py), on any kernel with iptables and ipset.
# Only --run-firewall is used: no routing, no service proxy.
version="2.1.0"
requires="github.com/cloudnativelabs/kube-router/v2 v$version"
binaries=("kube-router=github.com/cloudnativelabs/kube-router/v2/cmd/kube-router")
ldflags="-s -w -X github.com/cloudnativelabs/kube-router/v2/pkg/version.Version=v$version"
