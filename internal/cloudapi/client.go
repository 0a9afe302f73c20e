// Package cloudapi is the provider's client layer over the official Alibaba Cloud API Gateway
// (CloudAPI 2016-07-14) SDK. It adds what the SDK lacks for a Terraform provider: one retry loop
// that understands throttling and transient failures and respects the operation's deadline,
// error classification helpers, complete pagination, and debug logs that never carry secrets.
package cloudapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	cloudapiclient "github.com/alibabacloud-go/cloudapi-20160714/v5/client"
	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/aliyun/credentials-go/credentials"
)

const (
	// ProtocolHTTPS is the default transport protocol.
	ProtocolHTTPS = "HTTPS"
	// ProtocolHTTP is meant for a local emulator.
	ProtocolHTTP = "HTTP"

	defaultConnectTimeout = 10 * time.Second
	defaultReadTimeout    = 30 * time.Second

	endpointForm = "host[:port] (for example apigateway.cn-hangzhou.aliyuncs.com or 127.0.0.1:8080), optionally prefixed by http:// or https://"
)

// Config configures a Client. Only Credential and either RegionID or Endpoint are required.
type Config struct {
	// RegionID selects the default endpoint apigateway.<region>.aliyuncs.com.
	RegionID string
	// Endpoint overrides the endpoint: "host[:port]". A scheme is tolerated and, when present,
	// decides the protocol (it must then agree with Protocol if that is set too).
	Endpoint string
	// Protocol is "HTTPS" (default) or "HTTP" (for a local emulator); case-insensitive.
	Protocol string
	// Credential signs every request; it is asked for keys lazily, at call time.
	Credential credentials.Credential
	// UserAgent is appended to the SDK's user agent.
	UserAgent string
	// Retry controls the retry loop; zero fields take the values of DefaultRetryPolicy.
	Retry RetryPolicy
	// DisableBatchingAndSharing sends every AttachAPI and DetachAPI as a call of its own, makes
	// every ListProductAPIs and FindAttachment page through the product on its own and every
	// LookupAPI call DescribeApi: the naive baseline for benchmarks, and an escape hatch.
	DisableBatchingAndSharing bool
}

// Client calls CloudAPI operations through the typed SDK, each call through the retry loop.
// It is safe for concurrent use.
type Client struct {
	sdkConfig func() *openapi.Config
	// sdkClients holds idle SDK clients. The SDK client is not safe for concurrent use (every
	// RPC call does a read-and-clear of a shared header map, GetRpcHeaders), so each attempt
	// checks one out; they share our HTTP client and connections, and build without I/O.
	sdkClients sync.Pool
	retry      RetryPolicy
	// Sharing between calls (nil when disabled): product listings and the client's own writes,
	// API details, and the batching of single-item writes.
	snapshots *productSnapshots
	catalog   *apiCatalog
	writes    *writeBatcher
	endpoint  string
	protocol  string
	region    string
}

