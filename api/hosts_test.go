package api_test

import (
	"context"
	"net"
	"net/netip"
)

// hosts resolves the test's own names (under .test, reserved for tests by
// RFC 2606) to fixed addresses, and every other name as the system does:
// the SSRF rules are tried on names that resolve to private addresses
// without a DNS server that serves them.
type hosts map[string][]netip.Addr

func (h hosts) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	if a, ok := h[host]; ok {
		return a, nil
	}
	return net.DefaultResolver.LookupNetIP(ctx, network, host)
}

var (
	publicAddr = netip.MustParseAddr("93.184.216.34")
	// apiHosts is what the API resolves when an endpoint is saved.
	apiHosts = hosts{
		"hooks.partner.test":  {publicAddr},
		"internal.test":       {netip.MustParseAddr("10.1.2.3")},
		"metadata.test":       {netip.MustParseAddr("169.254.169.254")},
		"mixed.test":          {publicAddr, netip.MustParseAddr("192.168.1.5")},
		"rebind.partner.test": {publicAddr},
	}
	// workerHosts is what the worker resolves when it delivers: a name
	// that pointed outside when it was saved may point inside later (DNS
	// rebinding).
	workerHosts = hosts{
		"hooks.partner.test":  {publicAddr},
		"rebind.partner.test": {netip.MustParseAddr("10.9.8.7")},
	}
)
