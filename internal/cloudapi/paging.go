package cloudapi

// The one routine that reads every paged listing (DescribeApiProductApis, DescribeAppsByApiProduct,
// DescribeApiProductsByApp, DescribeApis).
//
// What it does not assume:
//   - that the service honoured PageSize: a service may cap pages below what was asked (50 when 100
//     was asked). The page size the service actually uses is learnt from the items on a page that
//     was not the last, and a listing ends on an empty page or on a page shorter than that, never on
//     page arithmetic. TotalCount is a hint: a page-1 answer with every item TotalCount announces
//     ends the listing without another call, and it is the consistency check below;
//   - that PageSize 100 is accepted at all: Alibaba documents a maximum (100) only for
//     DescribeAppsByApiProduct. A 4xx that is not about credentials, throttling or a missing object
//     is put to the test: the same page asked with the documented parameters only (no PageSize, the
//     service's default) must fail alike, else our PageSize was the problem, and the next smaller
//     size that works (50, 20, 10, else the service's default) is used, and remembered per
//     operation for the client's life;
//   - that nothing changes while it pages: items come and go between our page requests. A removal
//     before the page boundary moves an item from a page not read yet onto one already read, and
//     that item, present the whole time, would be missed. So the listing starts over (bounded:
//     maxListAttempts) when TotalCount changes between pages, and when the distinct items read are
//     fewer than TotalCount at the end, and, when the service sends no TotalCount, after any
//     listing of several pages; a listing that answers the same twice in a row is taken as it is
//     (a service whose TotalCount is simply wrong, or absent). If it never settles, the answer is an
//     error, not a listing that may be missing items. Items repeated across pages (the listing
//     shifted the other way) are kept once.
//
// One change it cannot see: a removal before the page boundary and an addition after it, between
// two of our page requests, leave TotalCount and the number of distinct items as they were. Nothing
// a paged listing answers tells that apart from a quiet listing; the next read (a refresh) sees
// the item again.

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

const (
	// pageSize is the page size asked for first: the documented maximum of DescribeAppsByApiProduct
	// and of the sibling Describe operations that document one.
	pageSize = 100
	// maxListAttempts bounds how often a listing starts over because the service's answers changed
	// while it was read.
	maxListAttempts = 5
)

// smallerPageSizes are tried, in order, when the service refuses a page size; 0 means sending no
// PageSize (the service's default, 10 where documented).
var smallerPageSizes = []int{50, 20, 10, 0}

// maxPages stops a misbehaving server (TotalCount that keeps growing, pages that never end) from
// keeping us paging forever: 1,000 pages of 100 is far beyond any real product. A variable so
// tests can lower it.
var maxPages = 1000

// listPage is one page as the service answered it: its items and TotalCount (-1 when absent).
type listPage[T any] struct {
	items []T
	total int
	// size is the PageSize it was asked with (0: none).
	size int
}

// pageFunc reads page number (1-based) with size items per page (0: no PageSize parameter).
type pageFunc[T any] func(ctx context.Context, number, size int) (listPage[T], error)

// pagedListing describes one listing for listAll.
type pagedListing[T any, K comparable] struct {
	// action is the operation: the key of the page size remembered for it, and in messages.
	action string
	// subject names what is listed, for messages (`API product "p1"`).
	subject string
	fetch   pageFunc[T]
	key     func(T) K
	// missing, when set, is the listing's answer when the listed object does not exist (its Err is
	// set to the service's answer): a page answered "not found" (IsNotFound), or page 1 answered
	// what the ambiguity rule (answersAsUnknown, with probe) takes for it.
	missing *NotFoundError
	// probe, when set, lists page 1 of another object id with the documented parameters only.
	probe func(ctx context.Context, id string) error
	// first, when set, is page 1 read earlier; the first round uses it instead of reading page 1
	// again, if it was read with the page size now in use.
	first *listPage[T]
}

// pageSizes remembers, per operation, the page size the service accepts.
type pageSizes struct {
	mu    sync.Mutex
	sizes map[string]int
}

func (ps *pageSizes) get(action string) int {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if s, ok := ps.sizes[action]; ok {
		return s
	}
	return pageSize
}

func (ps *pageSizes) set(action string, size int) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if ps.sizes == nil {
		ps.sizes = map[string]int{}
	}
	// Concurrent listings may both step down; the smaller size is the one known to work for both.
	if cur, ok := ps.sizes[action]; !ok || size < cur {
		ps.sizes[action] = size
	}
}

