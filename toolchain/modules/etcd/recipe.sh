# etcd, the Kubernetes API server's store, for the control-plane tests (tests/control_plane.py).
# main.go is upstream's own main: etcdmain.Main with the process arguments.
version="3.7.3"
requires="go.etcd.io/etcd/server/v3 v$version"
binaries=("etcd=.")
# etcd's version is a constant of go.etcd.io/etcd/api/v3/version; only the commit is settable.
ldflags="-s -w"
