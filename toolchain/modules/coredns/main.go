// CoreDNS with only the plugins the real node's Corefile names (tests/node_dns.py), built the
// way CoreDNS documents for a custom set ("Compile Time Enabling or Disabling Plugins", build
// from Go code): coremain's server, the plugins imported, and dnsserver.Directives in
// upstream's order (plugin.cfg). Every in-tree plugin (cloud DNS providers, tracing, etcd, ...)
// would be compiled otherwise, for nothing the node asks.
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/ready"
)

// A directive the Corefile uses must be here and imported above, else CoreDNS refuses the
// Corefile ("unknown directive").
var directives = []string{
	"ready",
	"health",
	"errors",
	"cache",
	"kubernetes",
}

func init() {
	dnsserver.Directives = directives
}

func main() {
	coremain.Run()
}
