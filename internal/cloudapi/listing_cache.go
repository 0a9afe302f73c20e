package cloudapi

// Product listings and the client's own writes.
//
// Every refresh of an attachment needs the product's list of APIs, and DescribeApiProductApis can
// only list the whole product, 100 per page: unshared, N attachments in one product would cost
// N × ⌈N/100⌉ requests per refresh. So the client keeps, per product, the last complete listing,
// and lays over it the writes it made itself since (a successful attach adds the pair, a
// successful detach removes it). Grants of apps on a product are kept the same way, from
// DescribeAppsByApiProduct, with the client's grants and revokes laid over them: listingCache is
// generic over the key of an entry (an APIRef, an app id) and the entry (APIInfo, AuthorizedApp).
// That gives this freshness rule:
//
//   - A relaxed read (WithMaxStaleness(ctx, d); Terraform's refresh uses it) is answered from the
//     product's last listing if that started at most d ago, else by a new listing.
//   - A strict read (the default) is answered by a listing that started after the call.
//   - Either way the answer includes every successful write this client made: a listing that
//     started before the write, or that does not show it yet because the service is slow to make
//     fresh writes visible, is corrected by the overlay. An overlay entry is dropped once a listing
//     that started after the write agrees with it, or VisibilityGrace after the write (the listing
//     then wins, so changes made elsewhere are not hidden for long).
//   - A write whose outcome is unknown (the answer was lost) drops the overlay entries of its
//     pairs: only a listing can tell.
//
// Concurrent reads of one product share one listing in flight (singleflight). "Product not found"
// is an answer, kept like a list; errors reach every caller of the listing that failed and are
// never kept.

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// VisibilityGrace is how long a successful write is trusted over listings that do not show it:
// the longest delay before the service lists a fresh write that the provider tolerates. Alibaba
// documents none; seconds are plausible, so this is generous.
const VisibilityGrace = 2 * time.Minute

// sharedListingTimeout bounds a shared listing whose first caller has no deadline.
const sharedListingTimeout = 5 * time.Minute

type maxStalenessKey struct{}

// WithMaxStaleness returns a context under which ListProductAPIs and FindAttachment may be
// answered from a listing of the product that started at most d before the call, instead of one
// that starts after it. d <= 0 restores the strict default. Writes made through the same Client
// are always seen; what a relaxed read may miss are changes made elsewhere within the last d.
func WithMaxStaleness(ctx context.Context, d time.Duration) context.Context {
	return context.WithValue(ctx, maxStalenessKey{}, d)
}

func maxStaleness(ctx context.Context) time.Duration {
	d, _ := ctx.Value(maxStalenessKey{}).(time.Duration)
	return d
}

// listingCache holds, per product, the last listing and the client's own writes since. K is the key
// of an entry, V the entry.
type listingCache[K comparable, V any] struct {
	clock Clock
	// action names the listing operation in messages.
	action string
	// fetch pages through the whole product (Client.listProductAPIs, Client.listProductApps).
	fetch func(ctx context.Context, productID string) ([]V, error)
	// keyOf is an entry's key; compare orders the entries the client added itself (after the
	// listed ones), for stable answers.
	keyOf   func(V) K
	compare func(a, b V) int
	flight  singleflight.Group

	mu       sync.Mutex
	products map[string]*productSnapshot[K, V]
}

// productSnapshots is the cache of products' APIs.
type productSnapshots = listingCache[APIRef, APIInfo]

type productSnapshot[K comparable, V any] struct {
	listing *productListing[K, V] // nil until the first listing completes
	overlay map[K]ownWrite[V]
}

// productListing is one complete paging of a product.
type productListing[K comparable, V any] struct {
	started time.Time
	apis    []V
	index   map[K]int // position in apis
	// missing is set when the service does not know the product; missingErr is its answer.
	missing    bool
	missingErr error
}

// ownWrite is a write this client made and a listing has not confirmed yet.
type ownWrite[V any] struct {
	attached bool // attach or grant; false: detach or revoke
	info     V    // for an attach or grant: what is known of the entry
	at       time.Time
}

func newProductSnapshots(clock Clock, fetch func(context.Context, string) ([]APIInfo, error)) *productSnapshots {
	return newListingCache(clock, "DescribeApiProductApis", fetch, APIInfo.ref, func(a, b APIInfo) int {
		return cmp.Or(strings.Compare(a.APIID, b.APIID), strings.Compare(a.StageName, b.StageName))
	})
}

