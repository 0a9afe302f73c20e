package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator"
)

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
