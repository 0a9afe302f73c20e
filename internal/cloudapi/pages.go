package cloudapi

// How listAll's listings read their pages through the SDK (paging.go has the rules).

import (
	"context"
	"fmt"

	cloudapiclient "github.com/alibabacloud-go/cloudapi-20160714/v5/client"
	"github.com/alibabacloud-go/tea/dara"
)

// pagedProduct is the listing of one product's entries (its APIs, its apps), read by fetch(ctx, id,
// number, size): an unknown product is its *NotFoundError, whatever code the service answers it with
// (the ambiguity rule, with a product id that cannot exist as the probe).
func pagedProduct[T any, K comparable](action, productID string, key func(T) K,
	fetch func(ctx context.Context, id string, number, size int) (listPage[T], error)) pagedListing[T, K] {
	return pagedListing[T, K]{
		action:  action,
		subject: fmt.Sprintf("API product %q", productID),
		fetch: func(ctx context.Context, number, size int) (listPage[T], error) {
			return fetch(ctx, productID, number, size)
		},
		key: key,
		probe: func(ctx context.Context, id string) error {
			_, err := fetch(ctx, id, 1, 0)
			return err
		},
		missing: &NotFoundError{Kind: NotFoundProduct, ProductID: productID},
	}
}

// sdkPagedRequest is the request of a paged Describe* operation.
type sdkPagedRequest[Req any] interface {
	*Req
	SetPageNumber(int32) *Req
	SetPageSize(int32) *Req
}

// sdkPagedBody is the response body of a paged Describe* operation.
type sdkPagedBody interface {
	comparable
	GetRequestId() *string
	GetTotalCount() *int32
}

// readPage sends req for page number with size items (0: no PageSize) and returns the page: the
// entries of the body's list (nil entries skipped), each converted by item, and TotalCount.
func readPage[Req any, R sdkPagedRequest[Req], Resp any, Body sdkPagedBody, L, S, T any](ctx context.Context, c *Client, action string,
	send func(*cloudapiclient.Client, context.Context, *Req, *dara.RuntimeOptions) (*Resp, error), body func(*Resp) Body,
	req R, number, size int, list func(Body) *L, entries func(*L) []*S, item func(*S) T) (listPage[T], error) {
	req.SetPageNumber(int32(number))
	if size > 0 {
		req.SetPageSize(int32(size))
	}
	var b Body
	if err := c.invoke(ctx, action, sdkCall(send, (*Req)(req), body, &b)); err != nil {
		return listPage[T]{}, err
	}
	p := listPage[T]{total: totalOf(b.GetTotalCount())}
	if l := list(b); l != nil {
		for _, it := range entries(l) {
			if it != nil {
				p.items = append(p.items, item(it))
			}
		}
	}
	return p, nil
}

// totalOf is a listing's TotalCount, -1 when the service sent none.
func totalOf(n *int32) int {
	if n == nil {
		return -1
	}
	return int(*n)
}
