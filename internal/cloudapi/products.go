package cloudapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	cloudapiclient "github.com/alibabacloud-go/cloudapi-20160714/v5/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// maxItemsPerCall is the emulator's default Apis.N limit, the largest Config.MaxBatchSize; the
// real limit is undocumented, so larger requests are split rather than risked.
const maxItemsPerCall = 100

var errEmptyResponse = errors.New("the service returned an empty response body")

// invokeFunc is one attempt of an operation, as invoke runs it; it returns the request id for
// invoke's log lines.
type invokeFunc = func(ctx context.Context, api *cloudapiclient.Client, rt *dara.RuntimeOptions) (requestID *string, err error)

// sdkCall adapts a generated SDK operation (a method expression such as
// (*cloudapiclient.Client).DeleteApiWithContext) to invoke: each attempt sends req, and a response
// for which body returns nil counts as errEmptyResponse. On success the body goes to out, unless
// out is nil.
func sdkCall[Req, Resp any, Body interface {
	comparable
	GetRequestId() *string
}](send func(*cloudapiclient.Client, context.Context, *Req, *dara.RuntimeOptions) (*Resp, error), req *Req, body func(*Resp) Body, out *Body) invokeFunc {
	return func(ctx context.Context, api *cloudapiclient.Client, rt *dara.RuntimeOptions) (*string, error) {
		resp, err := send(api, ctx, req, rt)
		if err != nil {
			return nil, err
		}
		var none Body
		if resp == nil {
			return nil, errEmptyResponse
		}
		b := body(resp)
		if b == none {
			return nil, errEmptyResponse
		}
		if out != nil {
			*out = b
		}
		return b.GetRequestId(), nil
	}
}

// APIRef names one API in one stage (RELEASE, PRE or TEST).
type APIRef struct {
	APIID     string
	StageName string
}

// APIInfo is one API attached to an API product, as DescribeApiProductApis reports it.
type APIInfo struct {
	APIID       string
	APIName     string
	GroupID     string
	GroupName   string
	Method      string
	Path        string
	Description string
	RegionID    string
	StageName   string
}

const (
	actionAttach = "AttachApiProduct"
	actionDetach = "DetachApiProduct"
)

// AttachAPI attaches one API in one stage to the product. Concurrent calls for the same product
// are sent together, as one AttachApiProduct call of up to Config.MaxBatchSize items (see
// writeBatcher); the result is this item's own. An error wrapping ErrNotSent means ctx ended
// before anything was sent.
//
// On success it returns what it recorded for the pair, which the product's listing will report:
// the API's details as the API catalog has them, looked up if this client has not seen the API
// yet. If they cannot be had now, the details are nil: the attach itself succeeded.
func (c *Client) AttachAPI(ctx context.Context, productID string, api APIRef) (*APIInfo, error) {
	if err := checkProductWrite(actionAttach, productID, []APIRef{api}); err != nil {
		return nil, err
	}
	if err := c.attaches.do(ctx, productID, api); err != nil {
		return nil, err
	}
	info, known := c.attachedInfo(api)
	if !known {
		d, err := c.LookupAPI(ctx, api.APIID)
		if err != nil {
			tflog.Debug(ctx, "could not read the attached API's details", map[string]any{"api_id": api.APIID, "error": err.Error()})
			return nil, nil //nolint:nilerr // the attach succeeded; only its details are missing (nil: the caller fills them in later)
		}
		info.setDetail(d)
	}
	return &info, nil
}

// DetachAPI detaches one API in one stage from the product, batched like AttachAPI. An unknown
// product is an error for which IsNotFound is true.
func (c *Client) DetachAPI(ctx context.Context, productID string, api APIRef) error {
	if err := checkProductWrite(actionDetach, productID, []APIRef{api}); err != nil {
		return err
	}
	return c.detaches.do(ctx, productID, api)
}

// AttachAPIProduct attaches apis to the product (AttachApiProduct), creating the product if it
// does not exist. Lists longer than Config.MaxBatchSize are sent in several calls; if a later call
// fails, the error says how many APIs were already attached.
func (c *Client) AttachAPIProduct(ctx context.Context, productID string, apis []APIRef) error {
	if err := checkProductWrite(actionAttach, productID, apis); err != nil {
		return err
	}
	return inChunks(c.maxBatch, apis, "APIs were already processed", func(chunk []APIRef) error { return c.attachCall(ctx, productID, chunk) })
}

// DetachAPIProduct detaches apis from the product (DetachApiProduct). An unknown product is an
// error for which IsNotFound is true.
func (c *Client) DetachAPIProduct(ctx context.Context, productID string, apis []APIRef) error {
	if err := checkProductWrite(actionDetach, productID, apis); err != nil {
		return err
	}
	return inChunks(c.maxBatch, apis, "APIs were already processed", func(chunk []APIRef) error { return c.detachCall(ctx, productID, chunk) })
}

