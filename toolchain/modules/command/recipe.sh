# pulumi-resource-command and the pulumi-go-provider it needs, both from ../shared/upstream.
version="$PIN_COMMAND"
requires="github.com/pulumi/pulumi-command/provider v$PIN_COMMAND"
archives=("pulumi-command-provider-v$PIN_COMMAND.tar.gz" "pulumi-go-provider-v1.3.0.tar.gz")
binaries=("pulumi-resource-command=github.com/pulumi/pulumi-command/provider/cmd/pulumi-resource-command")
ldflags="-s -w -X github.com/pulumi/pulumi-command/provider/pkg/version.Version=$PIN_COMMAND"
