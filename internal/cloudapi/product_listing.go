package cloudapi

// Listing coalescing.
//
// Every attachment's refresh, and every attach/detach confirmation, needs the product's list of
// APIs, and DescribeApiProductApis can only list the whole product, 100 per page. Terraform runs
// up to 10 operations at once in one provider process, so N attachments in one product would cost
// N × ceil(N/100) requests per refresh, each counted against the account's QPS quota. The
// coalescer makes concurrent callers share listings, under an explicit freshness rule:
//
//   - Strict (the default): a call is answered only by a listing that started after the call was
//     made, so it sees every write that finished before it, its own included. A strict caller never
//     joins a listing already in flight nor uses a cached one: it queues for the next listing.
//   - WithMaxStaleness(ctx, d): a listing that started at most d ago may answer, whether it is
//     still in flight or complete (cached).
//
// Per product at most one listing runs. Callers that cannot use it queue on a single pending
// listing, started as soon as the running one ends and shared by everyone queued meanwhile; so a
// burst of strict calls costs about two listings, not one per call.
//
// Every write to a product through this client bumps the product's generation when it returns
// (success or not: a failed call may still have been applied). A listing remembers the generation
// it started in; one that started before a write ended is neither reused by later callers nor
// stored as the cached answer, although the callers already waiting for it still get it (their
// calls were concurrent with the write).
//
// Errors reach every waiter of the listing that failed but are never cached. "Product not found"
// is an answer, not a failure, and is cached like a list.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

type maxStalenessKey struct{}

// WithMaxStaleness returns a context under which ListProductAPIs and FindAttachment may be
// answered from a listing of the product that started at most d before the call (in flight or
// cached), instead of one that starts after it. d <= 0 restores the strict default. Writes made
// through the same Client invalidate cached listings, so a caller still sees its own writes; what
// it may miss are changes made elsewhere within the last d.
func WithMaxStaleness(ctx context.Context, d time.Duration) context.Context {
	return context.WithValue(ctx, maxStalenessKey{}, d)
}

func maxStaleness(ctx context.Context) time.Duration {
	d, _ := ctx.Value(maxStalenessKey{}).(time.Duration)
	return d
}

// listingCoalescer shares DescribeApiProductApis listings between concurrent callers. One mutex
// guards all products: the critical sections are a few field updates, never I/O.
type listingCoalescer struct {
	clock Clock
	// fetch pages through the whole product (Client.listProductAPIs).
	fetch func(ctx context.Context, productID string) ([]APIInfo, error)

	mu       sync.Mutex
	products map[string]*productListings
}

// productListings is one product's coalescing state.
type productListings struct {
	gen     uint64   // bumped when a write to the product returns
	running *listing // the listing in flight, if any
	next    *listing // queued to start when running ends, if any
	latest  *listing // last completed answer; always of the current gen (bump clears it)
}

// listing is one complete paging of a product, shared by its waiters.
type listing struct {
	// base supplies the values (tflog logger and fields) of the run's context: those of the
	// caller that created the listing. Dropped once the run starts.
	base context.Context
	// Waiter bookkeeping, under the coalescer's mutex. deadline is the latest deadline of any
	// waiter that joined before the start (fixed from then on); unbounded means one of them had
	// none.
	waiters   int
	deadline  time.Time
	unbounded bool
	abandoned bool // every waiter left; the run was cancelled

	// Set at start, under the mutex.
	started time.Time
	gen     uint64
	cancel  context.CancelFunc

	// Written before done is closed; read only after.
	done chan struct{}
	apis []APIInfo
	err  error
}

func newListingCoalescer(clock Clock, fetch func(context.Context, string) ([]APIInfo, error)) *listingCoalescer {
	return &listingCoalescer{clock: clock, fetch: fetch, products: map[string]*productListings{}}
}

// get returns the product's APIs as a listing allowed by ctx's freshness bound sees them. The
// slice is shared with other callers and must not be modified.
func (lc *listingCoalescer) get(ctx context.Context, productID string) ([]APIInfo, error) {
	if strings.TrimSpace(productID) == "" {
		return nil, errors.New("CloudAPI DescribeApiProductApis: the API product ID is empty")
	}
	for {
		l, apis, err := lc.getOnce(ctx, productID)
		if !l.cutShort(ctx, err) {
			return apis, err
		}
		tflog.Debug(ctx, "DescribeApiProductApis: the shared listing stopped at another caller's deadline; listing again", map[string]any{
			"api_product_id": productID,
		})
	}
}

// cutShort reports whether the listing failed at its own deadline, which was earlier than ctx's
// (a caller that joined a listing in flight may have more time than those it was started for):
// that error is no answer for this caller, who should ask again.
func (l *listing) cutShort(ctx context.Context, err error) bool {
	// ctx.Err() first: when it is nil, the listing is complete and its fields are safe to read.
	if err == nil || ctx.Err() != nil || l.unbounded || !errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	deadline, ok := ctx.Deadline()
	return !ok || deadline.After(l.deadline)
}

