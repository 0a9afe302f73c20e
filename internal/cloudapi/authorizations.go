package cloudapi

// App authorizations on API products: grants (SetAppsAuthToApiProduct, one product and many apps),
// revokes (RemoveApiProductsAuthorities, one app and many products: the only way to revoke) and
// reads (DescribeAppsByApiProduct, shared per product like the product's APIs; and
// DescribeApiProductsByApp).
//
// A grant carries its terms (AuthValidTime, Description) for every app of the call, so concurrent
// grants are batched per (product, terms); revokes are batched per app. Neither limit is
// documented: the neighbouring per-API SetAppsAuthorities documents "a maximum of 100 application
// IDs", so both calls carry at most Config.MaxBatchSize (at most 100) items, like attach and detach.

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	cloudapiclient "github.com/alibabacloud-go/cloudapi-20160714/v5/client"
	"github.com/alibabacloud-go/tea/dara"
)

// AuthorizedApp is one app authorized on an API product, as DescribeAppsByApiProduct reports it.
type AuthorizedApp struct {
	AppID   int64
	AppName string
	// AuthValidTime is when the authorization expires, as the service reports it (UTC,
	// "2006-01-02T15:04:05Z"); "" means never.
	AuthValidTime  string
	AuthorizedTime string
	Description    string
}

// GrantTerms are the terms of a grant: its expiry (AuthValidTime, "" = never) and description.
type GrantTerms struct {
	AuthValidTime string
	Description   string
}

const (
	actionGrant  = "SetAppsAuthToApiProduct"
	actionRevoke = "RemoveApiProductsAuthorities"
)

// grantScope is the batching scope of a grant: the product, and the terms every app of one call
// shares.
type grantScope struct {
	productID string
	terms     GrantTerms
}

// GrantApp authorizes one app on the product with terms. Concurrent grants of the same product and
// terms are sent together, as one SetAppsAuthToApiProduct call of up to Config.MaxBatchSize apps;
// the result is this app's own. An error wrapping ErrNotSent means ctx ended before anything was
// sent.
func (c *Client) GrantApp(ctx context.Context, productID string, appID int64, terms GrantTerms) error {
	if err := checkGrant(productID, []int64{appID}); err != nil {
		return err
	}
	return c.grants.do(ctx, grantScope{productID, terms}, appID)
}

// RevokeApp removes the app's authorization on the product. Concurrent revokes for the same app
// are sent together, as one RemoveApiProductsAuthorities call of up to Config.MaxBatchSize
// products; the result is this product's own. An unknown product is an error for which IsNotFound
// is true, whatever code the service answers it with (the ambiguity rule of listings,
// answersAsUnknown, with a revoke of a product that cannot exist as the probe: revoking nothing is
// harmless).
func (c *Client) RevokeApp(ctx context.Context, productID string, appID int64) error {
	if err := checkGrant(productID, []int64{appID}); err != nil {
		return err
	}
	err := c.revokes.do(ctx, appID, productID)
	if err != nil && !IsNotFound(err) && !OutcomeUnknown(err) && c.answersAsUnknown(ctx, err, func(ctx context.Context, id string) error {
		return c.revokeCall(ctx, appID, []string{id})
	}) {
		return &NotFoundError{Kind: NotFoundProduct, ProductID: productID, AppID: appID, Err: err}
	}
	return err
}

// SetAppsAuthToAPIProduct authorizes apps on the product with terms, Config.MaxBatchSize apps per
// call.
func (c *Client) SetAppsAuthToAPIProduct(ctx context.Context, productID string, appIDs []int64, terms GrantTerms) error {
	if err := checkGrant(productID, appIDs); err != nil {
		return err
	}
	return inChunks(c.maxBatch, appIDs, "apps were already authorized", func(chunk []int64) error {
		return c.grantCall(ctx, grantScope{productID, terms}, chunk)
	})
}

