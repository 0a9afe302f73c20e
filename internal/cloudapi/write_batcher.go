package cloudapi

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// When a batch is sent, and why: DESIGN.md "Batched writes".
const (
	defaultBatchQuiet   = 100 * time.Millisecond
	defaultBatchMaxWait = 2 * time.Second
)

// ErrNotSent marks a write that was never sent to the service: its caller left before the batch
// it joined went out. The write certainly did not happen.
var ErrNotSent = errors.New("the request was not sent")

// batchPolicy says when a writeBatcher sends a batch (DESIGN.md "Batched writes").
type batchPolicy struct {
	quiet, maxWait time.Duration
	// maxItems is the most items one call carries; at 1 every write is sent at once, on its own.
	maxItems int
	clock    Clock
}

// writeBatcher turns concurrent one-item writes to the same scope S into one call of up to
// maxItems items T: AttachApiProduct and DetachApiProduct (scope: the product; items: APIRefs),
// SetAppsAuthToApiProduct (scope: a grantScope; items: app ids), RemoveApiProductsAuthorities
// (scope: the app id; items: product ids). One instance per operation, which gives its send
// function and which of its errors may be one item's fault.
type writeBatcher[S comparable, T any] struct {
	action string // for logs
	policy batchPolicy
	// send makes one call with every item (through the retry loop).
	send func(ctx context.Context, scope S, items []T) error
	// itemFault reports the errors of a call that may be the fault of one of its items: then the
	// call is split to find them. Only the operation knows which objects an answer can be about.
	itemFault func(error) bool

	mu   sync.Mutex
	open map[S]*writeBatch[S, T] // the batches still taking items
	pace pace
	// lone marks the scopes whose last batch closed quiet with a single write.
	lone map[S]bool
}