// getOnce is one attempt of get; it also returns the listing that answered.
func (lc *listingCoalescer) getOnce(ctx context.Context, productID string) (*listing, []APIInfo, error) {
	maxAge := maxStaleness(ctx)
	deadline, hasDeadline := ctx.Deadline()
	lc.mu.Lock()
	p := lc.products[productID]
	if p == nil {
		p = &productListings{}
		lc.products[productID] = p
	}
	now := lc.clock.Now()
	if maxAge > 0 {
		if l := p.latest; l != nil && now.Sub(l.started) <= maxAge {
			lc.mu.Unlock()
			tflog.Debug(ctx, "DescribeApiProductApis answered from a cached listing", map[string]any{
				"api_product_id": productID, "age_ms": now.Sub(l.started).Milliseconds(), "max_staleness_ms": maxAge.Milliseconds(),
			})
			return l, l.apis, l.err
		}
		if l := p.running; l != nil && l.gen == p.gen && !l.abandoned && now.Sub(l.started) <= maxAge {
			l.waiters++
			lc.mu.Unlock()
			tflog.Debug(ctx, "DescribeApiProductApis joined a listing in flight", map[string]any{
				"api_product_id": productID, "age_ms": now.Sub(l.started).Milliseconds(), "max_staleness_ms": maxAge.Milliseconds(),
			})
			apis, err := lc.wait(ctx, productID, l)
			return l, apis, err
		}
	}

	l, queued := p.next, 0
	switch {
	case p.running == nil:
		l = &listing{base: ctx, done: make(chan struct{})}
		l.join(deadline, hasDeadline)
		lc.start(productID, p, l)
	case l != nil:
		l.join(deadline, hasDeadline)
		queued = l.waiters
	default:
		l = &listing{base: ctx, done: make(chan struct{})}
		l.join(deadline, hasDeadline)
		p.next = l
	}
	lc.mu.Unlock()
	if queued > 0 {
		tflog.Debug(ctx, "DescribeApiProductApis joined the listing queued behind the one in flight", map[string]any{
			"api_product_id": productID, "waiters": queued,
		})
	}
	apis, err := lc.wait(ctx, productID, l)
	return l, apis, err
}

// join registers a waiter that has not started yet (or is starting it); under lc.mu.
func (l *listing) join(deadline time.Time, hasDeadline bool) {
	l.waiters++
	if !hasDeadline {
		l.unbounded = true
	} else if deadline.After(l.deadline) {
		l.deadline = deadline
	}
}

// start runs l; under lc.mu. The run's context carries the values of the caller that created the
// listing but not its cancellation, since others share the result. It is bounded instead by the
// latest deadline among the waiters that joined before the start (none if one of them had none),
// so that the retry loop still gives up in time with the real reason (say, throttling), and it is
// cancelled when the last waiter leaves. A caller that joins later with a later deadline asks
// again if the run stops at its deadline (cutShort). A fixed cap (say 2 minutes) was rejected:
// it would fail a patient caller's legitimately long listing (thousands of APIs under
// throttling), while "nobody is waiting any more" is exactly when the work stops being useful.
func (lc *listingCoalescer) start(productID string, p *productListings, l *listing) {
	l.started = lc.clock.Now()
	l.gen = p.gen
	ctx := context.WithoutCancel(l.base)
	if l.unbounded {
		ctx, l.cancel = context.WithCancel(ctx)
	} else {
		ctx, l.cancel = context.WithDeadline(ctx, l.deadline)
	}
	l.base = nil
	p.running = l
	go lc.run(ctx, productID, l)
}

func (lc *listingCoalescer) run(ctx context.Context, productID string, l *listing) {
	apis, err := lc.fetch(ctx, productID)
	l.cancel()

	lc.mu.Lock()
	l.apis, l.err = apis, err
	p := lc.products[productID]
	p.running = nil
	if (err == nil || IsNotFound(err)) && l.gen == p.gen {
		p.latest = l
	}
	if n := p.next; n != nil {
		p.next = nil
		lc.start(productID, p, n)
	}
	lc.forgetIdle(productID, p)
	lc.mu.Unlock()
	close(l.done)
}

// wait blocks until l completes or ctx ends. A caller that gives up leaves without disturbing the
// other waiters.
func (lc *listingCoalescer) wait(ctx context.Context, productID string, l *listing) ([]APIInfo, error) {
	select {
	case <-l.done:
		return l.apis, l.err
	case <-ctx.Done():
		lc.leave(productID, l)
		return nil, fmt.Errorf("CloudAPI DescribeApiProductApis: API product %q: stopped waiting for the listing: %w", productID, ctx.Err())
	}
}

// leave unregisters a waiter whose context ended. The last one to leave drops a queued listing or
// cancels a running one: nobody would read its result.
func (lc *listingCoalescer) leave(productID string, l *listing) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	l.waiters--
	if l.waiters > 0 {
		return
	}
	p := lc.products[productID]
	switch {
	case p == nil:
	case p.next == l:
		p.next = nil
		lc.forgetIdle(productID, p)
	case p.running == l:
		l.abandoned = true
		l.cancel()
	}
}

// invalidate records that a write to the product returned; under no lock.
func (lc *listingCoalescer) invalidate(productID string) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	if p := lc.products[productID]; p != nil {
		lc.bump(productID, p)
	}
}

// invalidateAll is for writes that may change any product (deleting an API detaches it from
// every product).
func (lc *listingCoalescer) invalidateAll() {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	for id, p := range lc.products {
		lc.bump(id, p)
	}
}

func (lc *listingCoalescer) bump(productID string, p *productListings) {
	p.gen++
	p.latest = nil
	lc.forgetIdle(productID, p)
}

// forgetIdle drops a product's state when nothing is running, queued or cached, so the map does
// not keep every product ever listed. Resetting the generation is then harmless: no listing of
// the old state remains to be compared with it.
func (lc *listingCoalescer) forgetIdle(productID string, p *productListings) {
	if p.running == nil && p.next == nil && p.latest == nil {
		delete(lc.products, productID)
	}
}