// round is what one pass over the pages saw, for deciding whether to trust it.
type round[K comparable] struct {
	complete bool   // the pages were consistent
	why      string // why not, for logs and the final error
	total    int
	keys     map[K]struct{}
}

// sameAs reports whether two inconsistent rounds answered the same: the service is not changing,
// only its TotalCount is wrong.
func (r round[K]) sameAs(o *round[K]) bool {
	// A round cut short (TotalCount changed, page size changed) has no keys and answers nothing.
	if o == nil || r.keys == nil || o.keys == nil || r.total != o.total || len(r.keys) != len(o.keys) {
		return false
	}
	for k := range r.keys {
		if _, ok := o.keys[k]; !ok {
			return false
		}
	}
	return true
}

// listAll reads every page of l (see the file comment for the rules) and returns the distinct items
// in the order the service listed them.
func listAll[T any, K comparable](ctx context.Context, c *Client, l pagedListing[T, K]) ([]T, error) {
	var prev *round[K]
	first := l.first
	for attempt := 1; ; attempt++ {
		out, r, err := listRound(ctx, c, l, first)
		first = nil
		switch {
		case err != nil:
			return nil, err
		case r.complete, r.sameAs(prev):
			return out, nil
		case attempt >= maxListAttempts:
			return nil, fmt.Errorf("CloudAPI %s: %s: the listing changed while it was read, %d times in a row (last: %s); "+
				"not answering from a listing that may miss items that were there all along: try again", l.action, l.subject, attempt, r.why)
		}
		tflog.Debug(ctx, "the listing changed while it was read; reading it again", map[string]any{
			"action": l.action, "subject": l.subject, "attempt": attempt, "reason": r.why,
		})
		prev = &r
	}
}

// listRound is one pass over the pages, from page 1.
func listRound[T any, K comparable](ctx context.Context, c *Client, l pagedListing[T, K], first *listPage[T]) ([]T, round[K], error) {
	out := []T{}
	seen := map[K]struct{}{}
	learnt := 0 // the most items a page held: the service's page size, once a page was not the last
	total := -1 // page 1's TotalCount
	pages := 0
	for number := 1; ; number++ {
		pages = number
		if number > maxPages {
			return nil, round[K]{}, fmt.Errorf("CloudAPI %s: %s: stopped after %d pages (%d items read) because the listing did not end", l.action, l.subject, maxPages, len(out))
		}
		var p listPage[T]
		var resized bool
		var err error
		if number == 1 && first != nil && first.size == c.pageSizes.get(l.action) {
			p = *first
		} else {
			p, resized, err = fetchPage(ctx, c, l, number)
		}
		first = nil
		if err != nil {
			return nil, round[K]{}, l.asMissing(err)
		}
		if resized && number > 1 {
			// Pages of another size start at other items: start over with the new size.
			return nil, round[K]{why: "the page size changed"}, nil
		}
		switch {
		case number == 1:
			total = p.total
		case p.total >= 0 && total >= 0 && p.total != total:
			return nil, round[K]{why: fmt.Sprintf("TotalCount went from %d to %d between pages", total, p.total)}, nil
		case p.total >= 0 && total < 0:
			total = p.total
		}
		for _, it := range p.items {
			k := l.key(it)
			if _, dup := seen[k]; dup {
				continue
			}
			seen[k] = struct{}{}
			out = append(out, it)
		}
		n := len(p.items)
		if n == 0 || (learnt > 0 && n < learnt) || (total >= 0 && len(seen) >= total) {
			break
		}
		learnt = max(learnt, n)
	}
	r := round[K]{complete: true, total: total, keys: seen}
	switch {
	case total >= 0 && len(seen) < total:
		r.complete = false
		r.why = fmt.Sprintf("%d distinct items read, TotalCount %d", len(seen), total)
	case total < 0 && pages > 1:
		// Nothing to check pages against: only a second reading that answers the same shows that
		// no item moved between pages while they were read.
		r.complete = false
		r.why = "no TotalCount to check a listing of several pages against"
	}
	return out, r, nil
}

