// Command apigateway-emulator serves an emulated Alibaba Cloud API Gateway (CloudAPI 2016-07-14)
// OpenAPI endpoint that the official SDKs accept unchanged. Point an SDK at the printed host:port with
// protocol HTTP and the printed credentials.
//
// The first line on stdout is always "listening on http://HOST:PORT" (https with --tls, followed by
// "ca certificate: FILE" naming the private CA to trust); the credentials it accepts follow. One line per request is logged to stderr. SIGINT or SIGTERM stops it gracefully: in-flight
// requests finish and the state file is flushed before it exits 0.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator"
	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator/model"
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

// cliConfig is the parsed command line.
type cliConfig struct {
	listen, region, seedFile, stateFile string

	accessKeyID, accessKeySecret string
	secretGenerated              bool
	seed                         *emulator.Seed

	qps      float64
	burst    int
	faults   []emulator.Fault
	latency  time.Duration
	visDelay time.Duration
	// The reading of the undocumented service (model.Behaviour).
	unknownProduct  string
	refuseDetach    bool
	refuseDuplicate bool
	detachVisDelay  time.Duration
	capPage         int
	refusePageAbove int
	lockEvery       int
	lockApplied     bool
	proxyEvery      int
	maxItems        int
	maxPage         int
	randSeed        int64
	setFlags        map[string]bool

	tls             bool
	tlsCert, tlsKey string
	caFile          string
}

