package model

import (
	"fmt"
	"time"
)

// Behaviour selects, where Alibaba documents nothing, which plausible reading of the service the
// model follows. The zero value is the emulator's default reading. A provider must be correct under
// every reading, so tests run it against each.
type Behaviour struct {
	// UnknownProduct is how DescribeApiProductApis and DetachApiProduct answer for a product that
	// does not exist.
	UnknownProduct UnknownProductAnswer
	// RefuseDetachUnattached makes DetachApiProduct naming a pair that is not attached (of an
	// existing product, or of any product under UnknownProductEmpty) fail with NotAttachedError,
	// changing nothing; by default such pairs are ignored.
	RefuseDetachUnattached bool
	// RefuseDuplicateAttach makes AttachApiProduct naming a pair that is already attached fail with
	// AlreadyAttachedError, changing nothing; by default re-attaching is a no-op.
	RefuseDuplicateAttach bool
	// AttachVisibilityDelay hides a fresh attachment from DescribeApiProductApis for this long.
	AttachVisibilityDelay time.Duration
	// DetachVisibilityDelay keeps a detached pair in DescribeApiProductApis for this long, like a
	// read replica that has not caught up with the detach. It is gone for every other purpose.
	DetachVisibilityDelay time.Duration
	// CapPageSize, when positive, makes every paged Describe operation answer at most this many
	// items per page whatever PageSize asked for (pages are cut at this size; TotalCount stays
	// true), like a service with a lower page limit than its clients assume.
	CapPageSize int
	// RefusePageSizeAbove, when positive, refuses a PageSize above it with InvalidParameter (400),
	// as the service answers bad parameters.
	RefusePageSizeAbove int
	// LockTimeoutEvery, when at least 2, refuses writes to a product with LockTimeoutError, as the
	// service answers a write that waited in vain for another write to the same object: each write
	// counts once against every product it names (AttachApiProduct, DetachApiProduct,
	// DeleteApiProduct, SetAppsAuthToApiProduct, SetApiProductsAuthorities,
	// RemoveApiProductsAuthorities), and the one that brings a product's count to LockTimeoutEvery
	// is refused, changing nothing, and starts the counts of the products it names over. So
	// concurrency is modelled deterministically, and the retry of a refused write is accepted.
	LockTimeoutEvery int
	// LockTimeoutAfterApply is the other reading of a lock timeout, which Alibaba does not rule
	// out: the refused write (LockTimeoutEvery) was applied, as far as it would have succeeded,
	// before ConcurrencyLockTimeout was answered. A write that fails for another reason answers that.
	LockTimeoutAfterApply bool
	// ProxyNotFoundEvery, when at least 2, answers every ProxyNotFoundEvery-th authenticated
	// request with a 404 that carries no CloudAPI error code (an HTML page), as a proxy or load
	// balancer in front of the service might; the request never reaches the service. It is the
	// protocol layer's (the emulator's), kept here with the other readings so that one value
	// selects a profile.
	ProxyNotFoundEvery int
}

// UnknownProductAnswer is one reading of how the service answers for an unknown API product.
type UnknownProductAnswer int

const (
	// UnknownProductNotFound answers NotFoundError (the protocol's NotFoundApiProduct, 404).
	UnknownProductNotFound UnknownProductAnswer = iota
	// UnknownProductEmpty treats an unknown product as an empty one: listings are empty with
	// TotalCount 0, and detaching from it detaches nothing.
	UnknownProductEmpty
	// UnknownProductOtherCode answers NotFoundError too, which the protocol maps to a code a client
	// cannot know in advance (a 400, not a 404, not starting with NotFound).
	UnknownProductOtherCode
)

// UnknownProductAnswers names the readings, for flags and messages.
var UnknownProductAnswers = map[string]UnknownProductAnswer{
	"not-found":  UnknownProductNotFound,
	"empty":      UnknownProductEmpty,
	"other-code": UnknownProductOtherCode,
}

func (a UnknownProductAnswer) String() string {
	for name, v := range UnknownProductAnswers {
		if v == a {
			return name
		}
	}
	return fmt.Sprintf("UnknownProductAnswer(%d)", int(a))
}

