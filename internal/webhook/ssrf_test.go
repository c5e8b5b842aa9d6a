package webhook_test

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/cloudroute/cloudroute/internal/webhook"
)

func TestCheckAddress(t *testing.T) {
	for _, tc := range []struct {
		addr            string
		allowed         bool // in production
		allowedInsecure bool // with AllowInsecureLoopback
	}{
		// Public hosts.
		{"93.184.215.14", true, true},
		{"8.8.8.8", true, true},
		{"2606:4700:4700::1111", true, true},
		{"64:ff9b::808:808", true, true}, // NAT64 of 8.8.8.8
		{"2002:808:808::1", true, true},  // 6to4 of 8.8.8.8
		{"::ffff:8.8.8.8", true, true},   // IPv4-mapped public
		{"100.63.255.255", true, true},   // just below CGNAT
		{"100.128.0.0", true, true},      // just above CGNAT
		{"172.32.0.1", true, true},       // just above 172.16/12
		// Loopback: only for local development.
		{"127.0.0.1", false, true},
		{"127.1.2.3", false, true},
		{"::1", false, true},
		{"::ffff:127.0.0.1", false, true},
		// Never.
		{"10.0.0.1", false, false},
		{"172.16.0.1", false, false},
		{"172.31.255.255", false, false},
		{"192.168.1.1", false, false},
		{"100.64.0.1", false, false},
		{"100.127.255.254", false, false},
		{"169.254.169.254", false, false},
		{"169.254.0.1", false, false},
		{"0.0.0.0", false, false},
		{"0.1.2.3", false, false},
		{"255.255.255.255", false, false},
		{"240.0.0.1", false, false},
		{"224.0.0.1", false, false},
		{"239.255.255.250", false, false},
		{"192.0.0.170", false, false},
		{"192.0.2.1", false, false},
		{"198.18.0.1", false, false},
		{"::", false, false},
		{"fc00::1", false, false},
		{"fd12:3456::1", false, false},
		{"fe80::1", false, false},
		{"fe80::1%eth0", false, false},
		{"ff02::1", false, false},
		{"fec0::1", false, false},
		{"::ffff:10.0.0.1", false, false},
		{"::ffff:169.254.169.254", false, false},
		{"::ffff:0.0.0.0", false, false},
		{"::10.0.0.1", false, false}, // IPv4-compatible (deprecated)
		{"::127.0.0.1", false, false},
		{"64:ff9b::a00:1", false, false},     // NAT64 of 10.0.0.1
		{"64:ff9b::a9fe:a9fe", false, false}, // NAT64 of 169.254.169.254
		{"64:ff9b::7f00:1", false, false},    // NAT64 of 127.0.0.1
		{"64:ff9b:1::a00:1", false, false},   // local-use NAT64
		{"2002:a00:1::1", false, false},      // 6to4 of 10.0.0.1
		{"2002:a9fe:a9fe::1", false, false},  // 6to4 of 169.254.169.254
		{"2001:db8::1", false, false},
		{"2001::1", false, false},       // Teredo
		{"100::1", false, false},        // discard-only
		{"fd00:ec2::254", false, false}, // the IPv6 metadata address
	} {
		a := netip.MustParseAddr(tc.addr)
		for _, mode := range []struct {
			insecure bool
			want     bool
		}{{false, tc.allowed}, {true, tc.allowedInsecure}} {
			err := webhook.CheckAddress(a, mode.insecure)
			if (err == nil) != mode.want {
				t.Errorf("CheckAddress(%s, insecure=%v) = %v, want allowed=%v", tc.addr, mode.insecure, err, mode.want)
			}
			if err != nil && !errors.Is(err, webhook.ErrForbiddenAddress) {
				t.Errorf("CheckAddress(%s): %v does not wrap ErrForbiddenAddress", tc.addr, err)
			}
		}
	}
}

func TestCheckURL(t *testing.T) {
	for _, tc := range []struct {
		url      string
		insecure bool
		want     error
	}{
		{"https://hooks.partner.test/cloudroute", false, nil},
		{"https://hooks.partner.test:8443/in?x=1", false, nil},
		{"https://93.184.215.14/in", false, nil},
		{"http://hooks.partner.test/in", false, webhook.ErrInvalidURL},
		{"http://hooks.partner.test/in", true, nil},
		{"http://127.0.0.1:8080/in", true, nil},
		{"https://127.0.0.1/in", false, webhook.ErrForbiddenAddress},
		{"https://[::1]/in", false, webhook.ErrForbiddenAddress},
		{"https://10.0.0.1/in", false, webhook.ErrForbiddenAddress},
		{"https://10.0.0.1/in", true, webhook.ErrForbiddenAddress},
		{"https://169.254.169.254/latest/meta-data/", true, webhook.ErrForbiddenAddress},
		{"https://[::ffff:a9fe:a9fe]/", false, webhook.ErrForbiddenAddress},
		{"ftp://hooks.partner.test/", false, webhook.ErrInvalidURL},
		{"gopher://hooks.partner.test/", true, webhook.ErrInvalidURL},
		{"/relative", false, webhook.ErrInvalidURL},
		{"https:///no-host", false, webhook.ErrInvalidURL},
		{"https://user:token@hooks.partner.test/", false, webhook.ErrInvalidURL},
		{"https://[fe80::1%25eth0]/", false, webhook.ErrForbiddenAddress},
		{"https://hooks.partner.test/%zz", false, webhook.ErrInvalidURL},
	} {
		err := webhook.CheckURL(tc.url, tc.insecure)
		if (tc.want == nil) != (err == nil) || (tc.want != nil && !errors.Is(err, tc.want)) {
			t.Errorf("CheckURL(%s, insecure=%v) = %v, want %v", tc.url, tc.insecure, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "token") {
			t.Errorf("error repeats the URL: %v", err)
		}
	}
}
