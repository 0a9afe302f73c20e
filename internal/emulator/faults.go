package emulator

import (
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Messages mirror the wording Alibaba's gateway uses in public fixtures; clients key on the code, not
// on these strings.
const (
	msgThrottlingUser     = "Request was denied due to user flow control."
	msgThrottling         = "Request was denied due to request throttling."
	msgServiceUnavailable = "The request has failed due to a temporary failure of the server."
	msgInternalError      = "The request processing has failed due to some unknown error, exception or failure."
)

// faultDecision is what the handler must do with one authenticated request before running the
// operation: sleep Delay (always, even when failing), then either close the connection without a
// response (Drop), answer Err, or proceed normally.
type faultDecision struct {
	Err  *apiError
	Drop bool
	// ProxyNotFound: answer 404 with an HTML page and no CloudAPI code (writeProxyNotFound).
	ProxyNotFound bool
	Delay         time.Duration
}

// faultInjector holds the per-account token buckets and the active fault list. One mutex guards both
// and the RNG: decisions are cheap, and a single lock keeps rate-based faults reproducible for a
// given request order and seed.
type faultInjector struct {
	mu      sync.Mutex
	now     func() time.Time
	qps     float64
	burst   float64
	latency time.Duration
	rng     *rand.Rand
	buckets map[string]*tokenBucket
	faults  []*activeFault
	// proxyEvery is model.Behaviour.ProxyNotFoundEvery; requests counts the requests it applies to.
	proxyEvery, requests int
}

type tokenBucket struct {
	tokens float64
	last   time.Time
}

// activeFault is a Fault plus its remaining budget when Count-based.
type activeFault struct {
	Fault
	remaining int
}

func newFaultInjector(cfg *config) *faultInjector {
	f := &faultInjector{
		now:     cfg.now,
		qps:     cfg.qps,
		latency: cfg.latency,
		// PCG seeded from randSeed alone: the same seed and request order give the same faults.
		rng:        rand.New(rand.NewPCG(uint64(cfg.randSeed), 0x9e3779b97f4a7c15)),
		buckets:    make(map[string]*tokenBucket),
		proxyEvery: cfg.behaviour.ProxyNotFoundEvery,
	}
	if f.now == nil {
		f.now = time.Now
	}
	if f.qps > 0 {
		// A burst below one token would throttle every request forever; default to one second's worth.
		f.burst = float64(cfg.burst)
		if f.burst < 1 {
			f.burst = math.Max(1, math.Ceil(f.qps))
		}
	}
	for _, ft := range cfg.faults {
		f.add(ft)
	}
	return f
}

// add activates a fault. Count > 0 makes it fire on exactly the next Count matching requests (Rate is
// then ignored); otherwise it fires with probability Rate. A Latency fault with neither Count nor Rate
// applies to every matching request, since its magnitude is already given by Latency. Faults with an
// unknown Kind never fire.
func (f *faultInjector) add(ft Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = append(f.faults, &activeFault{Fault: ft, remaining: ft.Count})
}

// clear removes every fault, configured or injected. Token buckets and the base latency stay: they are
// limits of the emulated service, not injected faults.
func (f *faultInjector) clear() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = nil
}

// decide runs the QPS limit, then the faults in the order they were added. Once an error or drop has
// been chosen, later error faults are not evaluated, so their Count budgets and RNG draws are not
// consumed by a request that already fails; Latency faults are always evaluated.
func (f *faultInjector) decide(action, accountID string) faultDecision {
	f.mu.Lock()
	defer f.mu.Unlock()
	d := faultDecision{Delay: f.latency}
	if f.proxyEvery >= 2 {
		// The proxy is in front of the service: its answers spend no token.
		if f.requests++; f.requests%f.proxyEvery == 0 {
			d.ProxyNotFound = true
			return d
		}
	}
	if f.qps > 0 {
		if err := f.takeToken(accountID); err != nil {
			d.Err = err
			return d
		}
	}
	if len(f.faults) == 0 {
		return d
	}
	kept := f.faults[:0]
	for _, ft := range f.faults {
		if ft.Action == "" || ft.Action == action {
			if ft.Kind == FaultLatency {
				if f.fires(ft) {
					d.Delay += ft.Latency
				}
			} else if d.Err == nil && !d.Drop && !d.ProxyNotFound && isErrorKind(ft.Kind) && f.fires(ft) {
				switch ft.Kind {
				case FaultDrop:
					d.Drop = true
				case FaultProxyNotFound:
					d.ProxyNotFound = true
				default:
					d.Err = faultError(ft.Kind)
				}
			}
		}
		// A Count fault that has used its budget is gone for good; dropping it keeps decide cheap.
		if ft.Count > 0 && ft.remaining <= 0 {
			continue
		}
		kept = append(kept, ft)
	}
	clear(f.faults[len(kept):])
	f.faults = kept
	return d
}