func checkProductWrite(action, productID string, apis []APIRef) error {
	if strings.TrimSpace(productID) == "" {
		return fmt.Errorf("CloudAPI %s: the API product ID is empty", action)
	}
	if len(apis) == 0 {
		return fmt.Errorf("CloudAPI %s: no APIs given for API product %q", action, productID)
	}
	for i, a := range apis {
		if strings.TrimSpace(a.APIID) == "" || strings.TrimSpace(a.StageName) == "" {
			return fmt.Errorf("CloudAPI %s: API #%d for API product %q has an empty API ID or stage name (got %q, %q)", action, i+1, productID, a.APIID, a.StageName)
		}
	}
	return nil
}

// inChunks calls call with items in chunks of at most size. If a later chunk fails, the error
// says how many items earlier calls took ("the first 100 of 250 <done>").
func inChunks[T any](size int, items []T, done string, call func(chunk []T) error) error {
	for start := 0; start < len(items); start += size {
		if err := call(items[start:min(start+size, len(items))]); err != nil {
			if start > 0 {
				return fmt.Errorf("%w (the first %d of %d %s by earlier calls)", err, start, len(items), done)
			}
			return err
		}
	}
	return nil
}

// attachCall is one AttachApiProduct call.
func (c *Client) attachCall(ctx context.Context, productID string, apis []APIRef) error {
	req := &cloudapiclient.AttachApiProductRequest{ApiProductId: dara.String(productID),
		Apis: sdkItems(apis, func(id, stage *string) *cloudapiclient.AttachApiProductRequestApis {
			return &cloudapiclient.AttachApiProductRequestApis{ApiId: id, StageName: stage}
		})}
	err := c.invoke(ctx, actionAttach, sdkCall((*cloudapiclient.Client).AttachApiProductWithContext, req, (*cloudapiclient.AttachApiProductResponse).GetBody, nil))
	return c.noteWrite(productID, apis, true, err)
}

// detachCall is one DetachApiProduct call.
func (c *Client) detachCall(ctx context.Context, productID string, apis []APIRef) error {
	req := &cloudapiclient.DetachApiProductRequest{ApiProductId: dara.String(productID),
		Apis: sdkItems(apis, func(id, stage *string) *cloudapiclient.DetachApiProductRequestApis {
			return &cloudapiclient.DetachApiProductRequestApis{ApiId: id, StageName: stage}
		})}
	err := c.invoke(ctx, actionDetach, sdkCall((*cloudapiclient.Client).DetachApiProductWithContext, req, (*cloudapiclient.DetachApiProductResponse).GetBody, nil))
	return c.noteWrite(productID, apis, false, err)
}

// sdkItems builds the SDK's Apis.N list, whose item type differs per operation.
func sdkItems[T any](apis []APIRef, item func(apiID, stage *string) *T) []*T {
	out := make([]*T, len(apis))
	for i, a := range apis {
		out[i] = item(dara.String(a.APIID), dara.String(a.StageName))
	}
	return out
}

// noteWrite tells the product snapshots what a write did, and returns its error: a success is
// remembered over listings that do not show it yet; an unknown outcome leaves the answer to the
// next listing.
func (c *Client) noteWrite(productID string, apis []APIRef, attached bool, err error) error {
	switch {
	case err == nil:
		c.snapshots.recordWrite(productID, apis, attached, func(ref APIRef) APIInfo {
			info, _ := c.attachedInfo(ref)
			return info
		})
	case OutcomeUnknown(err):
		c.snapshots.forgetWrites(productID, apis)
	}
	return err
}

// attachedInfo is what a fresh attachment's listing entry will say, from what the API catalog
// already knows (no call is made for it); known is false when the catalog has no details yet.
func (c *Client) attachedInfo(ref APIRef) (info APIInfo, known bool) {
	info = APIInfo{APIID: ref.APIID, StageName: ref.StageName, RegionID: c.region}
	d, known := c.catalog.cached(ref.APIID)
	if known {
		info.setDetail(d)
	}
	return info, known
}

// setDetail copies the API's details into a listing entry.
func (info *APIInfo) setDetail(d *APIDetail) {
	info.APIName, info.GroupID, info.GroupName = d.APIName, d.GroupID, d.GroupName
	info.Method, info.Path, info.Description = d.Method, d.Path, d.Description
}

// OutcomeUnknown reports errors after which a write may or may not have been applied: the
// answer was lost (transport failures, 5xx and throttling past the retries, a ConcurrencyLockTimeout
// past the retries — Alibaba does not say whether such a write was applied — or an answer that is
// not the service's, such as a proxy's 404 page), the caller's
// context ended while the call was in flight, or a retry was refused after an attempt whose
// answer was lost (the refusal may be caused by that attempt). ErrNotSent is known not to have
// happened.
func OutcomeUnknown(err error) bool {
	if err == nil || errors.Is(err, ErrNotSent) {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return true
	}
	var ae *APIError
	if errors.As(err, &ae) && ae.maybeApplied {
		return true
	}
	return IsRetryable(err) && !IsCredentialError(err)
}

