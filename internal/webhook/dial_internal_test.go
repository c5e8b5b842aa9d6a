package webhook

import (
	"context"
	"errors"
	"net"
	"testing"
)

// The dialer's Control hook checks the address the socket connects to, the
// last line should anything hand the dialer an address unchecked.
func TestDialerControlRefusesAtConnect(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	accepted := make(chan struct{}, 1)
	go func() {
		if c, err := l.Accept(); err == nil {
			accepted <- struct{}{}
			c.Close()
		}
	}()

	g := newGuardedDialer(net.DefaultResolver, false)
	conn, err := g.dialer.DialContext(context.Background(), "tcp", l.Addr().String())
	if err == nil {
		conn.Close()
		t.Fatal("connected to loopback")
	}
	if !errors.Is(err, ErrForbiddenAddress) {
		t.Fatalf("error %v: want ErrForbiddenAddress", err)
	}
	select {
	case <-accepted:
		t.Fatal("the listener accepted a connection")
	default:
	}

	// With AllowInsecureLoopback the same dial goes through.
	dev := newGuardedDialer(net.DefaultResolver, true)
	conn, err = dev.dialer.DialContext(context.Background(), "tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	conn.Close()
}