func parseArgs(args []string, stderr io.Writer) (*cliConfig, error) {
	c := &cliConfig{setFlags: map[string]bool{}}
	fs := flag.NewFlagSet("apigateway-emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: apigateway-emulator [flags]\n\n"+
			"Serves an emulated Alibaba Cloud API Gateway (CloudAPI 2016-07-14) endpoint.\n"+
			"SDK settings: Endpoint = the printed HOST:PORT (no scheme), Protocol = HTTP.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	var (
		rates = map[emulator.FaultKind]*float64{
			emulator.FaultThrottling:         new(float64),
			emulator.FaultServiceUnavailable: new(float64),
			emulator.FaultInternalError:      new(float64),
			emulator.FaultDrop:               new(float64),
		}
		faults faultFlag
	)
	fs.StringVar(&c.listen, "listen", "127.0.0.1:8080", "`address` to listen on, HOST:PORT; an empty HOST (\":8080\") means 127.0.0.1,\n"+
		"name 0.0.0.0 or [::] to listen on every interface; port 0 picks a free port")
	// The environment is applied after parsing, not as the flag default: flag would print a default
	// secret in --help.
	fs.StringVar(&c.accessKeyID, "access-key-id", "",
		"access key id to accept (default $"+envAccessKeyID+" or "+emulator.DefaultAccessKeyID+")")
	fs.StringVar(&c.accessKeySecret, "access-key-secret", "",
		"its secret (default $"+envAccessKeySecret+", else a generated one that is printed)")
	fs.StringVar(&c.region, "region", emulator.DefaultRegion, "region of requests that carry no RegionId")
	fs.StringVar(&c.seedFile, "seed", "", "JSON `file` declaring accounts, groups, APIs and deployments to create at start")
	fs.StringVar(&c.stateFile, "state-file", "", "`file` the state is persisted to and restored from (default: memory only)")
	fs.Float64Var(&c.qps, "qps", 0, "per-account request rate limit; excess requests get Throttling.User (0 = unlimited)")
	fs.IntVar(&c.burst, "burst", 0, "token bucket size for --qps (default: one second's worth)")
	fs.Var(&faults, "fault", "inject a fault, repeatable: `ACTION:KIND:VALUE`; ACTION empty or * = every action;\n"+
		"KIND Throttling, ServiceUnavailable, InternalError, Drop or ProxyNotFound (404 without a CloudAPI code)\n"+
		"with VALUE a rate in (0,1] or count=N (the next N matching requests);\n"+
		"or KIND Latency with VALUE a duration, optionally :RATE")
	fs.Float64Var(rates[emulator.FaultThrottling], "throttle-rate", 0, "fraction of all requests answered Throttling")
	fs.Float64Var(rates[emulator.FaultServiceUnavailable], "unavailable-rate", 0, "fraction of all requests answered 503 ServiceUnavailable")
	fs.Float64Var(rates[emulator.FaultInternalError], "internal-error-rate", 0, "fraction of all requests answered 500 InternalError")
	fs.Float64Var(rates[emulator.FaultDrop], "drop-rate", 0, "fraction of all requests whose connection is closed without an answer")
	fs.DurationVar(&c.latency, "latency", 0, "delay added to every request")
	fs.DurationVar(&c.visDelay, "visibility-delay", 0, "time a fresh attachment stays invisible to DescribeApiProductApis")
	fs.StringVar(&c.unknownProduct, "unknown-product", "not-found", "how an unknown API product is answered where Alibaba documents nothing:\n"+
		"not-found (NotFoundApiProduct, 404), empty (an empty listing, TotalCount 0) or other-code (400 EntityNotExist.ApiProduct)")
	fs.BoolVar(&c.refuseDetach, "refuse-detach-unattached", false, "DetachApiProduct of a pair that is not attached fails (400 ApiNotAttached) instead of succeeding")
	fs.BoolVar(&c.refuseDuplicate, "refuse-duplicate-attach", false, "AttachApiProduct of a pair already attached fails (400 ApiAlreadyAttached) instead of succeeding")
	fs.DurationVar(&c.detachVisDelay, "detach-visibility-delay", 0, "time a detached attachment stays visible to DescribeApiProductApis")
	fs.IntVar(&c.capPage, "cap-page-size", 0, "every Describe listing answers at most `N` items per page, whatever PageSize asks\n"+
		"(TotalCount stays true), like a service with a lower page limit than clients assume (0 = no cap)")
	fs.IntVar(&c.refusePageAbove, "refuse-page-size-above", 0, "a PageSize above `N` is refused with 400 InvalidParameter (0 = only --max-page-size applies)")
	fs.IntVar(&c.lockEvery, "lock-timeout-every", 0, "every `N`th write to an API product (N >= 2, counted per product) is refused with\n"+
		"400 ConcurrencyLockTimeout and changes nothing, as the service answers concurrent writes to one object (0 = never)")
	fs.BoolVar(&c.lockApplied, "lock-timeout-after-apply", false, "with --lock-timeout-every: the refused write was applied before the lock timeout was answered\n"+
		"(the other reading of an undocumented answer; default: nothing changed)")
	fs.IntVar(&c.proxyEvery, "proxy-not-found-every", 0, "every `N`th request (N >= 2) is answered 404 with an HTML page and no CloudAPI error code,\n"+
		"as a proxy in front of the service might; the request never reaches the service (0 = never)")
	fs.IntVar(&c.maxItems, "max-items", 0, "maximum Apis.N items per AttachApiProduct/DetachApiProduct call (default 100)")
	fs.IntVar(&c.maxPage, "max-page-size", 0, "maximum PageSize of Describe operations (default 100)")
	fs.BoolVar(&c.tls, "tls", false, "serve HTTPS with a certificate from a private CA created at start (see --ca-file); default HTTP")
	fs.StringVar(&c.tlsCert, "tls-cert", "", "with --tls: PEM certificate `file` (chain) to serve instead of a generated one")
	fs.StringVar(&c.tlsKey, "tls-key", "", "with --tls-cert: its PEM private key `file`")
	fs.StringVar(&c.caFile, "ca-file", "", "with --tls: `file` the private CA certificate is written to, for SSL_CERT_FILE or\n"+
		"NODE_EXTRA_CA_CERTS (default: apigateway-emulator-ca-PORT.pem in the temporary directory)")
	fs.Int64Var(&c.randSeed, "rand-seed", 0, "seed of the random source behind rate-based faults (same seed, same faults)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, usageError{err}
	}
	fs.Visit(func(f *flag.Flag) { c.setFlags[f.Name] = true })
	if fs.NArg() > 0 {
		err := fmt.Errorf("unexpected argument %q", fs.Arg(0))
		fmt.Fprintln(stderr, err)
		fs.Usage()
		return nil, usageError{err}
	}
	var errs []error
	if addr, err := listenAddr(c.listen); err != nil {
		errs = append(errs, err)
	} else {
		c.listen = addr
	}
	if c.burst != 0 && c.qps == 0 {
		errs = append(errs, errors.New("--burst needs --qps"))
	}
	if c.qps < 0 || c.burst < 0 {
		errs = append(errs, errors.New("--qps and --burst must not be negative"))
	}
	if c.visDelay < 0 || c.detachVisDelay < 0 {
		errs = append(errs, errors.New("--visibility-delay and --detach-visibility-delay must not be negative"))
	}
	if c.capPage < 0 || c.refusePageAbove < 0 {
		errs = append(errs, errors.New("--cap-page-size and --refuse-page-size-above must not be negative"))
	}
	if c.lockEvery < 0 || c.lockEvery == 1 || c.proxyEvery < 0 || c.proxyEvery == 1 {
		errs = append(errs, errors.New("--lock-timeout-every and --proxy-not-found-every must be 0 (never) or at least 2"))
	}
	if c.lockApplied && c.lockEvery == 0 {
		errs = append(errs, errors.New("--lock-timeout-after-apply needs --lock-timeout-every"))
	}
	for _, kind := range []emulator.FaultKind{emulator.FaultThrottling, emulator.FaultServiceUnavailable,
		emulator.FaultInternalError, emulator.FaultDrop} {
		r := *rates[kind]
		if r < 0 || r > 1 {
			errs = append(errs, fmt.Errorf("%s rate %g is outside [0,1]", kind, r))
		} else if r > 0 {
			c.faults = append(c.faults, emulator.Fault{Kind: kind, Rate: r})
		}
	}
	c.faults = append(c.faults, faults...)
	if err := errors.Join(errs...); err != nil {
		fmt.Fprintln(stderr, err)
		return nil, usageError{err}
	}

	if !c.setFlags["access-key-id"] {
		c.accessKeyID = os.Getenv(envAccessKeyID)
	}
	if !c.setFlags["access-key-secret"] {
		c.accessKeySecret = os.Getenv(envAccessKeySecret)
	}
	if c.accessKeyID == "" {
		c.accessKeyID = emulator.DefaultAccessKeyID
	}
	if c.accessKeySecret == "" {
		secret, err := generateSecret()
		if err != nil {
			return nil, err
		}
		c.accessKeySecret, c.secretGenerated = secret, true
	}
	if c.seedFile != "" {
		seed, err := emulator.LoadSeedFile(c.seedFile)
		if err != nil {
			return nil, err
		}
		c.seed = seed
	}
	return c, nil
}

