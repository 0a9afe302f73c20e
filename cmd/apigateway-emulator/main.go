// Command apigateway-emulator serves an emulated Alibaba Cloud API Gateway (CloudAPI 2016-07-14)
// OpenAPI endpoint that the official SDKs accept unchanged. Point an SDK at the printed host:port with
// protocol HTTP and the printed credentials.
//
// The first line on stdout is always "listening on http://HOST:PORT" (https with --tls, followed by
// "ca certificate: FILE" naming the private CA to trust); the credentials it accepts follow. One
// line per request is logged to stderr. SIGINT or SIGTERM stops it gracefully: in-flight requests
// finish and the state file is flushed before it exits 0.
//
// main.go runs the server; flags.go parses the command line, options.go turns it into emulator
// options, faults.go reads --fault. The manual is README.md beside this file.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator"
)

// Environment variables read as defaults for the credential flags, so `make demo` and scripts can
// configure the emulator and the SDK client from one place.
const (
	envAccessKeyID     = "APIGATEWAY_EMULATOR_ACCESS_KEY_ID"
	envAccessKeySecret = "APIGATEWAY_EMULATOR_ACCESS_KEY_SECRET"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first signal starts the graceful shutdown, restore the default handling so a
		// second Ctrl-C kills a shutdown that hangs.
		<-ctx.Done()
		stop()
	}()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	var uerr usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	case errors.As(err, &uerr):
		// The flag package has already printed the problem and the usage.
		os.Exit(2)
	default:
		fmt.Fprintf(os.Stderr, "apigateway-emulator: %v\n", err)
		os.Exit(1)
	}
}

// usageError marks command-line mistakes, which exit 2 like other flag-parsing tools.
type usageError struct{ error }

// run starts the emulator as args ask, prints where it listens and which credentials it accepts, and
// serves until ctx is done; then it closes the server gracefully.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseArgs(args, stderr)
	if err != nil {
		return err
	}
	opts, err := cfg.options()
	if err != nil {
		return err
	}
	opts = append(opts, emulator.WithRequestLog(stderr))
	srv, err := emulator.Start(opts...)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(stdout, "listening on %s\n", srv.URL()); err != nil {
		_ = srv.Close()
		return err
	}
	if ca := srv.CACertPEM(); ca != nil {
		path := cfg.caFile
		if path == "" {
			_, port, _ := net.SplitHostPort(srv.Endpoint())
			path = filepath.Join(os.TempDir(), "apigateway-emulator-ca-"+port+".pem")
		}
		if err := os.WriteFile(path, ca, 0o644); err != nil {
			_ = srv.Close()
			return fmt.Errorf("writing the CA certificate: %w", err)
		}
		fmt.Fprintf(stdout, "ca certificate: %s (trust it with SSL_CERT_FILE or NODE_EXTRA_CA_CERTS)\n", path)
	}
	cfg.printCredentials(stdout, srv.Endpoint())
	<-ctx.Done()
	if err := srv.Close(); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	return nil
}
