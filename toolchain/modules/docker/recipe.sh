# pulumi-resource-docker from ../shared/upstream: the provider, and the terraform provider it
# wraps with pulumi-docker's patches applied, laid out as the repository's submodule.
version="$PIN_DOCKER"
requires="github.com/pulumi/pulumi-docker/provider/v5 v$PIN_DOCKER"
archives=("pulumi-docker-v$PIN_DOCKER.tar.gz" "terraform-provider-docker-5074970c.tar.gz")
binaries=("pulumi-resource-docker=github.com/pulumi/pulumi-docker/provider/v5/cmd/pulumi-resource-docker")
ldflags="-s -w -X github.com/pulumi/pulumi-docker/provider/v5/pkg/version.Version=$PIN_DOCKER"
prepare() {
    local p cmd="$WORK/pulumi-docker/provider/cmd/pulumi-resource-docker"
    mv "$WORK/terraform-provider-docker" "$WORK/pulumi-docker/upstream"
    for p in "$WORK"/pulumi-docker/patches/*.patch; do
        patch --quiet --directory "$WORK/pulumi-docker/upstream" -p1 < "$p"
    done
    embedgen -version "$PIN_DOCKER" -schema "$cmd/schema.json" -out "$cmd/schema-embed.json"
}
