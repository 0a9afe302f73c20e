package cloudapi

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// When a batch is sent. Terraform core does tens of milliseconds of serial work per resource around
// each provider call, so the -parallelism writes of an apply reach the provider spread over hundreds
// of milliseconds, and a short fixed window catches only a few of them. Waiting costs no wall time
// while Terraform is busy starting more writes; it costs only once every parallel slot waits here.
// So the batcher counts the writes in progress (waiting or in flight, over all products and both
// actions) and learns Terraform's concurrency: the most writes in progress when a batch was closed
// for being quiet. Open batches are sent
//   - as soon as the writes in progress reach that concurrency (nobody else can come),
//   - when one is full (maxItems),
//   - when no write joined for defaultBatchQuiet (before anything is learnt, at the end of a run,
//     or when Terraform pauses); a tenth of that for a product whose last batch closed this way
//     with a single write (writes spread over many products, which waiting cannot gather),
//   - at the latest defaultBatchMaxWait after their first write.
const (
	defaultBatchQuiet   = 100 * time.Millisecond
	defaultBatchMaxWait = 2 * time.Second
)

// ErrNotSent marks a write that was never sent to the service: its caller left before the batch
// it joined went out. The write certainly did not happen.
var ErrNotSent = errors.New("the request was not sent")

// writeBatcher turns concurrent one-item writes of one action to the same scope into one call with
// up to maxItems items, so N concurrent Terraform resources cost one request instead of N. T is the
// item type: an APIRef for AttachApiProduct / DetachApiProduct (scope: the product), an app id for
// SetAppsAuthToApiProduct (scope: the product and the grant's terms), a product id for
// RemoveApiProductsAuthorities (scope: the app). Each caller still gets its own result: a call that fails for a
// reason that may belong to one item is split in halves and sent again, so only the faulty items
// fail. Retries for throttling and transient errors happen inside send, for the batch as a whole.
//
// Each batcher counts its own writes in progress and learns its own concurrency: writes of another
// batcher (attachments and grants in one apply) do not count, so while both kinds run, batches of
// either are sent after defaultBatchQuiet rather than at once. That costs latency, not calls.
type writeBatcher[T any] struct {
	quiet    time.Duration
	maxWait  time.Duration
	maxItems int
	clock    Clock
	// send makes one call of action with every item (through the retry loop).
	send map[string]func(ctx context.Context, scope string, items []T) error
	// itemFault reports, per action, the errors of a call that may be the fault of one of its items
	// (then the call is split to find them); mayBeItemError for actions not listed. It belongs to
	// the action: only the operation knows which objects an answer can be about.
	itemFault map[string]func(error) bool

	mu   sync.Mutex
	open map[batchKey]*writeBatch[T] // the batches still taking items
	// active counts the writes in progress; concurrency is the most that were in progress when a
	// batch closed for being quiet (0 until then).
	active, concurrency int
	// lone marks the batches whose last one closed for being quiet with a single write: writes to
	// many products at once, which waiting cannot gather, so they wait a tenth as long.
	lone map[batchKey]bool
}

type batchKey struct{ action, scope string }

type writeBatch[T any] struct {
	key     batchKey
	members []*batchMember[T]
	started time.Time
	due     bool          // under mu: send now
	wake    chan struct{} // signalled when due becomes true

	// The batch's call runs under its own context: cancelled when every member has left, bounded
	// by the latest member deadline, carrying the first member's log fields.
	ctx    context.Context
	cancel context.CancelFunc
	live   int
}

type batchMember[T any] struct {
	ctx    context.Context
	item   T
	result chan error // buffered: the sender never blocks
	// Under writeBatcher.mu: left when the caller gave up, sent once its item went out.
	left, sent bool
}

func newWriteBatcher[T any](quiet, maxWait time.Duration, maxItems int, clock Clock,
	send map[string]func(context.Context, string, []T) error, itemFault map[string]func(error) bool) *writeBatcher[T] {
	return &writeBatcher[T]{quiet: quiet, maxWait: maxWait, maxItems: maxItems, clock: clock, send: send, itemFault: itemFault,
		open: map[batchKey]*writeBatch[T]{}, lone: map[batchKey]bool{}}
}

// do writes one item with action, batched with the concurrent writes of that action to the same
// scope. If ctx ends before the batch is sent, the item is taken out and the error wraps
// ErrNotSent; if it ends while the call is in flight, the error is ctx's and the outcome is unknown.
func (wb *writeBatcher[T]) do(ctx context.Context, action, scope string, item T) error {
	m := &batchMember[T]{ctx: ctx, item: item, result: make(chan error, 1)}
	wb.join(batchKey{action, scope}, m)
	defer func() {
		wb.mu.Lock()
		wb.active--
		wb.mu.Unlock()
	}()
	select {
	case err := <-m.result:
		return err
	case <-ctx.Done():
	}
	wb.mu.Lock()
	sent := m.sent
	m.left = true
	wb.mu.Unlock()
	if !sent {
		return errors.Join(ErrNotSent, ctx.Err())
	}
	// The call may still answer between ctx ending and now; prefer its result.
	select {
	case err := <-m.result:
		return err
	default:
		return ctx.Err()
	}
}

// join adds m to its open batch, starting one if there is none.
func (wb *writeBatcher[T]) join(key batchKey, m *batchMember[T]) {
	wb.mu.Lock()
	defer wb.mu.Unlock()
	wb.active++
	b := wb.open[key]
	if b == nil {
		b = &writeBatch[T]{key: key, started: wb.clock.Now(), wake: make(chan struct{}, 1)}
		b.ctx, b.cancel = context.WithCancel(context.WithoutCancel(m.ctx))
		wb.open[key] = b
		go wb.run(b)
	}
	b.members = append(b.members, m)
	b.live++
	context.AfterFunc(m.ctx, func() {
		wb.mu.Lock()
		defer wb.mu.Unlock()
		if b.live--; b.live == 0 {
			b.cancel()
		}
	})
	if len(b.members) == wb.maxItems {
		delete(wb.open, key)
		b.makeDue()
	}
	if wb.concurrency > 0 && wb.active >= wb.concurrency {
		for _, ob := range wb.open {
			ob.makeDue()
		}
	}
}

