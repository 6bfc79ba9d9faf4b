# kube-network-policies, the NetworkPolicy enforcer of the real node (tests/kubernetes_node.py):
# nftables rules send a policed pod's new connections to an NFQUEUE, where it decides from the
# API's NetworkPolicies (sigs.k8s.io's reference implementation, as kind ships it).
version="0.8.0"
requires="sigs.k8s.io/kube-network-policies v$version"
binaries=("kube-network-policies=sigs.k8s.io/kube-network-policies/cmd")
ldflags="-s -w"