// Validate reports settings that cannot be served.
func (bh Behaviour) Validate() error {
	if bh.AttachVisibilityDelay < 0 || bh.DetachVisibilityDelay < 0 {
		return fmt.Errorf("visibility delays must not be negative (attach %s, detach %s)", bh.AttachVisibilityDelay, bh.DetachVisibilityDelay)
	}
	if bh.UnknownProduct < UnknownProductNotFound || bh.UnknownProduct > UnknownProductOtherCode {
		return fmt.Errorf("unknown-product answer %d is not one of the readings", int(bh.UnknownProduct))
	}
	if bh.CapPageSize < 0 || bh.RefusePageSizeAbove < 0 {
		return fmt.Errorf("page size limits must not be negative (cap %d, refuse above %d)", bh.CapPageSize, bh.RefusePageSizeAbove)
	}
	// Every write (every request) refused would never succeed: 1 is not a reading of a service.
	if bh.LockTimeoutEvery < 0 || bh.LockTimeoutEvery == 1 {
		return fmt.Errorf("lock timeout every %d writes: want 0 (never) or at least 2", bh.LockTimeoutEvery)
	}
	if bh.ProxyNotFoundEvery < 0 || bh.ProxyNotFoundEvery == 1 {
		return fmt.Errorf("proxy 404 every %d requests: want 0 (never) or at least 2", bh.ProxyNotFoundEvery)
	}
	return nil
}

// LockTimeoutError is a write refused because another write to the same product held its lock
// (Behaviour.LockTimeoutEvery). Nothing was changed.
type LockTimeoutError struct {
	ProductID string
}

func (e *LockTimeoutError) Error() string {
	return fmt.Sprintf("another write to API product %s held its lock; nothing was changed, try again", e.ProductID)
}

// lockTimeout counts one write against each of productIDs and refuses it when one of them reaches
// Behaviour.LockTimeoutEvery (see there). The counts live in the Backend: a write to a region the
// account has nothing in yet is made on a stand-in Region that is not kept.
func (r *Region) lockTimeout(productIDs ...string) error {
	every := r.b.behaviour.LockTimeoutEvery
	if every < 2 {
		return nil
	}
	b := r.b
	b.writesMu.Lock()
	defer b.writesMu.Unlock()
	if b.writes == nil {
		b.writes = make(map[productKey]int)
	}
	var refused string
	for _, id := range productIDs {
		k := productKey{r.account, r.name, id}
		b.writes[k]++
		if b.writes[k] >= every && refused == "" {
			refused = id
		}
	}
	if refused == "" {
		return nil
	}
	for _, id := range productIDs {
		delete(b.writes, productKey{r.account, r.name, id})
	}
	return &LockTimeoutError{ProductID: refused}
}

// lockedWrite runs write, a write to the products named, under r.mu, refusing it first with a lock
// timeout as Behaviour.LockTimeoutEvery says (lockTimeout), or, under LockTimeoutAfterApply,
// answering the lock timeout after it was applied (afterLock).
func (r *Region) lockedWrite(write func() error, productIDs ...string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	lockErr := r.lockTimeout(productIDs...)
	if lockErr != nil && !r.b.behaviour.LockTimeoutAfterApply {
		return lockErr
	}
	return afterLock(write(), lockErr)
}

// afterLock is what a write answers under Behaviour.LockTimeoutAfterApply: its own error if it
// failed, else the lock timeout lockErr (nil when there was none).
func afterLock(err, lockErr error) error {
	if err != nil {
		return err
	}
	return lockErr
}

// productKey names one product of one account in one region.
type productKey struct{ account, region, product string }

// NotAttachedError is DetachApiProduct refusing pairs that are not attached
// (Behaviour.RefuseDetachUnattached).
type NotAttachedError struct {
	ProductID string
	Pair      AttachmentKey
}

func (e *NotAttachedError) Error() string {
	return fmt.Sprintf("API %s in stage %s is not attached to API product %s", e.Pair.APIID, e.Pair.Stage, e.ProductID)
}

// AlreadyAttachedError is AttachApiProduct refusing pairs that are attached already
// (Behaviour.RefuseDuplicateAttach).
type AlreadyAttachedError struct {
	ProductID string
	Pair      AttachmentKey
}

func (e *AlreadyAttachedError) Error() string {
	return fmt.Sprintf("API %s in stage %s is already attached to API product %s", e.Pair.APIID, e.Pair.Stage, e.ProductID)
}