func newListingCache[K comparable, V any](clock Clock, action string, fetch func(context.Context, string) ([]V, error),
	keyOf func(V) K, compare func(a, b V) int) *listingCache[K, V] {
	return &listingCache[K, V]{clock: clock, action: action, fetch: fetch, keyOf: keyOf, compare: compare,
		products: map[string]*productSnapshot[K, V]{}}
}

// get returns the product's APIs under ctx's freshness rule. missing is the service's "not found"
// answer when the product does not exist (and the client attached nothing to it since).
func (ps *listingCache[K, V]) get(ctx context.Context, productID string) (apis []V, missing error, err error) {
	var view []V
	err = ps.read(ctx, productID, func(s *productSnapshot[K, V]) {
		view, missing = s.view(ps.keyOf, ps.compare)
	})
	return view, missing, err
}

// all is get with the service's "not found" answer as the error, for callers that list.
func (ps *listingCache[K, V]) all(ctx context.Context, productID string) ([]V, error) {
	apis, missing, err := ps.get(ctx, productID)
	if err == nil && missing != nil {
		return nil, missing
	}
	return apis, err
}

// lookup is find for callers that want one answer: the entry, or nil when it is absent, with the
// service's "not found" answer as the error when the whole product is unknown.
func (ps *listingCache[K, V]) lookup(ctx context.Context, productID string, ref K) (*V, error) {
	info, ok, missing, err := ps.find(ctx, productID, ref)
	switch {
	case err != nil:
		return nil, err
	case ok:
		return &info, nil
	}
	return nil, missing
}

// find looks one pair up under ctx's freshness rule, without copying the listing: a refresh of N
// attachments makes N of these.
func (ps *listingCache[K, V]) find(ctx context.Context, productID string, ref K) (info V, found bool, missing error, err error) {
	err = ps.read(ctx, productID, func(s *productSnapshot[K, V]) {
		info, found, missing = s.find(ref)
	})
	return info, found, missing, err
}

// read runs use on the product's snapshot under ps.mu, once it is fresh enough for ctx.
func (ps *listingCache[K, V]) read(ctx context.Context, productID string, use func(*productSnapshot[K, V])) error {
	now := ps.clock.Now()
	notBefore := now
	if maxAge := maxStaleness(ctx); maxAge > 0 {
		notBefore = now.Add(-maxAge)
		ps.mu.Lock()
		if s := ps.products[productID]; s != nil && s.listing != nil && !s.listing.started.Before(notBefore) {
			use(s)
			ps.mu.Unlock()
			return nil
		}
		ps.mu.Unlock()
	}
	l, err := ps.list(ctx, productID, notBefore)
	if err != nil {
		return err
	}
	ps.mu.Lock()
	defer ps.mu.Unlock()
	s := ps.snapshot(productID)
	if s.listing == nil || !l.started.Before(s.listing.started) {
		s.listing = l
		ps.prune(s, l)
	}
	use(s)
	return nil
}

// list returns a listing that started at or after notBefore, sharing the one in flight when it
// qualifies. The listing runs under a context of its own: one caller leaving must not fail it for
// the others.
func (ps *listingCache[K, V]) list(ctx context.Context, productID string, notBefore time.Time) (*productListing[K, V], error) {
	for tries := 0; ; tries++ {
		ch := ps.flight.DoChan(productID, func() (any, error) {
			lctx, cancel := detachedWithDeadline(ctx)
			defer cancel()
			l := &productListing[K, V]{started: ps.clock.Now()}
			apis, err := ps.fetch(lctx, productID)
			switch {
			case IsNotFound(err):
				l.missing, l.missingErr = true, err
			case err != nil:
				return nil, err
			default:
				l.apis = apis
				l.index = make(map[K]int, len(apis))
				for i, a := range apis {
					l.index[ps.keyOf(a)] = i
				}
			}
			return l, nil
		})
		var res singleflight.Result
		select {
		case res = <-ch:
		case <-ctx.Done():
			return nil, fmt.Errorf("CloudAPI %s: API product %q: stopped waiting for the listing: %w", ps.action, productID, ctx.Err())
		}
		if res.Err != nil {
			// The listing may have stopped at its first caller's deadline, earlier than ours.
			if tries == 0 && errors.Is(res.Err, context.DeadlineExceeded) && ctx.Err() == nil {
				continue
			}
			return nil, res.Err
		}
		l := res.Val.(*productListing[K, V])
		if l.started.Before(notBefore) && tries < 2 {
			// It was already running when we asked: it may miss a write that ended just before.
			continue
		}
		return l, nil
	}
}