// makeDue marks the batch to be sent now; under writeBatcher.mu.
func (b *writeBatch[T]) makeDue() {
	if !b.due {
		b.due = true
		b.wake <- struct{}{}
	}
}

// run waits until the batch is due, then sends what is still wanted.
func (wb *writeBatcher[T]) run(b *writeBatch[T]) {
	reason := wb.waitUntilDue(b)
	// Under wb.mu from here to the send.
	if wb.open[b.key] == b {
		delete(wb.open, b.key)
	}
	var members []*batchMember[T]
	deadline, bounded := time.Time{}, true
	for _, m := range b.members {
		if m.left || m.ctx.Err() != nil {
			continue
		}
		m.sent = true
		members = append(members, m)
		if d, ok := m.ctx.Deadline(); !ok {
			bounded = false
		} else if d.After(deadline) {
			deadline = d
		}
	}
	wb.mu.Unlock()
	defer b.cancel()
	if len(members) == 0 {
		return
	}
	ctx := b.ctx
	tflog.Debug(ctx, "sending batched call", map[string]any{
		"action": b.key.action, "scope": scopeForLog(b.key.scope), "items": len(members),
		"waited_ms": wb.clock.Now().Sub(b.started).Milliseconds(), "sent_because": reason,
	})
	if bounded {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline)
		defer cancel()
	}
	wb.sendSplit(ctx, b.key, members)
}

// waitUntilDue returns, with wb.mu held, once the batch is due (see defaultBatchQuiet), and why.
func (wb *writeBatcher[T]) waitUntilDue(b *writeBatch[T]) (reason string) {
	seen := 0 // members at the last look
	for {
		wb.mu.Lock()
		n := len(b.members)
		switch {
		case n >= wb.maxItems:
			return "full"
		case b.due:
			return "every write in progress is waiting"
		case wb.clock.Now().Sub(b.started) >= wb.maxWait:
			return "longest wait"
		case n == seen:
			wb.concurrency = max(wb.concurrency, wb.active)
			if n == 1 {
				wb.lone[b.key] = true
			} else {
				delete(wb.lone, b.key)
			}
			return "quiet"
		}
		seen = n
		wait := wb.quiet
		if wb.lone[b.key] {
			wait /= 10
		}
		wb.mu.Unlock()

		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			select {
			case <-b.wake:
				cancel()
			case <-ctx.Done():
			}
		}()
		_ = wb.clock.Sleep(ctx, wait)
		cancel()
	}
}

// sendSplit sends members' items in one call; if it fails for a reason that may be one item's,
// each half is sent again on its own. Not after an unknown outcome: a refusal that an earlier,
// lost attempt may have caused (a pair attached twice) would then reach each item as a definite
// answer, hiding that the first attempt may have been applied.
func (wb *writeBatcher[T]) sendSplit(ctx context.Context, key batchKey, members []*batchMember[T]) {
	items := make([]T, len(members))
	for i, m := range members {
		items[i] = m.item
	}
	err := wb.send[key.action](ctx, key.scope, items)
	itemFault := wb.itemFault[key.action]
	if itemFault == nil {
		itemFault = mayBeItemError
	}
	if err != nil && len(members) > 1 && itemFault(err) && !OutcomeUnknown(err) && ctx.Err() == nil {
		tflog.Debug(ctx, "batched call failed, sending each half on its own to find the items at fault", map[string]any{
			"action": key.action, "scope": scopeForLog(key.scope), "items": len(items), "error_code": ErrorCode(err),
		})
		half := len(members) / 2
		wb.sendSplit(ctx, key, members[:half])
		wb.sendSplit(ctx, key, members[half:])
		return
	}
	for _, m := range members {
		m.result <- err
	}
}

// mayBeItemError reports errors that one bad item can cause for the whole call (an unknown API,
// an invalid stage, an API already attached, one unknown product of a revoke...): a definite 4xx
// answer of the service. Errors about the call as a whole (credentials, throttling, a lock timeout
// or transient failures that outlived the retries, answers without a CloudAPI code, a cancelled
// context) are the same for every part of it, so splitting would only multiply them. An operation
// whose answers can also be about its scope as a whole narrows this (detachItemFault).
func mayBeItemError(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	d := inspect(err)
	if !d.structured || d.code == "" || d.status < 400 || d.status >= 500 {
		return false
	}
	return !IsCredentialError(err) && !isThrottlingCode(d.code) && !isBusyCode(d.code)
}

// revokeItemFaults: the items of a revoke are products, and one unknown product's "not found"
// must not be every product's.
var revokeItemFaults = map[string]func(error) bool{actionRevoke: mayBeItemError}

// detachItemFault is mayBeItemError for DetachApiProduct, except "not found": the product is the
// only object a detach must find (a pair that is not attached is ignored, or refused with a code
// of its own, never "not found"), so a not-found answer is the same for every part of the call.
func detachItemFault(err error) bool { return mayBeItemError(err) && !IsNotFound(err) }

// scopeSep separates the parts of a scope made of several values (a grant's product, validity
// and description); scopeForLog shows it readably.
const scopeSep = "\x00"

func scopeForLog(scope string) string { return strings.ReplaceAll(scope, scopeSep, " | ") }