// New validates cfg and builds a Client. It performs no network I/O (credentials are resolved
// at the first call).
func New(cfg Config) (*Client, error) {
	if cfg.Credential == nil {
		return nil, errors.New("cloudapi: no credentials configured: set an access key and secret, a profile, an assumed role or an ECS role")
	}

	protocol := strings.ToUpper(strings.TrimSpace(cfg.Protocol))
	if protocol != "" && protocol != ProtocolHTTP && protocol != ProtocolHTTPS {
		return nil, fmt.Errorf("cloudapi: invalid protocol %q: expected HTTPS or HTTP", cfg.Protocol)
	}

	region := strings.TrimSpace(cfg.RegionID)
	if region != "" && !validRegion(region) {
		return nil, fmt.Errorf("cloudapi: invalid region %q: expected a region ID such as cn-hangzhou", cfg.RegionID)
	}

	var endpoint string
	if cfg.Endpoint != "" {
		hostPort, scheme, err := ParseEndpoint(cfg.Endpoint)
		if err != nil {
			return nil, fmt.Errorf("cloudapi: %w", err)
		}
		if scheme != "" {
			if protocol != "" && protocol != scheme {
				return nil, fmt.Errorf("cloudapi: endpoint %q uses %s but protocol is set to %s; drop the scheme or make them agree", cfg.Endpoint, scheme, protocol)
			}
			protocol = scheme
		}
		endpoint = hostPort
	} else {
		if region == "" {
			return nil, errors.New("cloudapi: a region is required when no endpoint is set (for example cn-hangzhou)")
		}
		endpoint = "apigateway." + region + ".aliyuncs.com"
	}
	if protocol == "" {
		protocol = ProtocolHTTPS
	}

	connectMS := int(defaultConnectTimeout / time.Millisecond)
	readMS := int(defaultReadTimeout / time.Millisecond)
	httpClient := newProbeHTTPClient(defaultConnectTimeout, defaultReadTimeout)
	var userAgent *string
	if ua := strings.TrimSpace(cfg.UserAgent); ua != "" {
		userAgent = &ua
	}
	sdkConfig := func() *openapi.Config {
		oc := &openapi.Config{
			Credential:     cfg.Credential,
			Endpoint:       dara.String(endpoint),
			Protocol:       dara.String(protocol),
			ConnectTimeout: dara.Int(connectMS),
			ReadTimeout:    dara.Int(readMS),
			UserAgent:      userAgent,
			// Our HTTP client records per-attempt response metadata (status, throttling hints)
			// that the SDK's error conversion drops, and gives connection reuse across calls.
			HttpClient: httpClient,
			// RetryOptions stays nil: darabonba then makes exactly one attempt; we own retries.
		}
		if region != "" {
			oc.RegionId = dara.String(region)
		}
		return oc
	}

	// Build one now so configuration errors surface here, not at the first call.
	api, err := cloudapiclient.NewClient(sdkConfig())
	if err != nil {
		return nil, fmt.Errorf("cloudapi: building the SDK client: %w", err)
	}
	c := &Client{
		sdkConfig: sdkConfig,
		retry:     cfg.Retry.withDefaults(),
		endpoint:  endpoint,
		protocol:  protocol,
		region:    region,
	}
	c.sdkClients.Put(api)
	if !cfg.DisableBatchingAndSharing {
		c.snapshots = newProductSnapshots(c.retry.Clock, c.listProductAPIs)
		c.catalog = newAPICatalog(c.DescribeAPI, func(ctx context.Context, page int) ([]APIDetail, int, error) {
			return c.listAPIsPage(ctx, "", "", page)
		})
		c.writes = newWriteBatcher(defaultBatchQuiet, defaultBatchMaxWait, maxItemsPerCall, c.retry.Clock,
			map[string]func(context.Context, string, []APIRef) error{"AttachApiProduct": c.attachCall, "DetachApiProduct": c.detachCall})
	}
	return c, nil
}

func (c *Client) acquire() (*cloudapiclient.Client, error) {
	if v, ok := c.sdkClients.Get().(*cloudapiclient.Client); ok {
		return v, nil
	}
	api, err := cloudapiclient.NewClient(c.sdkConfig())
	if err != nil {
		return nil, fmt.Errorf("building the SDK client: %w", err)
	}
	return api, nil
}

func (c *Client) release(api *cloudapiclient.Client) { c.sdkClients.Put(api) }

// Endpoint reports the host[:port] the client talks to.
func (c *Client) Endpoint() string { return c.endpoint }

// Protocol reports "HTTPS" or "HTTP".
func (c *Client) Protocol() string { return c.protocol }

// Region reports the configured region ("" when only an endpoint was given).
func (c *Client) Region() string { return c.region }

func validRegion(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return s != "" && s[0] != '-'
}