// fetchPage reads one page at the operation's page size. If the service refuses that size (the
// same page asked with the documented parameters only succeeds), the next smaller size that works
// is remembered and used; resized says so. A page-1 error that is not about the page size goes
// through the listing's ambiguity rule, if it has one.
func fetchPage[T any, K comparable](ctx context.Context, c *Client, l pagedListing[T, K], number int) (listPage[T], bool, error) {
	size := c.pageSizes.get(l.action)
	p, err := l.fetch(ctx, number, size)
	if err == nil || !unexplained4xx(err) || ctx.Err() != nil {
		p.size = size
		return p, false, err
	}
	if size != 0 {
		dp, derr := l.fetch(ctx, number, 0)
		switch {
		case derr == nil:
			// Our PageSize was refused. The largest smaller one that works is used from now on.
			for _, s := range smallerPageSizes {
				if s >= size && s != 0 {
					continue
				}
				sp := dp
				if s != 0 {
					var serr error
					if sp, serr = l.fetch(ctx, number, s); serr != nil {
						if !unexplained4xx(serr) {
							return listPage[T]{}, false, serr
						}
						continue
					}
				}
				tflog.Debug(ctx, "the service refused our page size; using a smaller one from now on", map[string]any{
					"action": l.action, "refused_page_size": size, "page_size": s, "error_code": ErrorCode(err),
				})
				c.pageSizes.set(l.action, s)
				sp.size = s
				return sp, true, nil
			}
		case !sameAnswer(err, derr):
			// Another answer to the documented parameters: that one is about what is listed (a
			// product that is not found), not about our PageSize, and is the one to go by.
			if !unexplained4xx(derr) {
				return listPage[T]{}, false, derr
			}
			err = derr
		}
	}
	// The answer to the documented parameters is about what is listed, not how.
	if number == 1 && l.missing != nil && l.probe != nil && c.answersAsUnknown(ctx, err, l.probe) {
		return listPage[T]{}, false, l.notFound(err)
	}
	return listPage[T]{}, false, err
}

// asMissing is err as the listing's *NotFoundError when it says that the listed object does not
// exist; any other error as it is.
func (l pagedListing[T, K]) asMissing(err error) error {
	var nf *NotFoundError
	if l.missing == nil || errors.As(err, &nf) || !IsNotFound(err) {
		return err
	}
	return l.notFound(err)
}

// notFound is the listing's *NotFoundError with the service's answer err.
func (l pagedListing[T, K]) notFound(err error) error {
	e := *l.missing
	e.Err = err
	return &e
}

// unexplained4xx reports a definite 4xx from the service that says neither "not found" nor anything
// about credentials, permissions, throttling or a busy object: the answer that might be about our
// parameters, or about the listed object in words we cannot rely on.
func unexplained4xx(err error) bool {
	d := inspect(err)
	return d.structured && d.code != "" && d.status >= 400 && d.status < 500 && d.status != 401 && d.status != 403 && d.status != 429 &&
		!IsNotFound(err) && !IsCredentialError(err) && !d.isThrottled() && !isBusyCode(d.code)
}

// sameAnswer reports whether two errors are the same answer of the service (status and code).
func sameAnswer(a, b error) bool {
	da, db := inspect(a), inspect(b)
	return db.structured && da.status == db.status && da.code == db.code
}

// answersAsUnknown decides, from listings, whether a 4xx answer to the first page of an object's
// listing (a product's APIs, a product's apps) means that the object does not exist, when the answer
// does not say so itself (not a 404, no NotFound code). Alibaba documents no answer for an unknown
// product, and the provider must not rely on an error text: a product wrongly taken for missing is
// dropped from the state (and re-created by the next apply), one wrongly taken for present fails
// every refresh. The listing names one object, so the answer is about it unless it is about the
// request itself; two more listings tell:
//
//  1. the same object with nothing but the documented parameters (no PageSize, whose maximum is
//     mostly undocumented): fetchPage has asked it before calling this, and it failed alike;
//  2. an object id that cannot exist (probe), with the same parameters: the service must answer it
//     with the same status and code.
//
// Credential rejections, throttling, 401, 403 and 429 are never taken for an unknown object.
func (c *Client) answersAsUnknown(ctx context.Context, err error, probe func(ctx context.Context, id string) error) bool {
	if !unexplained4xx(err) || ctx.Err() != nil {
		return false
	}
	if perr := probe(ctx, probeProductID()); perr == nil || !sameAnswer(err, perr) {
		return false
	}
	d := inspect(err)
	tflog.Debug(ctx, "the service answers this object as it answers one that cannot exist; taking it as not found",
		map[string]any{"error_code": d.code, "http_status": d.status})
	return true
}