// fires reports whether ft applies to this request and consumes its budget. Caller holds f.mu.
func (f *faultInjector) fires(ft *activeFault) bool {
	switch {
	case ft.Count > 0:
		if ft.remaining <= 0 {
			return false
		}
		ft.remaining--
		return true
	case ft.Rate >= 1:
		return true
	case ft.Rate > 0:
		return f.rng.Float64() < ft.Rate
	default:
		return ft.Kind == FaultLatency
	}
}

// takeToken debits the account's bucket, refilled continuously at qps up to burst. Caller holds f.mu.
func (f *faultInjector) takeToken(accountID string) *apiError {
	now := f.now()
	b := f.buckets[accountID]
	if b == nil {
		b = &tokenBucket{tokens: f.burst, last: now}
		f.buckets[accountID] = b
	}
	// A clock that moves backwards (fake clocks in tests) must not drain the bucket.
	if elapsed := now.Sub(b.last); elapsed > 0 {
		b.tokens = math.Min(f.burst, b.tokens+elapsed.Seconds()*f.qps)
		b.last = now
	}
	// The epsilon absorbs float drift from many small refills, so a token due at t is there at t.
	const epsilon = 1e-9
	if b.tokens >= 1-epsilon {
		b.tokens = math.Max(0, b.tokens-1)
		return nil
	}
	ms := int64(math.Ceil((1-b.tokens)/f.qps*1000 - 1e-6))
	if ms < 1 {
		ms = 1
	}
	e := newAPIError(http.StatusBadRequest, "Throttling.User", msgThrottlingUser)
	if e.Header == nil {
		e.Header = make(http.Header)
	}
	// darabonba's GetThrottlingTimeLeft splits on "," then ":" and reads TimeLeft in milliseconds, so
	// no value may itself contain ':' (Reset is therefore epoch milliseconds, not a timestamp).
	e.Header.Set("x-ratelimit-user", fmt.Sprintf("Limit:%d,Remain:0,TimeLeft:%d,Reset:%d",
		int64(f.burst), ms, now.Add(time.Duration(ms)*time.Millisecond).UnixMilli()))
	return e
}

func isErrorKind(k FaultKind) bool {
	switch k {
	case FaultThrottling, FaultServiceUnavailable, FaultInternalError, FaultDrop, FaultProxyNotFound:
		return true
	}
	return false
}

// outcomeProxyNotFound is the RequestCount outcome of a request answered by writeProxyNotFound.
const outcomeProxyNotFound = "ProxyNotFound"

// writeProxyNotFound answers as a proxy or load balancer in front of the service might when it
// cannot route a request: 404, an HTML page, no CloudAPI error code and no request id.
func writeProxyNotFound(w http.ResponseWriter) {
	const page = "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n</body>\r\n</html>\r\n"
	w.Header().Set("Content-Type", "text/html")
	w.Header().Set("Content-Length", strconv.Itoa(len(page)))
	w.WriteHeader(http.StatusNotFound)
	_, _ = w.Write([]byte(page))
}

func faultError(k FaultKind) *apiError {
	switch k {
	case FaultThrottling:
		return newAPIError(http.StatusBadRequest, "Throttling", msgThrottling)
	case FaultServiceUnavailable:
		return newAPIError(http.StatusServiceUnavailable, "ServiceUnavailable", msgServiceUnavailable)
	default:
		return newAPIError(http.StatusInternalServerError, "InternalError", msgInternalError)
	}
}