// DeleteAPIProduct deletes the product (DeleteApiProduct), which also drops its attachments. An
// unknown product is an error for which IsNotFound is true, unless an earlier attempt of the same
// call may have deleted it: then the delete succeeded.
func (c *Client) DeleteAPIProduct(ctx context.Context, productID string) error {
	if strings.TrimSpace(productID) == "" {
		return errors.New("CloudAPI DeleteApiProduct: the API product ID is empty")
	}
	defer c.snapshots.forgetProduct(productID)
	defer c.grantCache.forgetProduct(productID)
	err := c.invoke(ctx, "DeleteApiProduct", sdkCall((*cloudapiclient.Client).DeleteApiProductWithContext,
		&cloudapiclient.DeleteApiProductRequest{ApiProductId: dara.String(productID)}, (*cloudapiclient.DeleteApiProductResponse).GetBody, nil))
	var ae *APIError
	if IsNotFound(err) && errors.As(err, &ae) && ae.maybeApplied {
		// An earlier attempt of this call may have deleted it (its answer was lost, or was a lock
		// timeout that came after the delete): the product is gone, which is what was asked.
		tflog.Debug(ctx, "API product not found on a retry of its delete; taking it as deleted", map[string]any{"api_product_id": productID})
		return nil
	}
	return err
}

// ListProductAPIs returns every API attached to the product, as fresh as asked (DESIGN.md "Shared
// listings and their freshness rule": always including this client's own successful writes), paged
// by the rules of listAll (paging.go). An unknown product is a *NotFoundError of kind
// NotFoundProduct. The returned slice belongs to the caller.
func (c *Client) ListProductAPIs(ctx context.Context, productID string, fresh Freshness) ([]APIInfo, error) {
	return c.snapshots.all(ctx, productID, fresh)
}

// listProductAPIs is one complete listing, straight from the service.
func (c *Client) listProductAPIs(ctx context.Context, productID string) ([]APIInfo, error) {
	if strings.TrimSpace(productID) == "" {
		return nil, errors.New("CloudAPI DescribeApiProductApis: the API product ID is empty")
	}
	return listAll(ctx, c, c.productAPIsListing(productID))
}

// FindAttachment returns the product's API matching apiID and stage (stage compared
// case-insensitively), read as ListProductAPIs reads. If the product is unknown or the pair is
// absent it returns a *NotFoundError (NotFoundProduct, NotFoundAttachment).
func (c *Client) FindAttachment(ctx context.Context, productID, apiID, stage string, fresh Freshness) (*APIInfo, error) {
	info, err := c.snapshots.find(ctx, productID, APIRef{APIID: apiID, StageName: strings.ToUpper(stage)}, fresh)
	if err != nil {
		return nil, lookingFor(err, func(e *NotFoundError) { e.APIID, e.StageName = apiID, stage })
	}
	return &info, nil
}

// productAPIsListing is the DescribeApiProductApis listing of the product for listAll.
func (c *Client) productAPIsListing(productID string) pagedListing[APIInfo, APIRef] {
	return pagedProduct("DescribeApiProductApis", productID, APIInfo.ref, func(ctx context.Context, id string, number, size int) (listPage[APIInfo], error) {
		return readPage(ctx, c, "DescribeApiProductApis", (*cloudapiclient.Client).DescribeApiProductApisWithContext, (*cloudapiclient.DescribeApiProductApisResponse).GetBody,
			&cloudapiclient.DescribeApiProductApisRequest{ApiProductId: dara.String(id)}, number, size,
			(*cloudapiclient.DescribeApiProductApisResponseBody).GetApiInfoList, (*cloudapiclient.DescribeApiProductApisResponseBodyApiInfoList).GetApiInfo, apiInfoOf)
	})
}

// probeProductID returns a product id that no account has: 32 characters like real ids, but with
// a prefix no generated id has.
func probeProductID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "tfprobe0" + hex.EncodeToString(b)
}

// apiInfoOf converts one API of a DescribeApiProductApis page.
func apiInfoOf(it *cloudapiclient.DescribeApiProductApisResponseBodyApiInfoListApiInfo) APIInfo {
	v := dara.StringValue
	return APIInfo{APIID: v(it.ApiId), APIName: v(it.ApiName), GroupID: v(it.GroupId), GroupName: v(it.GroupName),
		Method: v(it.Method), Path: v(it.Path), Description: v(it.Description), RegionID: v(it.RegionId), StageName: v(it.StageName)}
}
