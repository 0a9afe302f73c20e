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
	answers   *sharedAnswers[string, APIDetail]
	flight    singleflight.Group // the region's listing

	mu        sync.Mutex
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
		answers: newSharedAnswers[string, APIDetail](IsNotFound), asked: map[string]bool{}}
}

// lookup returns the API's details, or the service's not-found error.
func (ac *apiCatalog) lookup(ctx context.Context, apiID string) (*APIDetail, error) {
	if d, err, ok := ac.answers.kept(apiID); ok {
		return d, err
	}
	if ac.ask(apiID) {
		ac.listRegion(ctx)
	}
	return ac.answers.ask(ctx, apiID, func(ctx context.Context) (*APIDetail, error) { return ac.describe(ctx, apiID) })
}

// ask records that apiID was asked for, and reports whether a listing of the region is now worth
// trying.
func (ac *apiCatalog) ask(apiID string) (wantList bool) {
	ac.mu.Lock()
	defer ac.mu.Unlock()
	ac.asked[apiID] = true
	return !ac.listed && ac.listFails < 2 && len(ac.asked) >= catalogFirstListingAt && (ac.pages == 0 || len(ac.asked) >= ac.pages)
}

// expect records that these APIs are about to be looked up, so that the first lookup already
// weighs a listing against as many DescribeApi calls.
func (ac *apiCatalog) expect(apiIDs []string) {
	ac.mu.Lock()
	defer ac.mu.Unlock()
	for _, id := range apiIDs {
		if d, _ := ac.cached(id); d == nil {
			ac.asked[id] = true
		}
	}
}

// cached returns what the catalog already knows of the API, without a call.
func (ac *apiCatalog) cached(apiID string) (*APIDetail, bool) {
	d, _, _ := ac.answers.kept(apiID)
	return d, d != nil
}

// listRegion reads page 1 to learn the listing's size and, when that is already worth it, the
// whole listing. Failures only mean falling back to DescribeApi.
func (ac *apiCatalog) listRegion(ctx context.Context) {
	_, _, _ = ac.flight.Do("list", func() (any, error) {
		lctx, cancel := detachedWithDeadline(ctx)
		defer cancel()
		pages, asked, first := ac.sizes()
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
			ac.learnt(pages, first)
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

// sizes returns the pages of a full listing (0: not known yet), the APIs asked for, and page 1.
func (ac *apiCatalog) sizes() (pages, asked int, first *listPage[APIDetail]) {
	ac.mu.Lock()
	defer ac.mu.Unlock()
	return ac.pages, len(ac.asked), ac.first
}

// learnt records what page 1 told of the listing.
func (ac *apiCatalog) learnt(pages int, first *listPage[APIDetail]) {
	ac.mu.Lock()
	defer ac.mu.Unlock()
	ac.pages, ac.first = pages, first
}

func (ac *apiCatalog) add(apis []APIDetail, complete bool) {
	for _, d := range apis {
		ac.answers.add(d.APIID, &d)
	}
	ac.mu.Lock()
	defer ac.mu.Unlock()
	if complete {
		ac.listed = true
	}
}

func (ac *apiCatalog) failList() {
	ac.mu.Lock()
	defer ac.mu.Unlock()
	ac.listFails++
}
