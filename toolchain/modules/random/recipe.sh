# pulumi-resource-random, from ../shared/upstream (no provider module on the proxy).
version="$PIN_RANDOM"
requires="github.com/pulumi/pulumi-random/provider/v4 v$PIN_RANDOM"
archives=("pulumi-random-provider-v$PIN_RANDOM.tar.gz")
binaries=("pulumi-resource-random=github.com/pulumi/pulumi-random/provider/v4/cmd/pulumi-resource-random")
ldflags="-s -w -X github.com/pulumi/pulumi-random/provider/v4/pkg/version.Version=$PIN_RANDOM"
prepare() {  # as the provider's generate.go: the schema it embeds carries its version
    local cmd="$WORK/pulumi-random-provider/cmd/pulumi-resource-random"
    embedgen -version "$PIN_RANDOM" -schema "$cmd/schema.json" -out "$cmd/schema-embed.json"
}
