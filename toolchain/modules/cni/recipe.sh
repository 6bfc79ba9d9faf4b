# The CNI plugins of the node's pod network (tests/kubernetes_node.py): bridge, host-local,
# loopback and portmap, into bin/cni/, the folder containerd is given as its CNI bin_dir.
version="1.10.0"
requires="github.com/containernetworking/plugins v$version"
plugins="github.com/containernetworking/plugins/plugins"
binaries=(
    "cni/bridge=$plugins/main/bridge"
    "cni/host-local=$plugins/ipam/host-local"
    "cni/loopback=$plugins/main/loopback"
    "cni/portmap=$plugins/meta/portmap"
)
ldflags="-s -w -X github.com/containernetworking/plugins/pkg/utils/buildversion.BuildVersion=v$version"
prepare() { mkdir -p "$BIN/cni"; }