// ParseEndpoint splits a user-supplied endpoint into the "host[:port]" the SDK wants and the
// protocol named by its scheme ("" when there is none, else "HTTP" or "HTTPS"). It accepts
// "host", "host:port", "[::1]:port", "http://host:port", "https://host/" and rejects anything
// else (paths, query strings, user info, bad ports, whitespace), because the SDK would otherwise
// build a broken URL and fail far from the configuration mistake.
func ParseEndpoint(raw string) (hostPort string, protocol string, err error) {
	bad := func(reason string) (string, string, error) {
		return "", "", fmt.Errorf("invalid endpoint %q: %s; expected %s", RedactEndpoint(raw), reason, endpointForm)
	}
	if raw == "" {
		return bad("it is empty")
	}
	if strings.IndexFunc(raw, func(r rune) bool { return r <= ' ' || r == 0x7f }) >= 0 {
		return bad("it contains whitespace or control characters")
	}

	rest := raw
	if i := strings.Index(raw, "://"); i >= 0 {
		switch strings.ToLower(raw[:i]) {
		case "http":
			protocol = ProtocolHTTP
		case "https":
			protocol = ProtocolHTTPS
		default:
			return bad(fmt.Sprintf("unsupported scheme %q (only http and https)", raw[:i]))
		}
		rest = raw[i+3:]
	} else if strings.Contains(raw, ":/") {
		return bad("malformed scheme")
	}

	if strings.ContainsAny(rest, "?#") {
		return bad("query strings and fragments are not allowed")
	}
	if strings.Contains(rest, "@") {
		return bad("user information is not allowed (credentials belong in access_key/secret_key)")
	}
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		if rest[i:] != "/" {
			return bad(fmt.Sprintf("path %q is not allowed (only a trailing /)", rest[i:]))
		}
		rest = rest[:i]
	}
	if rest == "" {
		return bad("the host is missing")
	}

	host, port := rest, ""
	if strings.HasPrefix(rest, "[") || strings.Count(rest, ":") == 1 {
		h, p, splitErr := net.SplitHostPort(rest)
		if splitErr != nil {
			if strings.HasPrefix(rest, "[") && strings.HasSuffix(rest, "]") {
				h = rest[1 : len(rest)-1]
			} else {
				return bad("the host or port is malformed")
			}
		} else {
			if p == "" {
				return bad("the port is empty")
			}
			n, convErr := strconv.Atoi(p)
			if convErr != nil || n < 1 || n > 65535 || strings.HasPrefix(p, "+") {
				return bad(fmt.Sprintf("port %q is not a number between 1 and 65535", p))
			}
			port = p
		}
		host = h
	} else if strings.Contains(rest, ":") {
		return bad("an IPv6 address must be written in brackets, e.g. [::1]:8080")
	}

	if host == "" {
		return bad("the host is missing")
	}
	if ip := net.ParseIP(host); ip == nil {
		if strings.Contains(rest, "[") {
			return bad(fmt.Sprintf("%q is not an IP address", host))
		}
		if !validHostname(host) {
			return bad(fmt.Sprintf("%q is not a valid host name", host))
		}
	} else if ip.To4() == nil && !strings.HasPrefix(rest, "[") {
		return bad("an IPv6 address must be written in brackets, e.g. [::1]:8080")
	}

	hostPort = rest
	if port == "" && strings.HasPrefix(rest, "[") {
		hostPort = "[" + host + "]"
	}
	// Sanity check: what we hand to the SDK must round-trip as a URL authority.
	if u, perr := url.Parse("http://" + hostPort + "/"); perr != nil || u.Host != hostPort {
		return bad("the host is malformed")
	}
	return hostPort, protocol, nil
}

// RedactEndpoint returns raw with any user information ("user:password@") replaced by "***@", for
// error messages: endpoints are not sensitive attributes, but a password pasted into a URL is, and
// the value may come from a variable whose source line Terraform does not show.
func RedactEndpoint(raw string) string {
	start := 0
	if i := strings.Index(raw, "://"); i >= 0 {
		start = i + 3
	}
	// Everything up to the last '@' may belong to the password (which can itself contain '@' or
	// '/'); hiding too much of an invalid endpoint costs nothing.
	if at := strings.LastIndexByte(raw[start:], '@'); at >= 0 {
		return raw[:start] + "***@" + raw[start+at+1:]
	}
	return raw
}

func validHostname(h string) bool {
	if len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(strings.TrimSuffix(h, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return false
			}
		}
	}
	return true
}
