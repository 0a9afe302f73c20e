package cloudapi

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// probeHTTPClient implements dara.HttpClient. darabonba converts error responses into
// *tea.SDKError and drops the response headers on the way (including the x-ratelimit-* TimeLeft
// hint), so each attempt carries an attemptProbe in its context and we record what we need here.
type probeHTTPClient struct {
	hc *http.Client
}

func newProbeHTTPClient(connectTimeout, readTimeout time.Duration) *probeHTTPClient {
	transport := &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{
			Timeout:   connectTimeout,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   connectTimeout,
		ResponseHeaderTimeout: readTimeout,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          32,
		MaxIdleConnsPerHost:   16,
		IdleConnTimeout:       90 * time.Second,
	}
	return &probeHTTPClient{hc: &http.Client{
		Transport: transport,
		// Bounds one attempt; the caller's context bounds the whole operation.
		Timeout: connectTimeout + readTimeout,
	}}
}

// Call ignores the per-request transport darabonba builds (a fresh one per request, which would
// defeat connection reuse) and uses ours.
func (p *probeHTTPClient) Call(req *http.Request, _ *http.Transport) (*http.Response, error) {
	resp, err := p.hc.Do(req)
	if probe, ok := req.Context().Value(probeKey{}).(*attemptProbe); ok {
		probe.observe(resp)
	}
	return resp, err
}

type probeKey struct{}

// attemptProbe holds what the transport saw during one attempt.
type attemptProbe struct {
	mu         sync.Mutex
	status     int
	retryAfter time.Duration
	requestID  string
}

func withProbe(ctx context.Context, p *attemptProbe) context.Context {
	return context.WithValue(ctx, probeKey{}, p)
}

func (p *attemptProbe) observe(resp *http.Response) {
	if resp == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.status = resp.StatusCode
	p.retryAfter = throttlingTimeLeft(resp.Header)
	p.requestID = resp.Header.Get("x-acs-request-id")
}

func (p *attemptProbe) snapshot() (status int, retryAfter time.Duration, requestID string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.status, p.retryAfter, p.requestID
}

// throttlingTimeLeft reads the TimeLeft hint (milliseconds) the way darabonba does: from
// x-ratelimit-user-api and x-ratelimit-user ("Limit:10,Remain:0,TimeLeft:650,Reset:..."),
// taking the larger.
func throttlingTimeLeft(h http.Header) time.Duration {
	var best int64
	for _, name := range []string{"x-ratelimit-user-api", "x-ratelimit-user"} {
		for _, pair := range strings.Split(h.Get(name), ",") {
			k, v, ok := strings.Cut(strings.TrimSpace(pair), ":")
			if !ok || strings.TrimSpace(k) != "TimeLeft" {
				continue
			}
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err == nil && n > best {
				best = n
			}
		}
	}
	if best > maxTimeLeftMS {
		best = maxTimeLeftMS
	}
	return time.Duration(best) * time.Millisecond
}

// maxTimeLeftMS keeps an absurd hint from overflowing; the retry loop caps it further.
const maxTimeLeftMS = int64(time.Hour / time.Millisecond)