// RemoveAPIProductsAuthorities revokes the app's authorizations on products, Config.MaxBatchSize
// per call.
func (c *Client) RemoveAPIProductsAuthorities(ctx context.Context, appID int64, productIDs []string) error {
	if appID <= 0 {
		return fmt.Errorf("CloudAPI %s: invalid app ID %d", actionRevoke, appID)
	}
	if len(productIDs) == 0 {
		return fmt.Errorf("CloudAPI %s: no API products given for app %d", actionRevoke, appID)
	}
	for start := 0; start < len(productIDs); start += c.maxBatch {
		if err := c.revokeCall(ctx, appID, productIDs[start:min(start+c.maxBatch, len(productIDs))]); err != nil {
			return err
		}
	}
	return nil
}

func checkGrant(productID string, appIDs []int64) error {
	if strings.TrimSpace(productID) == "" {
		return fmt.Errorf("CloudAPI %s: the API product ID is empty", actionGrant)
	}
	if len(appIDs) == 0 {
		return fmt.Errorf("CloudAPI %s: no apps given for API product %q", actionGrant, productID)
	}
	for _, id := range appIDs {
		if id <= 0 {
			return fmt.Errorf("CloudAPI %s: invalid app ID %d for API product %q", actionGrant, id, productID)
		}
	}
	return nil
}

// grantCall is one SetAppsAuthToApiProduct call.
func (c *Client) grantCall(ctx context.Context, scope grantScope, appIDs []int64) error {
	req := &cloudapiclient.SetAppsAuthToApiProductRequest{ApiProductId: dara.String(scope.productID), AppIds: dara.Int64Slice(appIDs)}
	if scope.terms.AuthValidTime != "" {
		req.AuthValidTime = dara.String(scope.terms.AuthValidTime)
	}
	if scope.terms.Description != "" {
		req.Description = dara.String(scope.terms.Description)
	}
	err := c.invoke(ctx, actionGrant, sdkCall((*cloudapiclient.Client).SetAppsAuthToApiProductWithContext, req, (*cloudapiclient.SetAppsAuthToApiProductResponse).GetBody, nil))
	switch {
	case err == nil:
		c.grantCache.recordWrite(scope.productID, appIDs, true, func(id int64) AuthorizedApp {
			return AuthorizedApp{AppID: id, AuthValidTime: scope.terms.AuthValidTime, Description: scope.terms.Description}
		})
	case OutcomeUnknown(err):
		c.grantCache.forgetWrites(scope.productID, appIDs)
	}
	return err
}

// revokeCall is one RemoveApiProductsAuthorities call.
func (c *Client) revokeCall(ctx context.Context, appID int64, productIDs []string) error {
	req := &cloudapiclient.RemoveApiProductsAuthoritiesRequest{AppId: dara.Int64(appID), ApiProductIds: dara.StringSlice(productIDs)}
	err := c.invoke(ctx, actionRevoke, sdkCall((*cloudapiclient.Client).RemoveApiProductsAuthoritiesWithContext, req, (*cloudapiclient.RemoveApiProductsAuthoritiesResponse).GetBody, nil))
	for _, p := range productIDs {
		switch {
		case err == nil:
			c.grantCache.recordWrite(p, []int64{appID}, false, nil)
		case OutcomeUnknown(err):
			c.grantCache.forgetWrites(p, []int64{appID})
		}
	}
	return err
}

// ListProductApps returns every app authorized on the product (DescribeAppsByApiProduct, every
// page), read as ListProductAPIs reads (as fresh as asked, always including this client's own grants
// and revokes). An unknown product is a *NotFoundError of kind NotFoundProduct. What the service
// reports is returned as is, including a grant whose AuthValidTime has passed, if the service still
// lists it.
func (c *Client) ListProductApps(ctx context.Context, productID string, fresh Freshness) ([]AuthorizedApp, error) {
	return c.grantCache.all(ctx, productID, fresh)
}

// FindGrant returns the app's authorization on the product, read as ListProductApps reads. If the
// product is unknown or the app is not authorized it returns a *NotFoundError (NotFoundProduct,
// NotFoundGrant).
func (c *Client) FindGrant(ctx context.Context, productID string, appID int64, fresh Freshness) (*AuthorizedApp, error) {
	g, err := c.grantCache.find(ctx, productID, appID, fresh)
	if err != nil {
		return nil, lookingFor(err, func(e *NotFoundError) { e.AppID = appID })
	}
	return &g, nil
}