type writeBatch[S comparable, T any] struct {
	scope   S
	members []*batchMember[T]
	started time.Time
	due     bool // under mu: send now
	// wake ends the run goroutine's current wait; called when due becomes true.
	waitCtx context.Context
	wake    context.CancelFunc

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

func newWriteBatcher[S comparable, T any](action string, policy batchPolicy,
	send func(context.Context, S, []T) error, itemFault func(error) bool) *writeBatcher[S, T] {
	return &writeBatcher[S, T]{action: action, policy: policy, send: send, itemFault: itemFault,
		open: map[S]*writeBatch[S, T]{}, lone: map[S]bool{}}
}

// do writes one item, batched with the concurrent writes to the same scope. If ctx ends before the
// batch is sent, the item is taken out and the error wraps ErrNotSent; if it ends while the call
// is in flight, the error is ctx's and the outcome is unknown.
func (wb *writeBatcher[S, T]) do(ctx context.Context, scope S, item T) error {
	m := &batchMember[T]{ctx: ctx, item: item, result: make(chan error, 1)}
	wb.join(scope, m)
	defer wb.leave()
	select {
	case err := <-m.result:
		return err
	case <-ctx.Done():
	}
	if !wb.giveUp(m) {
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

func (wb *writeBatcher[S, T]) leave() {
	wb.mu.Lock()
	defer wb.mu.Unlock()
	wb.pace.active--
}

// giveUp takes m out of its batch and reports whether its item was already sent.
func (wb *writeBatcher[S, T]) giveUp(m *batchMember[T]) (sent bool) {
	wb.mu.Lock()
	defer wb.mu.Unlock()
	m.left = true
	return m.sent
}

// join adds m to its open batch, starting one if there is none.
func (wb *writeBatcher[S, T]) join(scope S, m *batchMember[T]) {
	wb.mu.Lock()
	defer wb.mu.Unlock()
	wb.pace.joined(wb.policy.clock.Now(), wb.policy.maxWait)
	b := wb.open[scope]
	if b == nil {
		b = &writeBatch[S, T]{scope: scope, started: wb.policy.clock.Now()}
		b.waitCtx, b.wake = context.WithCancel(context.Background())
		b.ctx, b.cancel = context.WithCancel(context.WithoutCancel(m.ctx))
		wb.open[scope] = b
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
	if len(b.members) >= wb.policy.maxItems {
		delete(wb.open, scope)
		b.makeDue()
	}
	if wb.pace.allIn() {
		for _, ob := range wb.open {
			ob.makeDue()
		}
	}
}

// makeDue marks the batch to be sent now; under writeBatcher.mu.
func (b *writeBatch[S, T]) makeDue() {
	b.due = true
	b.wake()
}

// run waits until the batch is due, then sends what is still wanted.
func (wb *writeBatcher[S, T]) run(b *writeBatch[S, T]) {
	defer b.cancel()
	var last look
	reason := ""
	for reason == "" {
		var wait time.Duration
		if reason, wait = wb.check(b, &last); reason == "" {
			_ = wb.policy.clock.Sleep(b.waitCtx, wait)
		}
	}
	b.wake()
	members := wb.take(b)
	if len(members) == 0 {
		return
	}
	ctx := b.ctx
	deadline, bounded := time.Time{}, true
	for _, m := range members {
		if d, ok := m.ctx.Deadline(); !ok {
			bounded = false
		} else if d.After(deadline) {
			deadline = d
		}
	}
	tflog.Debug(ctx, "sending batched call", map[string]any{
		"action": wb.action, "scope": fmt.Sprintf("%+v", b.scope), "items": len(members),
		"waited_ms": wb.policy.clock.Now().Sub(b.started).Milliseconds(), "sent_because": reason,
	})
	if bounded {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline)
		defer cancel()
	}
	wb.sendSplit(ctx, b.scope, members)
}

// look is what run saw at its last check of a batch.
type look struct {
	members int
	wait    time.Duration
}

// check reports why b is due, or how long to wait before looking again.
func (wb *writeBatcher[S, T]) check(b *writeBatch[S, T], last *look) (reason string, wait time.Duration) {
	wb.mu.Lock()
	defer wb.mu.Unlock()
	n, age := len(b.members), wb.policy.clock.Now().Sub(b.started)
	switch {
	case n >= wb.policy.maxItems:
		reason = "full"
	case b.due || wb.pace.allIn():
		reason = "every write in progress is waiting"
	case age >= wb.policy.maxWait:
		reason = "longest wait"
	case n == last.members:
		wb.pace.closedQuiet(last.wait)
		reason = "quiet"
	}
	if reason != "" {
		// A scope whose batches stay single waits a tenth as long (DESIGN.md "Batched writes").
		if n == 1 && reason == "quiet" {
			wb.lone[b.scope] = true
		} else if n > 1 {
			delete(wb.lone, b.scope)
		}
		return reason, 0
	}
	base := wb.policy.quiet
	if wb.lone[b.scope] {
		base /= 10
	}
	wait = wb.pace.quietFor(base)
	*last = look{members: n, wait: wait}
	return "", min(wait, wb.policy.maxWait-age)
}

// take closes b and returns the members still waiting for their item to be sent.
func (wb *writeBatcher[S, T]) take(b *writeBatch[S, T]) []*batchMember[T] {
	wb.mu.Lock()
	defer wb.mu.Unlock()
	if wb.open[b.scope] == b {
		delete(wb.open, b.scope)
	}
	var members []*batchMember[T]
	for _, m := range b.members {
		if m.left || m.ctx.Err() != nil {
			continue
		}
		m.sent = true
		members = append(members, m)
	}
	return members
}

// sendSplit sends members' items in one call; if it fails for a reason that may be one item's,
// each half is sent again on its own. Not after an unknown outcome: a refusal that an earlier,
// lost attempt may have caused (a pair attached twice) would then reach each item as a definite
// answer, hiding that the first attempt may have been applied.
func (wb *writeBatcher[S, T]) sendSplit(ctx context.Context, scope S, members []*batchMember[T]) {
	items := make([]T, len(members))
	for i, m := range members {
		items[i] = m.item
	}
	err := wb.send(ctx, scope, items)
	if err != nil && len(members) > 1 && wb.itemFault(err) && !OutcomeUnknown(err) && ctx.Err() == nil {
		tflog.Debug(ctx, "batched call failed, sending each half on its own to find the items at fault", map[string]any{
			"action": wb.action, "scope": fmt.Sprintf("%+v", scope), "items": len(items), "error_code": ErrorCode(err),
		})
		half := len(members) / 2
		wb.sendSplit(ctx, scope, members[:half])
		wb.sendSplit(ctx, scope, members[half:])
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

// detachItemFault is mayBeItemError for DetachApiProduct, except "not found": the product is the
// only object a detach must find (a pair that is not attached is ignored, or refused with a code
// of its own, never "not found"), so a not-found answer is the same for every part of the call.
func detachItemFault(err error) bool { return mayBeItemError(err) && !IsNotFound(err) }

// pace is what a batcher has learnt of how Terraform sends it writes (DESIGN.md "Batched
// writes"); under writeBatcher.mu.
type pace struct {
	// active counts the writes in progress (waiting or in flight). concurrency is the most seen in
	// progress, Terraform's parallelism as far as it shows; 0 until a batch closed quiet.
	active, concurrency int
	// trusted is set once a batch closed quiet with every known write in progress waiting, after
	// a quiet period longer than twice the longest recent gap, measured over at least
	// minGapSamples gaps: then the concurrency is all Terraform runs at once, and it stays so.
	trusted bool
	// gap is the longest recent gap between two writes joining, decaying by an eighth per write;
	// samples counts the gaps seen. A gap may include the batcher's own waiting: that only makes
	// the quiet periods longer while the concurrency is not trusted yet.
	gap      time.Duration
	samples  int
	lastJoin time.Time
}

// minGapSamples is how many gaps must be seen before a quiet period can be trusted to be longer
// than Terraform's gaps: a first gap or two may be much shorter than the rest.
const minGapSamples = 4

func (p *pace) joined(now time.Time, maxWait time.Duration) {
	p.active++
	if !p.lastJoin.IsZero() {
		p.gap = max(min(now.Sub(p.lastJoin), maxWait), p.gap-p.gap/8)
		p.samples++
	}
	p.lastJoin = now
	if p.concurrency > 0 {
		p.concurrency = max(p.concurrency, p.active)
	}
}

// quietFor is how long a batch waits for one more write before it goes out as it is: the base
// period, or twice the longest recent gap between writes if that is longer.
func (p *pace) quietFor(base time.Duration) time.Duration { return max(base, 2*p.gap) }

// allIn reports that every write Terraform runs at once is here: nobody else can join.
func (p *pace) allIn() bool { return p.trusted && p.active >= p.concurrency }

// closedQuiet learns from a batch that no write joined for wait.
func (p *pace) closedQuiet(wait time.Duration) {
	everyone := p.active >= p.concurrency
	p.concurrency = max(p.concurrency, p.active)
	if everyone && p.samples >= minGapSamples && wait >= 2*p.gap {
		p.trusted = true
	}
}
