# The Pulumi CLI, from the Go module proxy (pkg/v3 at the SDK's release).
version="$PIN_PULUMI"
requires="github.com/pulumi/pulumi/pkg/v3 v$PIN_PULUMI"
binaries=("pulumi=github.com/pulumi/pulumi/pkg/v3/cmd/pulumi")
ldflags="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PIN_PULUMI"
