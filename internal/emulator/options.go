package emulator

import (
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator/model"
)

// The default account exists whenever no WithAccount option is given, so `New()` and the binary with
// no flags accept requests signed with these credentials.
const (
	// DefaultAccountID is the account of the default credentials.
	DefaultAccountID = "1234567890123456"
	// DefaultAccessKeyID is the access key of the default account.
	DefaultAccessKeyID = "LTAI5tEmulatorDefaultKey"
	// DefaultAccessKeySecret is the secret of the default access key. It is public on purpose: the
	// emulator is a local test double and never holds real credentials.
	DefaultAccessKeySecret = "emulator-default-secret-do-not-use"
	// DefaultRegion is the region of requests that carry no RegionId (V3 requests never do).
	DefaultRegion = "cn-hangzhou"
)

const (
	defaultAddr        = "127.0.0.1:0"
	defaultMaxItems    = 100
	defaultMaxPageSize = 100
)

// Account is one tenant of the emulator: requests signed with AccessKeyID/AccessKeySecret act on
// the state of account ID. Several access keys may map to the same ID.
type Account struct {
	ID              string
	AccessKeyID     string
	AccessKeySecret string
}

// String never shows the secret, so an Account can be logged or printed in a test failure.
func (a Account) String() string {
	return fmt.Sprintf("Account{ID:%s AccessKeyID:%s}", a.ID, a.AccessKeyID)
}

// GoString is String, so that %#v (which ignores String) does not print the secret either.
func (a Account) GoString() string { return "emulator." + a.String() }

// Option configures a Server; see Start.
type Option func(*config)

// FaultKind names an injected fault.
type FaultKind string

// The fault kinds. Throttling answers 400 Throttling, ServiceUnavailable 503, InternalError 500,
// Drop closes the connection without an answer, ProxyNotFound answers 404 with an HTML page and no
// CloudAPI error code (a proxy or load balancer in front of the service), and Latency delays the
// request by Fault.Latency.
const (
	FaultThrottling         FaultKind = "Throttling"
	FaultServiceUnavailable FaultKind = "ServiceUnavailable"
	FaultInternalError      FaultKind = "InternalError"
	FaultDrop               FaultKind = "Drop"
	FaultProxyNotFound      FaultKind = "ProxyNotFound"
	FaultLatency            FaultKind = "Latency"
)

// Fault describes one injected failure. Faults apply to authenticated requests only, before the
// operation runs, so a faulted request never changes state.
type Fault struct {
	Action  string        // "" = every action
	Kind    FaultKind     // one of the Fault* constants
	Rate    float64       // probability per matching request (seeded RNG, see WithRandSeed)
	Count   int           // if > 0: fire on exactly the next Count matching requests, then stop
	Latency time.Duration // added delay for Kind == FaultLatency
}

// config holds every option. Zero values mean "default"; Start fills them in and validates.
type config struct {
	accounts    []Account
	addr        string
	region      string
	now         func() time.Time
	behaviour   model.Behaviour
	maxItems    int
	maxPageSize int
	stateFile   string
	seed        *Seed
	randSeed    int64
	faults      []Fault
	qps         float64
	burst       int
	latency     time.Duration
	requestLog  io.Writer
	tls         tlsSettings
	roles       []Role
}

// WithAccount adds an account. Repeatable; when none is given the default account (DefaultAccountID,
// DefaultAccessKeyID, DefaultAccessKeySecret) exists.
func WithAccount(a Account) Option { return func(c *config) { c.accounts = append(c.accounts, a) } }

// WithAddr sets the listen address; default "127.0.0.1:0" (loopback, any free port).
func WithAddr(addr string) Option { return func(c *config) { c.addr = addr } }

// WithRegion sets the region of requests that carry no RegionId parameter; default DefaultRegion.
func WithRegion(region string) Option { return func(c *config) { c.region = region } }

// WithClock replaces time.Now for timestamps, nonce expiry, STS expiry, visibility delay and
// created/modified times, so tests can move time without sleeping.
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// WithBehaviour selects the reading of the service where Alibaba documents nothing (see
// model.Behaviour and the manual, cmd/apigateway-emulator/README.md); it replaces an earlier
// WithVisibilityDelay.
func WithBehaviour(bh model.Behaviour) Option { return func(c *config) { c.behaviour = bh } }

// WithVisibilityDelay hides attachments from DescribeApiProductApis for d after they were made,
// imitating the real service's eventual consistency.
func WithVisibilityDelay(d time.Duration) Option {
	return func(c *config) { c.behaviour.AttachVisibilityDelay = d }
}

// WithMaxItemsPerCall bounds the Apis.N items of one AttachApiProduct/DetachApiProduct; default 100.
func WithMaxItemsPerCall(n int) Option { return func(c *config) { c.maxItems = n } }

// WithMaxPageSize bounds PageSize of the Describe operations; default 100. Below 10 it also lowers the
// default PageSize (10) to n.
func WithMaxPageSize(n int) Option { return func(c *config) { c.maxPageSize = n } }

