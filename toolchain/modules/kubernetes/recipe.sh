# pulumi-resource-kubernetes: the proxy serves the provider module at the v4.25.0 release commit
# (a pseudo-version); main.go here embeds what embedgen writes from that module's files.
version="$PIN_KUBERNETES"
requires="github.com/pulumi/pulumi-kubernetes/provider/v4 v4.0.0-20260115033456-f47bc2d6f199"
binaries=("pulumi-resource-kubernetes=.")
ldflags="-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$PIN_KUBERNETES"
prepare() {
    local cmd
    cmd="$(module_dir github.com/pulumi/pulumi-kubernetes/provider/v4)/cmd/pulumi-resource-kubernetes"
    embedgen -version "$PIN_KUBERNETES" -schema "$cmd/schema.json" -out schema-embed.json
    embedgen -compact "$cmd/terraform-mapping.json" -out terraform-mapping-embed.json
}
