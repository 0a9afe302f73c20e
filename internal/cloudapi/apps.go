package cloudapi

// Apps: the plan-time check that an authorization's app exists (DescribeAppAttributes, filtered by
// AppId), shared within the client the way API look-ups are (apiCatalog): every authorization of one
// app in one Terraform command asks the service once, and concurrent askers wait for the same call.

import (
	"context"
	"errors"
	"fmt"

	cloudapiclient "github.com/alibabacloud-go/cloudapi-20160714/v5/client"
	"github.com/alibabacloud-go/tea/dara"
)

// App is an app as DescribeAppAttributes reports it.
type App struct {
	AppID       int64
	AppName     string
	Description string
}

// DescribeApp returns the app (DescribeAppAttributes with AppId), unshared. The operation filters a
// listing of the caller's apps, so an unknown app is an empty answer (or, should the service say so,
// NotFoundApp): both are a *NotFoundError of kind NotFoundApp.
func (c *Client) DescribeApp(ctx context.Context, appID int64) (*App, error) {
	if appID <= 0 {
		return nil, fmt.Errorf("CloudAPI DescribeAppAttributes: invalid app ID %d", appID)
	}
	var body *cloudapiclient.DescribeAppAttributesResponseBody
	err := c.invoke(ctx, "DescribeAppAttributes", sdkCall((*cloudapiclient.Client).DescribeAppAttributesWithContext,
		&cloudapiclient.DescribeAppAttributesRequest{AppId: dara.Int64(appID)}, (*cloudapiclient.DescribeAppAttributesResponse).GetBody, &body))
	if ErrorCode(err) == "NotFoundApp" {
		return nil, &NotFoundError{Kind: NotFoundApp, AppID: appID, Err: err}
	}
	if err != nil {
		return nil, err
	}
	if body.Apps != nil {
		for _, a := range body.Apps.AppAttribute {
			// Only the app asked for: a service that ignored the filter answers a page of others.
			if a != nil && dara.Int64Value(a.AppId) == appID {
				return &App{AppID: appID, AppName: dara.StringValue(a.AppName), Description: dara.StringValue(a.Description)}, nil
			}
		}
	}
	return nil, &NotFoundError{Kind: NotFoundApp, AppID: appID, RequestID: dara.StringValue(body.RequestId)}
}

// LookupApp returns the app, or an error for which IsNotFoundKind(err, NotFoundApp) is true,
// sharing answers (found and not found) within the client: one DescribeAppAttributes call per app
// and client, however many callers ask at once. Other failures are not kept: the next caller asks
// again.
func (c *Client) LookupApp(ctx context.Context, appID int64) (*App, error) {
	return c.apps.ask(ctx, appID, func(ctx context.Context) (*App, error) { return c.DescribeApp(ctx, appID) })
}

// freezeErrorText makes err safe to hand to several goroutines: the SDK's *tea.SDKError builds its
// message on the first Error() call and stores it without a lock, so every error in the chain is
// asked for its text once, here, before the error is shared.
func freezeErrorText(err error) {
	for ; err != nil; err = errors.Unwrap(err) {
		_ = err.Error()
		if u, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range u.Unwrap() {
				freezeErrorText(e)
			}
			return
		}
	}
}
