package cloudapi

import (
	"context"
	"sync"

	"golang.org/x/sync/singleflight"
)

// catalogFirstListingAt is the number of distinct APIs looked up one by one before the catalog
// asks what a listing of the region would cost.
const catalogFirstListingAt = 10

// apiCatalog answers "does this API exist, where is it deployed, what is it called" for the
// plan-time check of every new attachment and for the computed attributes of a fresh one,
// sharing the answers within the client. It picks the cheaper way for the case at hand:
// DescribeApi per API while few APIs are asked for; once as many distinct APIs were asked for as
// a DescribeApis listing of the region has pages (learned from its first page, fetched after
// catalogFirstListingAt lookups), one listing answers all of them. An API the listing does not
// show (created after it) is still described on its own.
type apiCatalog struct {
	describe func(ctx context.Context, apiID string) (*APIDetail, error)
	// firstPage reads page 1 of the region's DescribeApis listing; listAll reads all of it (listAll
	// in paging.go), from that page 1 if it is given.
	firstPage func(ctx context.Context) (listPage[APIDetail], error)
	listAll   func(ctx context.Context, first *listPage[APIDetail]) ([]APIDetail, error)
	flight    singleflight.Group

	mu        sync.Mutex
	known     map[string]*APIDetail
	missing   map[string]error
	asked     map[string]bool
	pages     int                  // pages of a full region listing; 0 until page 1 was read
	first     *listPage[APIDetail] // that page 1
	listed    bool                 // the whole region was listed
	listFails int                  // listings that failed; after two, stay with DescribeApi
}

func newAPICatalog(describe func(context.Context, string) (*APIDetail, error),
	firstPage func(context.Context) (listPage[APIDetail], error),
	listAll func(context.Context, *listPage[APIDetail]) ([]APIDetail, error)) *apiCatalog {
	return &apiCatalog{describe: describe, firstPage: firstPage, listAll: listAll,
		known: map[string]*APIDetail{}, missing: map[string]error{}, asked: map[string]bool{}}
}

// lookup returns the API's details, or the service's not-found error.
func (ac *apiCatalog) lookup(ctx context.Context, apiID string) (*APIDetail, error) {
	ac.mu.Lock()
	if d, ok := ac.known[apiID]; ok {
		ac.mu.Unlock()
		return d, nil
	}
	if err, ok := ac.missing[apiID]; ok {
		ac.mu.Unlock()
		return nil, err
	}
	ac.asked[apiID] = true
	wantList := !ac.listed && ac.listFails < 2 && len(ac.asked) >= catalogFirstListingAt && (ac.pages == 0 || len(ac.asked) >= ac.pages)
	ac.mu.Unlock()

	if wantList {
		ac.listRegion(ctx)
		ac.mu.Lock()
		d, ok := ac.known[apiID]
		ac.mu.Unlock()
		if ok {
			return d, nil
		}
	}
	v, err, _ := ac.flight.Do("describe:"+apiID, func() (any, error) {
		lctx, cancel := detachedWithDeadline(ctx)
		defer cancel()
		return ac.describe(lctx, apiID)
	})
	ac.mu.Lock()
	defer ac.mu.Unlock()
	switch {
	case err == nil:
		d := v.(*APIDetail)
		ac.known[apiID] = d
		return d, nil
	case IsNotFound(err):
		ac.missing[apiID] = err
	}
	return nil, err
}

// expect records that these APIs are about to be looked up, so that the first lookup already
// weighs a listing against as many DescribeApi calls.
func (ac *apiCatalog) expect(apiIDs []string) {
	ac.mu.Lock()
	defer ac.mu.Unlock()
	for _, id := range apiIDs {
		if _, ok := ac.known[id]; !ok {
			ac.asked[id] = true
		}
	}
}

// cached returns what the catalog already knows of the API, without a call.
func (ac *apiCatalog) cached(apiID string) (*APIDetail, bool) {
	ac.mu.Lock()
	defer ac.mu.Unlock()
	d, ok := ac.known[apiID]
	return d, ok
}

// listRegion reads page 1 to learn the listing's size and, when that is already worth it, the
// whole listing. Failures only mean falling back to DescribeApi.
func (ac *apiCatalog) listRegion(ctx context.Context) {
	_, _, _ = ac.flight.Do("list", func() (any, error) {
		lctx, cancel := detachedWithDeadline(ctx)
		defer cancel()
		ac.mu.Lock()
		pages, asked, first := ac.pages, len(ac.asked), ac.first
		ac.mu.Unlock()
		if pages == 0 {
			p, err := ac.firstPage(lctx)
			if err != nil {
				ac.failList()
				return nil, err
			}
			if p.total < 0 {
				// Without a TotalCount the listing's size is unknown: stay with DescribeApi.
				ac.add(p.items, false)
				ac.failList()
				ac.failList()
				return nil, nil
			}
			// The page size the service used, not the one asked for: a cost estimate only.
			perPage := max(1, len(p.items))
			pages = max(1, (p.total+perPage-1)/perPage)
			first = &p
			ac.mu.Lock()
			ac.pages, ac.first = pages, first
			ac.mu.Unlock()
			if asked < pages {
				ac.add(p.items, false)
				return nil, nil
			}
		}
		apis, err := ac.listAll(lctx, first)
		if err != nil {
			ac.failList()
			return nil, err
		}
		ac.add(apis, true)
		return nil, nil
	})
}

func (ac *apiCatalog) add(apis []APIDetail, complete bool) {
	ac.mu.Lock()
	defer ac.mu.Unlock()
	for i := range apis {
		d := apis[i]
		ac.known[d.APIID] = &d
		delete(ac.missing, d.APIID)
	}
	if complete {
		ac.listed = true
	}
}

func (ac *apiCatalog) failList() {
	ac.mu.Lock()
	defer ac.mu.Unlock()
	ac.listFails++
}