// listenAddr makes an empty host mean loopback. net.Listen would bind every interface for ":8080",
// and the emulator accepts any signature made with its printed credentials, so it is reachable from
// other machines only when an address such as 0.0.0.0 or [::] is named explicitly.
func listenAddr(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("--listen %q: want HOST:PORT: %w", addr, err)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port), nil
}

// options turns the command line into emulator options. Only flags given explicitly are passed, so
// the library's defaults stay the single source of truth.
func (c *cliConfig) options() ([]emulator.Option, error) {
	opts := []emulator.Option{
		emulator.WithAddr(c.listen),
		emulator.WithRegion(c.region),
		emulator.WithAccount(emulator.Account{
			ID: emulator.DefaultAccountID, AccessKeyID: c.accessKeyID, AccessKeySecret: c.accessKeySecret,
		}),
	}
	if c.seed != nil {
		opts = append(opts, emulator.WithSeedData(c.seed))
	}
	if c.stateFile != "" {
		opts = append(opts, emulator.WithStateFile(c.stateFile))
	}
	if c.qps > 0 {
		opts = append(opts, emulator.WithQPSLimit(c.qps, c.burst))
	}
	if len(c.faults) > 0 {
		opts = append(opts, emulator.WithFaults(c.faults...))
	}
	if c.setFlags["latency"] {
		opts = append(opts, emulator.WithLatency(c.latency))
	}
	answer, ok := model.UnknownProductAnswers[c.unknownProduct]
	if !ok {
		return nil, usageError{fmt.Errorf("--unknown-product %q: want not-found, empty or other-code", c.unknownProduct)}
	}
	opts = append(opts, emulator.WithBehaviour(model.Behaviour{
		UnknownProduct:         answer,
		RefuseDetachUnattached: c.refuseDetach,
		RefuseDuplicateAttach:  c.refuseDuplicate,
		AttachVisibilityDelay:  c.visDelay,
		DetachVisibilityDelay:  c.detachVisDelay,
		CapPageSize:            c.capPage,
		RefusePageSizeAbove:    c.refusePageAbove,
		LockTimeoutEvery:       c.lockEvery,
		LockTimeoutAfterApply:  c.lockApplied,
		ProxyNotFoundEvery:     c.proxyEvery,
	}))
	if c.setFlags["max-items"] {
		if c.maxItems <= 0 {
			return nil, usageError{fmt.Errorf("--max-items %d must be positive", c.maxItems)}
		}
		opts = append(opts, emulator.WithMaxItemsPerCall(c.maxItems))
	}
	if c.setFlags["max-page-size"] {
		if c.maxPage <= 0 {
			return nil, usageError{fmt.Errorf("--max-page-size %d must be positive", c.maxPage)}
		}
		opts = append(opts, emulator.WithMaxPageSize(c.maxPage))
	}
	if c.setFlags["rand-seed"] {
		opts = append(opts, emulator.WithRandSeed(c.randSeed))
	}
	switch {
	case !c.tls && (c.tlsCert != "" || c.tlsKey != "" || c.caFile != ""):
		return nil, usageError{errors.New("--tls-cert, --tls-key and --ca-file need --tls")}
	case c.tls && (c.tlsCert != "") != (c.tlsKey != ""):
		return nil, usageError{errors.New("--tls-cert and --tls-key go together")}
	case c.tls && c.tlsCert != "" && c.caFile != "":
		return nil, usageError{errors.New("--ca-file is for the generated CA; with --tls-cert the client trusts your own CA")}
	case c.tls && c.tlsCert != "":
		opts = append(opts, emulator.WithTLSFiles(c.tlsCert, c.tlsKey))
	case c.tls:
		opts = append(opts, emulator.WithTLS(nil))
	}
	return opts, nil
}