// listProductApps is one complete listing of the product's apps, straight from the service, by the
// rules of listAll (paging.go). An unknown product is recognised as product listings recognise it
// (answersAsUnknown), whatever code the service answers it with.
func (c *Client) listProductApps(ctx context.Context, productID string) ([]AuthorizedApp, error) {
	if strings.TrimSpace(productID) == "" {
		return nil, errors.New("CloudAPI DescribeAppsByApiProduct: the API product ID is empty")
	}
	return listAll(ctx, c, pagedProduct("DescribeAppsByApiProduct", productID, func(a AuthorizedApp) int64 { return a.AppID },
		func(ctx context.Context, id string, number, size int) (listPage[AuthorizedApp], error) {
			return readPage(ctx, c, "DescribeAppsByApiProduct", (*cloudapiclient.Client).DescribeAppsByApiProductWithContext, (*cloudapiclient.DescribeAppsByApiProductResponse).GetBody,
				&cloudapiclient.DescribeAppsByApiProductRequest{ApiProductId: dara.String(id)}, number, size,
				(*cloudapiclient.DescribeAppsByApiProductResponseBody).GetAuthorizedApps, (*cloudapiclient.DescribeAppsByApiProductResponseBodyAuthorizedApps).GetAuthorizedApp, authorizedAppOf)
		}))
}

// ListAppProducts returns the ids of every API product the app is authorized on
// (DescribeApiProductsByApp, every page, by the rules of listAll), unshared. An unknown app is an
// error for which IsNotFound is true (NotFoundApp).
func (c *Client) ListAppProducts(ctx context.Context, appID int64) ([]string, error) {
	if appID <= 0 {
		return nil, fmt.Errorf("CloudAPI DescribeApiProductsByApp: invalid app ID %d", appID)
	}
	ids, err := listAll(ctx, c, pagedListing[string, string]{
		action:  "DescribeApiProductsByApp",
		subject: fmt.Sprintf("app %d", appID),
		fetch: func(ctx context.Context, number, size int) (listPage[string], error) {
			return readPage(ctx, c, "DescribeApiProductsByApp", (*cloudapiclient.Client).DescribeApiProductsByAppWithContext, (*cloudapiclient.DescribeApiProductsByAppResponse).GetBody,
				&cloudapiclient.DescribeApiProductsByAppRequest{AppId: dara.Int64(appID)}, number, size,
				(*cloudapiclient.DescribeApiProductsByAppResponseBody).GetApiProductInfoList, (*cloudapiclient.DescribeApiProductsByAppResponseBodyApiProductInfoList).GetApiProductInfo,
				// An entry without an id still counts against TotalCount; "" is its key.
				func(it *cloudapiclient.DescribeApiProductsByAppResponseBodyApiProductInfoListApiProductInfo) string {
					return dara.StringValue(it.ApiProductId)
				})
		},
		key: func(id string) string { return id },
	})
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(ids, func(id string) bool { return id == "" }), nil
}

func newGrantCache(clock Clock, fetch func(context.Context, string) ([]AuthorizedApp, error)) *listingCache[int64, AuthorizedApp] {
	return newListingCache(clock, "DescribeAppsByApiProduct", NotFoundGrant, fetch,
		func(a AuthorizedApp) int64 { return a.AppID },
		func(a, b AuthorizedApp) int { return cmp.Compare(a.AppID, b.AppID) })
}

// authorizedAppOf converts one entry of the service's listing.
func authorizedAppOf(it *cloudapiclient.DescribeAppsByApiProductResponseBodyAuthorizedAppsAuthorizedApp) AuthorizedApp {
	return AuthorizedApp{
		AppID:          dara.Int64Value(it.AppId),
		AppName:        dara.StringValue(it.AppName),
		AuthValidTime:  dara.StringValue(it.AuthValidTime),
		AuthorizedTime: dara.StringValue(it.AuthorizedTime),
		Description:    dara.StringValue(it.Description),
	}
}