// detachedWithDeadline keeps ctx's values (log fields) and deadline but not its cancellation.
func detachedWithDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	base := context.WithoutCancel(ctx)
	if d, ok := ctx.Deadline(); ok {
		return context.WithDeadline(base, d)
	}
	return context.WithTimeout(base, sharedListingTimeout)
}

// recordWrite notes a successful write of refs (attach or detach, grant or revoke); info describes
// an attached or granted entry as far as it is known.
func (ps *listingCache[K, V]) recordWrite(productID string, refs []K, attached bool, info func(K) V) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	s := ps.snapshot(productID)
	now := ps.clock.Now()
	for _, r := range refs {
		w := ownWrite[V]{attached: attached, at: now}
		if attached {
			w.info = info(r)
		}
		s.overlay[r] = w
	}
}

// forgetWrites drops what the client believed about refs: a write to them had an unknown outcome.
func (ps *listingCache[K, V]) forgetWrites(productID string, refs []K) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if s := ps.products[productID]; s != nil {
		for _, r := range refs {
			delete(s.overlay, r)
		}
	}
}

// forgetProduct drops everything known about the product (it was deleted).
func (ps *listingCache[K, V]) forgetProduct(productID string) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	delete(ps.products, productID)
}

// snapshot returns the product's entry, creating it; under ps.mu.
func (ps *listingCache[K, V]) snapshot(productID string) *productSnapshot[K, V] {
	s := ps.products[productID]
	if s == nil {
		s = &productSnapshot[K, V]{overlay: map[K]ownWrite[V]{}}
		ps.products[productID] = s
	}
	return s
}

// prune drops the overlay entries that listing l confirms, or that are too old to trust over it;
// under ps.mu.
func (ps *listingCache[K, V]) prune(s *productSnapshot[K, V], l *productListing[K, V]) {
	if len(s.overlay) == 0 {
		return
	}
	now := ps.clock.Now()
	for r, w := range s.overlay {
		_, listed := l.index[r]
		confirmed := l.started.After(w.at) && listed == w.attached
		if confirmed || now.Sub(w.at) > VisibilityGrace {
			delete(s.overlay, r)
		}
	}
}

// view is the listing corrected by the overlay; under ps.mu. The slice is the caller's.
func (s *productSnapshot[K, V]) view(keyOf func(V) K, compare func(a, b V) int) ([]V, error) {
	out := []V{}
	seen := map[K]bool{}
	var missing error
	if s.listing != nil {
		missing = s.listing.missingErr
		for _, a := range s.listing.apis {
			r := keyOf(a)
			if w, ok := s.overlay[r]; ok && !w.attached {
				continue
			}
			seen[r] = true
			out = append(out, a)
		}
	}
	var added []V
	for r, w := range s.overlay {
		if w.attached && !seen[r] {
			added = append(added, w.info)
		}
	}
	if len(added) > 0 {
		// Attaching creates the product.
		missing = nil
		slices.SortFunc(added, compare)
		out = append(out, added...)
	}
	return out, missing
}

// find is view's answer for one pair; under ps.mu.
func (s *productSnapshot[K, V]) find(r K) (V, bool, error) {
	var none V
	w, written := s.overlay[r]
	if written && !w.attached {
		return none, false, s.missing()
	}
	// A listed pair is described best by the listing.
	if s.listing != nil {
		if i, ok := s.listing.index[r]; ok {
			return s.listing.apis[i], true, nil
		}
	}
	if written {
		return w.info, true, nil
	}
	return none, false, s.missing()
}

// missing is the service's "not found" answer if the product is unknown and the client attached
// nothing to it since; under ps.mu.
func (s *productSnapshot[K, V]) missing() error {
	if s.listing == nil || s.listing.missingErr == nil {
		return nil
	}
	for _, w := range s.overlay {
		if w.attached {
			return nil
		}
	}
	return s.listing.missingErr
}

func (a APIInfo) ref() APIRef { return APIRef{APIID: a.APIID, StageName: a.StageName} }
