// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

// Command qualys-simulator serves a generated Qualys tenant over plain HTTP on loopback, for
// `make run`, manual tests and load tests:
//
//	go run ./internal/simulator/cmd/qualys-simulator -hosts 50
//
// It prints one line with the API server and gateway URLs and stops cleanly on SIGINT/SIGTERM.
//
// With -replay DIR it serves instead the answers a receiver captured into DIR
// (capture::directory), so a problem seen on a real tenant reproduces without it:
//
//	go run ./internal/simulator/cmd/qualys-simulator -replay ./qualys-capture
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/seed-d80aa3af/qualysreceiver/internal/simulator"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "qualys-simulator:", err)
		os.Exit(1)
	}
}

// run serves until ctx ends (SIGINT/SIGTERM in main) and returns nil after a clean shutdown.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("qualys-simulator", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:18080", "API server address (plain HTTP)")
	gatewayListen := fs.String("gateway-listen", "", "gateway address; empty: the gateway is served on -listen")
	hosts := fs.Int("hosts", 25, "number of hosts")
	detections := fs.Int("detections-per-host", 8, "average detections per host")
	qids := fs.Int("qids", 400, "KnowledgeBase size")
	tags := fs.Int("tags", 12, "tag pool size")
	policies := fs.Int("policies", 3, "compliance policies")
	controls := fs.Int("controls", 12, "controls per policy")
	resultsBytes := fs.Int("results-bytes", 160, "typical RESULTS size in bytes")
	seed := fs.Uint64("seed", 1, "tenant seed")
	baseTime := fs.String("base-time", "", "tenant 'now' as 2006-01-02T15:04:05Z (default: the start time)")
	username := fs.String("username", "qualys_user", "valid username")
	password := fs.String("password", "qualys_pass", "valid password")
	concurrency := fs.Int("concurrency-limit", 2, "concurrent calls per API (negative: unlimited)")
	rateLimit := fs.Int("rate-limit", 300, "calls per API per rate window (negative: unlimited)")
	rateWindow := fs.Duration("rate-window", time.Hour, "rate window")
	bandwidth := fs.Int64("bandwidth", 0, "bytes per second per response (0: unlimited)")
	jwtLifetime := fs.Duration("jwt-lifetime", 4*time.Hour, "lifetime of gateway tokens")
	pcrsRateLimit := fs.Int("pcrs-rate-limit", 25, "PCRS calls per API per minute (negative: unlimited)")
	pcrsMaxVersion := fs.Int("pcrs-max-version", 5, "newest PCRS version served")
	replayDir := fs.String("replay", "", "serve the answers captured in this directory instead of a generated tenant")
	pretty := fs.Bool("pretty", false, "write each XML element's text (or CDATA) on its own indented line, as Qualys's guide does")
	fs.SetOutput(stdout)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if *replayDir != "" {
		return runReplay(ctx, *replayDir, *listen, stdout)
	}
	base := time.Now().UTC().Truncate(time.Second)
	if *baseTime != "" {
		t, err := time.Parse(time.RFC3339, *baseTime)
		if err != nil {
			return fmt.Errorf("-base-time: %w", err)
		}
		base = t
	}
	tenant := simulator.NewTenant(simulator.TenantConfig{Seed: *seed, Hosts: *hosts, DetectionsPerHost: *detections,
		QIDs: *qids, Tags: *tags, Policies: *policies, ControlsPerPolicy: *controls, ResultsBytes: *resultsBytes,
		BaseTime: base})
	srv := simulator.New(tenant, simulator.Options{Username: *username, Password: *password,
		ConcurrencyLimit: *concurrency, RateLimit: *rateLimit, RateWindow: *rateWindow,
		BandwidthBytesPerSec: *bandwidth, JWTLifetime: *jwtLifetime, PCRSRateLimit: *pcrsRateLimit,
		PCRSMaxVersion: *pcrsMaxVersion, PrettyXML: *pretty})

	apiLn, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	var gwLn net.Listener
	gatewayURL := "http://" + apiLn.Addr().String()
	if *gatewayListen != "" {
		if gwLn, err = net.Listen("tcp", *gatewayListen); err != nil {
			_ = apiLn.Close()
			return err
		}
		gatewayURL = "http://" + gwLn.Addr().String()
	}
	fmt.Fprintf(stdout, "qualys-simulator: api=http://%s gateway=%s hosts=%d seed=%d user=%s\n",
		apiLn.Addr(), gatewayURL, tenant.HostCount(), *seed, *username)
	return srv.Serve(ctx, apiLn, gwLn)
}

// runReplay serves a captured directory as both the API server and the gateway on listen.
func runReplay(ctx context.Context, dir, listen string, stdout io.Writer) error {
	replay, err := simulator.NewReplay(dir, log.New(stdout, "qualys-simulator: ", log.LstdFlags))
	if err != nil {
		return fmt.Errorf("-replay: %w", err)
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "qualys-simulator: replaying %d answers from %s: api=http://%s gateway=http://%s (any username and password)\n",
		replay.Exchanges(), dir, ln.Addr(), ln.Addr())
	hs := &http.Server{Handler: replay, ReadHeaderTimeout: 30 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err = <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return hs.Shutdown(shutdownCtx)
}