// printCredentials says which keys the emulator accepts. A secret is printed only when it was
// generated here: the user cannot know it otherwise, and it protects nothing real.
func (c *cliConfig) printCredentials(w io.Writer, endpoint string) {
	fmt.Fprintf(w, "access key id: %s\n", c.accessKeyID)
	if c.secretGenerated {
		fmt.Fprintf(w, "access key secret: %s (generated; set --access-key-secret or $%s to choose one)\n",
			c.accessKeySecret, envAccessKeySecret)
	} else {
		fmt.Fprintln(w, "access key secret: (as given)")
	}
	fmt.Fprintf(w, "account: %s, region: %s, SDK endpoint: %s (protocol HTTP)\n",
		emulator.DefaultAccountID, c.region, endpoint)
	if c.seed != nil {
		for _, a := range c.seed.Accounts {
			if a.AccessKeyID != "" && a.AccessKeyID != c.accessKeyID {
				fmt.Fprintf(w, "access key id: %s (account %s; secret from %s)\n", a.AccessKeyID, a.ID, c.seedFile)
			}
		}
	}
}

func generateSecret() (string, error) {
	b := make([]byte, 15)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generating an access key secret: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// faultFlag collects repeated --fault values.
type faultFlag []emulator.Fault

func (f *faultFlag) String() string {
	if f == nil {
		return ""
	}
	parts := make([]string, len(*f))
	for i, ft := range *f {
		parts[i] = fmt.Sprintf("%s:%s", ft.Action, ft.Kind)
	}
	return strings.Join(parts, ",")
}

func (f *faultFlag) Set(v string) error {
	ft, err := parseFault(v)
	if err != nil {
		return err
	}
	*f = append(*f, ft)
	return nil
}

// parseFault reads ACTION:KIND:VALUE (see the --fault usage). Kinds are matched case-insensitively
// because they are typed by hand.
func parseFault(v string) (emulator.Fault, error) {
	parts := strings.Split(v, ":")
	if len(parts) < 3 {
		return emulator.Fault{}, fmt.Errorf("%q: want ACTION:KIND:VALUE", v)
	}
	action := parts[0]
	if action == "*" {
		action = ""
	}
	var kind emulator.FaultKind
	for _, k := range []emulator.FaultKind{emulator.FaultThrottling, emulator.FaultServiceUnavailable,
		emulator.FaultInternalError, emulator.FaultDrop, emulator.FaultProxyNotFound, emulator.FaultLatency} {
		if strings.EqualFold(parts[1], string(k)) {
			kind = k
		}
	}
	if kind == "" {
		return emulator.Fault{}, fmt.Errorf("%q: unknown kind %q (want Throttling, ServiceUnavailable, InternalError, Drop, ProxyNotFound or Latency)", v, parts[1])
	}
	ft := emulator.Fault{Action: action, Kind: kind}
	if kind == emulator.FaultLatency {
		if len(parts) > 4 {
			return emulator.Fault{}, fmt.Errorf("%q: want ACTION:Latency:DURATION[:RATE]", v)
		}
		d, err := time.ParseDuration(parts[2])
		if err != nil || d <= 0 {
			return emulator.Fault{}, fmt.Errorf("%q: latency %q is not a positive duration such as 200ms", v, parts[2])
		}
		ft.Latency = d
		if len(parts) == 4 {
			r, err := parseRate(parts[3])
			if err != nil {
				return emulator.Fault{}, fmt.Errorf("%q: %w", v, err)
			}
			ft.Rate = r
		}
		return ft, nil
	}
	if len(parts) != 3 {
		return emulator.Fault{}, fmt.Errorf("%q: want ACTION:KIND:RATE or ACTION:KIND:count=N", v)
	}
	if n, ok := strings.CutPrefix(parts[2], "count="); ok {
		count, err := strconv.Atoi(n)
		if err != nil || count <= 0 {
			return emulator.Fault{}, fmt.Errorf("%q: count %q is not a positive integer", v, n)
		}
		ft.Count = count
		return ft, nil
	}
	r, err := parseRate(parts[2])
	if err != nil {
		return emulator.Fault{}, fmt.Errorf("%q: %w", v, err)
	}
	ft.Rate = r
	return ft, nil
}

func parseRate(s string) (float64, error) {
	r, err := strconv.ParseFloat(s, 64)
	if err != nil || r <= 0 || r > 1 {
		return 0, fmt.Errorf("rate %q is not a number in (0,1]", s)
	}
	return r, nil
}
