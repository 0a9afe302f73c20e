// Package cloudapi is the provider's client layer over the official Alibaba Cloud API Gateway
// (CloudAPI 2016-07-14) SDK. It adds what the SDK lacks for a Terraform provider: one retry loop
// that understands throttling and transient failures and respects the operation's deadline
// (retry.go), error classification (errors.go), one pager for every listing (paging.go), listings
// shared per product under a freshness rule (listing_cache.go), one-item writes batched into calls
// of many items (write_batcher.go), and debug logs that never carry secrets. The rules they follow
// are in DESIGN.md.
package cloudapi

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	cloudapiclient "github.com/alibabacloud-go/cloudapi-20160714/v5/client"
	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/aliyun/credentials-go/credentials"
)

const (
	defaultConnectTimeout = 10 * time.Second
	defaultReadTimeout    = 30 * time.Second
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
	// MaxBatchSize is the most items one AttachApiProduct, DetachApiProduct,
	// SetAppsAuthToApiProduct or RemoveApiProductsAuthorities call carries, 1 to 100; 0 means 100.
	// At 1, every AttachAPI, DetachAPI, GrantApp and RevokeApp is sent at once as a call of its own.
	MaxBatchSize int
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
	// Sharing between calls: product listings and the client's own writes, API details.
	snapshots *productSnapshots
	catalog   *apiCatalog
	// apps shares app look-ups (apps.go).
	apps *sharedAnswers[int64, App]
	// The same for app authorizations: apps' grants per product.
	grantCache *listingCache[int64, AuthorizedApp]
	// The batching of one-item writes, one batcher per operation (write_batcher.go); maxBatch is
	// the most items of any write call.
	attaches, detaches *writeBatcher[string, APIRef]
	grants             *writeBatcher[grantScope, int64]
	revokes            *writeBatcher[int64, string]
	maxBatch           int
	endpoint           string
	// pageSizes remembers the page size each listing operation accepts (see paging.go).
	pageSizes pageSizes
	// region names the region of fresh attachments the client describes itself.
	region string
}

// New validates cfg and builds a Client. It performs no network I/O (credentials are resolved
// at the first call).
func New(cfg Config) (*Client, error) {
	if cfg.Credential == nil {
		return nil, errors.New("CloudAPI client: no credentials configured: set an access key and secret, a profile, an assumed role or an ECS role")
	}

	endpoint, protocol, err := ResolveEndpoint(cfg.Endpoint, cfg.Protocol)
	if err != nil {
		return nil, fmt.Errorf("CloudAPI client: %w", err)
	}
	region := strings.TrimSpace(cfg.RegionID)
	if region != "" && !validRegion(region) {
		return nil, fmt.Errorf("CloudAPI client: invalid region %q: expected a region ID such as cn-hangzhou", cfg.RegionID)
	}
	if cfg.MaxBatchSize < 0 || cfg.MaxBatchSize > maxItemsPerCall {
		return nil, fmt.Errorf("CloudAPI client: invalid batch size %d: expected 1 to %d", cfg.MaxBatchSize, maxItemsPerCall)
	}
	if endpoint == "" {
		if region == "" {
			return nil, errors.New("CloudAPI client: a region is required when no endpoint is set (for example cn-hangzhou)")
		}
		endpoint = "apigateway." + region + ".aliyuncs.com"
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
		return nil, fmt.Errorf("CloudAPI client: building the SDK client: %w", err)
	}
	c := &Client{
		sdkConfig: sdkConfig,
		retry:     cfg.Retry.withDefaults(),
		endpoint:  endpoint,
		region:    region,
	}
	c.sdkClients.Put(api)
	c.snapshots = newProductSnapshots(c.retry.Clock, c.listProductAPIs)
	c.catalog = newAPICatalog(c.DescribeAPI, c.regionFirstPage, func(ctx context.Context, first *listPage[APIDetail]) ([]APIDetail, error) {
		return listAll(ctx, c, c.apisListing("", first))
	})
	c.apps = newSharedAnswers[int64, App](func(err error) bool { return IsNotFoundKind(err, NotFoundApp) })
	c.grantCache = newGrantCache(c.retry.Clock, c.listProductApps)
	c.maxBatch = cmp.Or(cfg.MaxBatchSize, maxItemsPerCall)
	bp := batchPolicy{quiet: defaultBatchQuiet, maxWait: defaultBatchMaxWait, maxItems: c.maxBatch, clock: c.retry.Clock}
	c.attaches = newWriteBatcher(actionAttach, bp, c.attachCall, mayBeItemError)
	c.detaches = newWriteBatcher(actionDetach, bp, c.detachCall, detachItemFault)
	// An unknown app or product: which one, only splitting tells.
	c.grants = newWriteBatcher(actionGrant, bp, c.grantCall, mayBeItemError)
	c.revokes = newWriteBatcher(actionRevoke, bp, c.revokeCall, mayBeItemError)
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

func validRegion(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return s != "" && s[0] != '-'
}
