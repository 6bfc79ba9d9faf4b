# The Python language host: its source is not on the proxy, so it comes from ../shared/upstream.
# Its exec script ships in the sdk/v3 module and must sit beside it.
version="$PIN_PULUMI"
requires="github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3 v$PIN_PULUMI"
archives=("pulumi-language-python-v$PIN_PULUMI.tar.gz")
binaries=("pulumi-language-python=github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3")
ldflags="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PIN_PULUMI"
finish() {
    local sdk
    sdk="$(module_dir github.com/pulumi/pulumi/sdk/v3)"
    install -m 0755 "$sdk/python/cmd/pulumi-language-python-exec" "$BIN/pulumi-language-python-exec"
}
