# kwok, the kubelet stand-in of the control-plane tests (tests/control_plane.py): it plays the
# node and pod lifecycles its Stage files describe. Upstream's stage files are copied beside
# the binary, so the tests use those of this exact release.
version="0.8.0"
requires="sigs.k8s.io/kwok v$version"
binaries=("kwok=sigs.k8s.io/kwok/cmd/kwok")
ldflags="-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=$version"
finish() {
    rm -rf "$BIN/kwok-stages"
    cp -r "$(module_dir sigs.k8s.io/kwok)/kustomize/stage" "$BIN/kwok-stages"
    chmod -R u+w "$BIN/kwok-stages"
    find "$BIN/kwok-stages" -type f ! -name '*.yaml' -delete
    rm -rf "$BIN"/kwok-stages/*/*/testdata
}
