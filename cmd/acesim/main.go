// Command acesim runs the AWS Partner Central Selling API simulator
// (internal/acesim) on its own, for the demo and for trying the ACE sync by
// hand: CloudRoute's connections point their endpoint at it instead of AWS.
// It needs nothing else: no database, no Redis.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/cloudroute/cloudroute/internal/acesim"
	pc "github.com/cloudroute/cloudroute/internal/partnercentral"
)

// DefaultAddr is where the simulator listens unless told otherwise:
// loopback only, since its control API is unauthenticated.
const DefaultAddr = "127.0.0.1:8566"

const usage = `acesim simulates the AWS Partner Central Selling API (ACE) on loopback.

Usage:
  acesim [--addr 127.0.0.1:8566] [--write-interval 1s]

It answers the API as AWS does (awsJson1_0 on POST /, SigV4 for
partnercentral-selling in us-east-1) for the test credentials it prints,
and plays AWS's review through its control API under /_sim/:

  GET    /_sim/opportunities
  POST   /_sim/opportunities/{id}/start-review | approve | launch
  POST   /_sim/opportunities/{id}/reject           {"reason": "...", "comments": "..."}
  POST   /_sim/opportunities/{id}/require-action   {"reason": "...", "comments": "..."}
  POST   /_sim/opportunities/{id}/close-lost       {"reason": "Price"}
  POST   /_sim/invitations                         {"title": "...", "catalog": "Sandbox"}
  POST   /_sim/faults                              {"status": 429, "seconds": 30}
  DELETE /_sim/faults

State is in memory and ends with the process.

Flags:
`

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "acesim:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("acesim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", DefaultAddr, "address to listen on (host:port; port 0 picks a free one)")
	writeInterval := fs.Duration("write-interval", time.Second, "time one write takes from the write quota (Partner Central's is 1s); negative turns the quota off")
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	sim := acesim.New(acesim.Options{WriteInterval: *writeInterval, Logger: logger})
	url, shutdown, err := sim.Start(*addr)
	if err != nil {
		return err
	}
	c := acesim.TestCredential
	fmt.Fprintf(stdout, `acesim: Partner Central simulator listening on %s
  endpoint:          %s
  region, service:   %s, %s
  access key id:     %s
  secret access key: %s
  partner account:   %s
  catalogs:          %s, %s
Stop with Ctrl-C.
`, url, url, pc.DefaultRegion, pc.SigningName, c.AccessKeyID, c.SecretAccessKey, c.AccountID, pc.CatalogSandbox, pc.CatalogAWS)

	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return shutdown(sctx)
}
