# runc, the OCI runtime the node's containerd starts containers with (tests/kubernetes_node.py).
# Debian's runc 1.1.5 cannot start a pod sandbox on this kernel (toolchain/README.md, "The
# node"); this is upstream's main at a current release. Its container bootstrap (nsenter) is C,
# so cgo is on; `seccomp` links Debian's libseccomp (libseccomp-dev, scripts/setup.sh), which
# RuntimeDefault pod profiles need. libpathrs, upstream's third default tag, is a Rust library
# Debian does not ship: without it runc uses its Go path-resolution fallback.
version="1.5.3"
requires="github.com/opencontainers/runc v$version"
binaries=("runc=github.com/opencontainers/runc")
ldflags="-X main.gitCommit=v$version"
export CGO_ENABLED=1 GOFLAGS="$GOFLAGS -tags=seccomp,urfave_cli_no_docs -buildmode=pie"
prepare() {
    [ -f /usr/include/seccomp.h ] && command -v gcc >/dev/null \
        || fail "runc: needs gcc and libseccomp's headers (apt-get install gcc libseccomp-dev)"
}
