// The Kubernetes provider plugin, as upstream's cmd/pulumi-resource-kubernetes builds it.
// The proxy serves the provider module but a main package cannot embed files from the module
// cache, so this copy embeds the files embedgen writes beside it (see build.sh).
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema-embed.json
var pulumiSchema []byte

//go:embed terraform-mapping-embed.json
var terraformMapping []byte

func main() {
	provider.Serve("kubernetes", version.Version, pulumiSchema, terraformMapping)
}
