package cloudapi

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// defaultBatchWindow is how long the first write of a batch waits for others to join. Terraform
// starts the creates (or destroys) of one apply a few milliseconds apart, so a short window
// gathers most of the ones running at the same time; each write waits at most this long.
const defaultBatchWindow = 40 * time.Millisecond

// ErrNotSent marks a write that was never sent to the service: its caller left before the batch
// it joined went out. The write certainly did not happen.
var ErrNotSent = errors.New("the request was not sent")

// writeBatcher turns concurrent one-item writes to the same API product (AttachApiProduct or
// DetachApiProduct) into one call with up to maxItems items, so N concurrent Terraform resources
// cost one request instead of N. Each caller still gets its own result: a call that fails for a
// reason that may belong to one item is split in halves and sent again, so only the faulty items
// fail. Retries for throttling and transient errors happen inside send, for the batch as a whole.
type writeBatcher struct {
	action   string
	window   time.Duration
	maxItems int
	clock    Clock
	// send makes one call with every item (through the retry loop).
	send func(ctx context.Context, productID string, items []APIRef) error

	mu   sync.Mutex
	open map[string]*writeBatch // per product: the batch still taking items
}

type writeBatch struct {
	productID string
	members   []*batchMember
	full      chan struct{} // closed when the batch reaches maxItems

	// The batch's call runs under its own context: cancelled when every member has left, bounded
	// by the latest member deadline, carrying the first member's log fields.
	ctx    context.Context
	cancel context.CancelFunc
	live   int
}

type batchMember struct {
	ctx    context.Context
	item   APIRef
	result chan error // buffered: the sender never blocks
	// Under writeBatcher.mu: left when the caller gave up, sent once its item went out.
	left, sent bool
}

func newWriteBatcher(action string, window time.Duration, maxItems int, clock Clock,
	send func(context.Context, string, []APIRef) error) *writeBatcher {
	return &writeBatcher{action: action, window: window, maxItems: maxItems, clock: clock, send: send, open: map[string]*writeBatch{}}
}

// do writes one item, batched with the concurrent writes to the same product. If ctx ends before
// the batch is sent, the item is taken out and the error wraps ErrNotSent; if it ends while the
// call is in flight, the error is ctx's and the outcome is unknown.
func (wb *writeBatcher) do(ctx context.Context, productID string, item APIRef) error {
	m := &batchMember{ctx: ctx, item: item, result: make(chan error, 1)}
	wb.join(productID, m)
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

// join adds m to the product's open batch, starting one (and its window) if there is none.
func (wb *writeBatcher) join(productID string, m *batchMember) {
	wb.mu.Lock()
	defer wb.mu.Unlock()
	b := wb.open[productID]
	if b == nil {
		b = &writeBatch{productID: productID, full: make(chan struct{})}
		b.ctx, b.cancel = context.WithCancel(context.WithoutCancel(m.ctx))
		wb.open[productID] = b
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
		delete(wb.open, productID)
		close(b.full)
	}
}

// run waits for the window (or a full batch), then sends what is still wanted.
func (wb *writeBatcher) run(b *writeBatch) {
	wctx, stop := context.WithCancel(context.Background())
	go func() {
		select {
		case <-b.full:
			stop()
		case <-wctx.Done():
		}
	}()
	_ = wb.clock.Sleep(wctx, wb.window)
	stop()

	wb.mu.Lock()
	if wb.open[b.productID] == b {
		delete(wb.open, b.productID)
	}
	var members []*batchMember
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
	if bounded {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline)
		defer cancel()
	}
	wb.sendSplit(ctx, b.productID, members)
}

// sendSplit sends members' items in one call; if it fails for a reason that may be one item's,
// each half is sent again on its own.
func (wb *writeBatcher) sendSplit(ctx context.Context, productID string, members []*batchMember) {
	items := make([]APIRef, len(members))
	for i, m := range members {
		items[i] = m.item
	}
	err := wb.send(ctx, productID, items)
	if err != nil && len(members) > 1 && mayBeItemError(err) && ctx.Err() == nil {
		tflog.Debug(ctx, "batched call failed, sending each half on its own to find the items at fault", map[string]any{
			"action": wb.action, "api_product_id": productID, "items": len(items), "error_code": ErrorCode(err),
		})
		half := len(members) / 2
		wb.sendSplit(ctx, productID, members[:half])
		wb.sendSplit(ctx, productID, members[half:])
		return
	}
	for _, m := range members {
		m.result <- err
	}
}

// mayBeItemError reports errors that one bad item can cause for the whole call (an unknown API,
// an invalid stage, an API already attached...). Errors about the call as a whole (credentials,
// throttling or transient failures that outlived the retries, an unknown product, a cancelled
// context) are the same for every part of it, so splitting would only multiply them.
func mayBeItemError(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	d := inspect(err)
	if !d.structured || d.status < 400 || d.status >= 500 {
		return false
	}
	return !isAuthOrConfigCode(d.code) && !isThrottlingCode(d.code) && d.code != codeNotFoundAPIProduct
}

// codeNotFoundAPIProduct is what the emulator answers for an unknown product (the real service
// documents no code for it).
const codeNotFoundAPIProduct = "NotFoundApiProduct"