// WithStateFile persists state to path (atomically, debounced) and restores it on start.
func WithStateFile(path string) Option { return func(c *config) { c.stateFile = path } }

// WithSeedData declares accounts, groups, APIs and deployments created at start, unless the state
// file already held state.
func WithSeedData(seed *Seed) Option { return func(c *config) { c.seed = seed } }

// WithRandSeed makes rate-based faults deterministic for a given request order.
func WithRandSeed(n int64) Option { return func(c *config) { c.randSeed = n } }

// WithFaults activates faults from the start; InjectFault adds more later.
func WithFaults(f ...Fault) Option { return func(c *config) { c.faults = append(c.faults, f...) } }

// WithQPSLimit enables a per-account token bucket; requests over it get Throttling.User with an
// x-ratelimit-user TimeLeft hint. burst < 1 means one second's worth of tokens.
func WithQPSLimit(qps float64, burst int) Option {
	return func(c *config) { c.qps, c.burst = qps, burst }
}

// WithLatency delays every authenticated request by d.
func WithLatency(d time.Duration) Option { return func(c *config) { c.latency = d } }

// WithRequestLog writes one line per request to w (time, action, account, status, code, latency).
// Secrets, signatures and tokens are never written. Default: no log.
func WithRequestLog(w io.Writer) Option { return func(c *config) { c.requestLog = w } }

// buildConfig applies opts over the defaults and rejects impossible values, so Start fails early
// instead of serving something the caller did not ask for.
func buildConfig(opts []Option) (*config, error) {
	c := &config{}
	for _, o := range opts {
		if o != nil {
			o(c)
		}
	}
	if c.addr == "" {
		c.addr = defaultAddr
	}
	if _, _, err := net.SplitHostPort(c.addr); err != nil {
		return nil, fmt.Errorf("emulator: listen address %q: %w", c.addr, err)
	}
	if c.region == "" {
		c.region = DefaultRegion
	}
	if !model.ValidRegion(c.region) {
		return nil, fmt.Errorf("emulator: region %q is not a valid region id", c.region)
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.maxItems == 0 {
		c.maxItems = defaultMaxItems
	}
	if c.maxPageSize == 0 {
		c.maxPageSize = defaultMaxPageSize
	}
	var errs []error
	if c.maxItems < 0 {
		errs = append(errs, fmt.Errorf("emulator: max items per call %d must be positive", c.maxItems))
	}
	if c.maxPageSize < 0 {
		errs = append(errs, fmt.Errorf("emulator: max page size %d must be positive", c.maxPageSize))
	}
	if err := c.behaviour.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("emulator: behaviour: %w", err))
	}
	if c.latency < 0 {
		errs = append(errs, fmt.Errorf("emulator: latency %s must not be negative", c.latency))
	}
	if c.qps < 0 {
		errs = append(errs, fmt.Errorf("emulator: QPS limit %g must not be negative", c.qps))
	}
	for i, f := range c.faults {
		if err := validateFault(f); err != nil {
			errs = append(errs, fmt.Errorf("emulator: fault %d: %w", i+1, err))
		}
	}
	for _, r := range c.roles {
		if err := validateRole(r); err != nil {
			errs = append(errs, fmt.Errorf("emulator: %w", err))
		}
	}
	if len(c.accounts) == 0 {
		c.accounts = []Account{{ID: DefaultAccountID, AccessKeyID: DefaultAccessKeyID, AccessKeySecret: DefaultAccessKeySecret}}
	}
	seen := make(map[string]bool, len(c.accounts))
	for _, a := range c.accounts {
		if err := validateAccount(a); err != nil {
			errs = append(errs, err)
			continue
		}
		if seen[a.AccessKeyID] {
			errs = append(errs, fmt.Errorf("emulator: access key %q is configured twice", a.AccessKeyID))
		}
		seen[a.AccessKeyID] = true
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return c, nil
}

func validateAccount(a Account) error {
	switch {
	case a.ID == "":
		return fmt.Errorf("emulator: account with access key %q has no ID", a.AccessKeyID)
	case a.AccessKeyID == "":
		return fmt.Errorf("emulator: account %q has no access key id", a.ID)
	case a.AccessKeySecret == "":
		return fmt.Errorf("emulator: account %q (access key %q) has no secret", a.ID, a.AccessKeyID)
	}
	return nil
}

func validateFault(f Fault) error {
	switch f.Kind {
	case FaultThrottling, FaultServiceUnavailable, FaultInternalError, FaultDrop, FaultProxyNotFound, FaultLatency:
	default:
		return fmt.Errorf("unknown kind %q (want Throttling, ServiceUnavailable, InternalError, Drop, ProxyNotFound or Latency)", f.Kind)
	}
	if f.Rate < 0 || f.Rate > 1 {
		return fmt.Errorf("rate %g outside [0,1]", f.Rate)
	}
	if f.Count < 0 {
		return fmt.Errorf("count %d must not be negative", f.Count)
	}
	if f.Latency < 0 {
		return fmt.Errorf("latency %s must not be negative", f.Latency)
	}
	return nil
}
