package cloudapi

// Product listings shared per product, with the client's own writes laid over them: the rules
// are DESIGN.md's "Shared listings and their freshness rule".

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

// Freshness is how old a shared listing may be to answer a read (DESIGN.md "Shared listings and
// their freshness rule"). Writes made through the same Client are always seen; what a relaxed read
// may miss are changes made elsewhere within its maximum age.
type Freshness time.Duration

// Strict reads are answered by a listing that starts after the call.
const Strict Freshness = 0

// AtMost allows a read to be answered from a listing of the product that started at most d before
// the call; d <= 0 is Strict.
func AtMost(d time.Duration) Freshness { return Freshness(max(d, 0)) }

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
	// absent is the kind of find's answer for an entry the product does not hold.
	absent NotFoundKind
	flight singleflight.Group

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
	// missing is set when the service does not know the product.
	missing *NotFoundError
}

// ownWrite is a write this client made and a listing has not confirmed yet.
type ownWrite[V any] struct {
	attached bool // attach or grant; false: detach or revoke
	info     V    // for an attach or grant: what is known of the entry
	at       time.Time
}

func newProductSnapshots(clock Clock, fetch func(context.Context, string) ([]APIInfo, error)) *productSnapshots {
	return newListingCache(clock, "DescribeApiProductApis", NotFoundAttachment, fetch, APIInfo.ref, func(a, b APIInfo) int {
		return cmp.Or(strings.Compare(a.APIID, b.APIID), strings.Compare(a.StageName, b.StageName))
	})
}

func newListingCache[K comparable, V any](clock Clock, action string, absent NotFoundKind, fetch func(context.Context, string) ([]V, error),
	keyOf func(V) K, compare func(a, b V) int) *listingCache[K, V] {
	return &listingCache[K, V]{clock: clock, action: action, absent: absent, fetch: fetch, keyOf: keyOf, compare: compare,
		products: map[string]*productSnapshot[K, V]{}}
}

// all returns the product's entries as fresh as asked, or the product's *NotFoundError when the
// service does not know it (and the client added nothing to it since).
func (ps *listingCache[K, V]) all(ctx context.Context, productID string, fresh Freshness) ([]V, error) {
	var view []V
	var missing *NotFoundError
	err := ps.read(ctx, productID, fresh, func(s *productSnapshot[K, V]) {
		view, missing = s.view(ps.keyOf, ps.compare)
	})
	switch {
	case err != nil:
		return nil, err
	case missing != nil:
		return nil, missing
	}
	return view, nil
}

// find looks one entry up as fresh as asked, without copying the listing (a refresh of N
// attachments makes N of these). Its *NotFoundError is the product's, or of kind ps.absent.
func (ps *listingCache[K, V]) find(ctx context.Context, productID string, key K, fresh Freshness) (V, error) {
	var v V
	var found bool
	var missing *NotFoundError
	err := ps.read(ctx, productID, fresh, func(s *productSnapshot[K, V]) {
		if v, found = s.find(key); !found {
			missing = s.missing()
		}
	})
	switch {
	case err != nil:
		return v, err
	case found:
		return v, nil
	case missing != nil:
		return v, missing
	}
	return v, &NotFoundError{Kind: ps.absent, ProductID: productID}
}

// read runs use on the product's snapshot under ps.mu, once it is as fresh as asked.
func (ps *listingCache[K, V]) read(ctx context.Context, productID string, fresh Freshness, use func(*productSnapshot[K, V])) error {
	now := ps.clock.Now()
	notBefore := now
	if fresh > 0 {
		notBefore = now.Add(-time.Duration(fresh))
		if ps.useKept(productID, notBefore, use) {
			return nil
		}
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

// useKept runs use on the product's snapshot if its listing started at or after notBefore.
func (ps *listingCache[K, V]) useKept(productID string, notBefore time.Time, use func(*productSnapshot[K, V])) bool {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	s := ps.products[productID]
	if s == nil || s.listing == nil || s.listing.started.Before(notBefore) {
		return false
	}
	use(s)
	return true
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
			case errors.As(err, &l.missing):
				// The service does not know the product: an answer, kept like a list.
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

// view is the listing corrected by the overlay, and the product's not-found answer if it still
// holds; under ps.mu. The slice is the caller's.
func (s *productSnapshot[K, V]) view(keyOf func(V) K, compare func(a, b V) int) ([]V, *NotFoundError) {
	out := []V{}
	seen := map[K]bool{}
	if s.listing != nil {
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
	slices.SortFunc(added, compare)
	return append(out, added...), s.missing()
}

// find is view's entry for one key; under ps.mu.
func (s *productSnapshot[K, V]) find(r K) (V, bool) {
	var none V
	w, written := s.overlay[r]
	if written && !w.attached {
		return none, false
	}
	// A listed pair is described best by the listing.
	if s.listing != nil {
		if i, ok := s.listing.index[r]; ok {
			return s.listing.apis[i], true
		}
	}
	if written {
		return w.info, true
	}
	return none, false
}

// missing is the service's "not found" answer if the product is unknown and the client attached
// (granted) nothing to it since: attaching creates the product; under ps.mu.
func (s *productSnapshot[K, V]) missing() *NotFoundError {
	if s.listing == nil || s.listing.missing == nil {
		return nil
	}
	for _, w := range s.overlay {
		if w.attached {
			return nil
		}
	}
	return s.listing.missing
}

func (info APIInfo) ref() APIRef { return APIRef{APIID: info.APIID, StageName: info.StageName} }
