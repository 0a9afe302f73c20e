package cloudapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/alibabacloud-go/tea/tea"
)

// gateClock is a Clock whose Sleep blocks until the test opens the gate (or ctx ends), so a
// batch's window lasts exactly as long as the test wants.
type gateClock struct {
	mu      sync.Mutex
	gate    chan struct{}
	waiting chan struct{} // receives one value per Sleep that starts
	slept   []time.Duration
}

func newGateClock() *gateClock {
	return &gateClock{gate: make(chan struct{}), waiting: make(chan struct{}, 100)}
}

func (g *gateClock) Now() time.Time { return time.Now() }

func (g *gateClock) Sleep(ctx context.Context, d time.Duration) error {
	g.mu.Lock()
	gate := g.gate
	g.slept = append(g.slept, d)
	g.mu.Unlock()
	select {
	case g.waiting <- struct{}{}:
	default:
	}
	select {
	case <-gate:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// open ends every window, now and later (until shut).
func (g *gateClock) open() {
	g.mu.Lock()
	defer g.mu.Unlock()
	close(g.gate)
}

// shut makes windows last again.
func (g *gateClock) shut() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.gate = make(chan struct{})
	for len(g.waiting) > 0 {
		<-g.waiting
	}
}

// recordingSender is a send function that records each call's items and fails items as told.
type recordingSender struct {
	mu      sync.Mutex
	calls   [][]APIRef
	results []error
	// fail returns the error for a call with these items (nil: success).
	fail func(items []APIRef) error
	// block, when set, holds every call until closed.
	block chan struct{}
}

func (r *recordingSender) send(ctx context.Context, _ string, items []APIRef) error {
	r.mu.Lock()
	r.calls = append(r.calls, slices.Clone(items))
	r.mu.Unlock()
	var err error
	if r.block != nil {
		select {
		case <-r.block:
		case <-ctx.Done():
			err = ctx.Err()
		}
	}
	if err == nil && r.fail != nil {
		err = r.fail(items)
	}
	r.mu.Lock()
	r.results = append(r.results, err)
	r.mu.Unlock()
	return err
}

// waitResults waits until n calls have returned and gives their errors.
func (r *recordingSender) waitResults(t *testing.T, n int) []error {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		r.mu.Lock()
		if len(r.results) >= n {
			defer r.mu.Unlock()
			return slices.Clone(r.results)
		}
		r.mu.Unlock()
	}
	t.Fatalf("fewer than %d calls returned", n)
	return nil
}

func (r *recordingSender) callSizes() []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	var n []int
	for _, c := range r.calls {
		n = append(n, len(c))
	}
	return n
}

func newTestBatcher(quiet time.Duration, maxItems int, clock Clock, send func(context.Context, string, []APIRef) error) *writeBatcher[string, APIRef] {
	return newWriteBatcher(actionAttach, batchPolicy{quiet: quiet, maxWait: time.Minute, maxItems: maxItems, clock: clock}, send, mayBeItemError)
}

func ref(i int) APIRef { return APIRef{APIID: fmt.Sprintf("api%03d", i), StageName: "RELEASE"} }

// startWrites runs n concurrent do calls and waits until all joined the batch (the first started
// the window).
func startWrites(t *testing.T, wb *writeBatcher[string, APIRef], clock *gateClock, ctxs []context.Context) []chan error {
	t.Helper()
	res := make([]chan error, len(ctxs))
	for i := range ctxs {
		res[i] = make(chan error, 1)
		go func() { res[i] <- wb.do(ctxs[i], "p1", ref(i)) }()
	}
	<-clock.waiting
	waitMembers(t, wb, "p1", len(ctxs))
	return res
}

// waitMembers waits (at most 5 s) until the open batch of scope holds n members: every member
// registers under the batcher's lock before it waits.
func waitMembers[S comparable, T any](t *testing.T, wb *writeBatcher[S, T], scope S, n int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); wb.members(scope) != n && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
}

// members counts the open batch's members of scope.
func (wb *writeBatcher[S, T]) members(scope S) int {
	wb.mu.Lock()
	defer wb.mu.Unlock()
	if b := wb.open[scope]; b != nil {
		return len(b.members)
	}
	return 0
}

func bgContexts(n int) []context.Context {
	out := make([]context.Context, n)
	for i := range out {
		out[i] = context.Background()
	}
	return out
}

func TestWriteBatcherGathersConcurrentWrites(t *testing.T) {
	clock := newGateClock()
	s := &recordingSender{}
	wb := newTestBatcher(time.Second, 100, clock, s.send)
	res := startWrites(t, wb, clock, bgContexts(25))
	clock.open()
	for i, ch := range res {
		if err := <-ch; err != nil {
			t.Errorf("write %d: %v", i, err)
		}
	}
	if got := s.callSizes(); !slices.Equal(got, []int{25}) {
		t.Fatalf("calls = %v, want one call of 25 items", got)
	}
}

func TestWriteBatcherNeverSendsMoreThanMaxItems(t *testing.T) {
	clock := newGateClock()
	s := &recordingSender{}
	const maxItems = 10
	wb := newTestBatcher(time.Second, maxItems, clock, s.send)
	var wg sync.WaitGroup
	for i := range 25 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := wb.do(context.Background(), "p1", ref(i)); err != nil {
				t.Errorf("write %d: %v", i, err)
			}
		}()
	}
	// Two full batches go out at once; the last five wait for their window. The window ends only
	// once all 25 have joined (a busy machine may start the goroutines late), else a late one would
	// find the clock open and go out alone.
	joined := func() int {
		n := 0
		for _, size := range s.callSizes() {
			n += size
		}
		return n + wb.members("p1")
	}
	for deadline := time.Now().Add(10 * time.Second); (len(s.callSizes()) < 2 || joined() < 25) && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	clock.open()
	wg.Wait()
	got := s.callSizes()
	slices.Sort(got)
	if !slices.Equal(got, []int{5, 10, 10}) {
		t.Fatalf("call sizes = %v, want [5 10 10]", got)
	}
}

func TestWriteBatcherSeparatesProducts(t *testing.T) {
	clock := newGateClock()
	clock.open()
	s := &recordingSender{}
	wb := newTestBatcher(0, 100, clock, s.send)
	var products sync.Map
	wb.send = func(ctx context.Context, productID string, items []APIRef) error {
		for _, it := range items {
			if prev, loaded := products.LoadOrStore(it, productID); loaded && prev != productID {
				t.Errorf("%v sent for %s and %s", it, prev, productID)
			}
			if want := fmt.Sprintf("p%d", it.APIID[len(it.APIID)-1]%2); productID != want {
				t.Errorf("%v sent for %s, want %s", it, productID, want)
			}
		}
		return nil
	}
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := wb.do(context.Background(), fmt.Sprintf("p%d", i%2), ref(i)); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
}

func itemError(code string) error {
	return &APIError{Action: "AttachApiProduct", Code: code, StatusCode: http.StatusNotFound, structured: true,
		Err: &tea.SDKError{Code: tea.String(code), StatusCode: tea.Int(http.StatusNotFound), Message: tea.String("code: 404, " + code + " request id: x")}}
}

// A call that fails because of one item is split until only the faulty items fail; every other
// item succeeds.
func TestWriteBatcherSplitsOnItemErrors(t *testing.T) {
	clock := newGateClock()
	bad := map[APIRef]bool{ref(3): true, ref(11): true}
	s := &recordingSender{fail: func(items []APIRef) error {
		for _, it := range items {
			if bad[it] {
				return itemError("NotFoundApi")
			}
		}
		return nil
	}}
	wb := newTestBatcher(time.Second, 100, clock, s.send)
	res := startWrites(t, wb, clock, bgContexts(16))
	clock.open()
	for i, ch := range res {
		err := <-ch
		if bad[ref(i)] {
			if ErrorCode(err) != "NotFoundApi" {
				t.Errorf("write %d: err = %v, want NotFoundApi", i, err)
			}
		} else if err != nil {
			t.Errorf("write %d: %v, want success", i, err)
		}
	}
	// 16 items, 2 bad in different halves: 1 + 2 + 4 + 8 + 4 calls at most; far fewer than 16
	// single calls would be for a bigger batch, and each good item is sent successfully once.
	sent := map[APIRef]int{}
	for _, c := range s.calls {
		if s.fail(c) == nil {
			for _, it := range c {
				sent[it]++
			}
		}
	}
	for i := range 16 {
		if want := map[bool]int{false: 1, true: 0}[bad[ref(i)]]; sent[ref(i)] != want {
			t.Errorf("item %d applied %d times, want %d", i, sent[ref(i)], want)
		}
	}
	if len(s.calls) > 15 {
		t.Errorf("%d calls for 16 items with 2 bad ones", len(s.calls))
	}
}

// Errors about the call as a whole reach every member without splitting.
func TestWriteBatcherDoesNotSplitCallErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"throttled past the retries", &APIError{Code: "Throttling.User", StatusCode: 400, structured: true, Err: &tea.SDKError{Code: tea.String("Throttling.User"), StatusCode: tea.Int(400)}}},
		{"credentials", &APIError{Code: "InvalidAccessKeyId.NotFound", StatusCode: 404, structured: true, Err: &tea.SDKError{Code: tea.String("InvalidAccessKeyId.NotFound"), StatusCode: tea.Int(404)}}},
		{"lock timeout past the retries", &APIError{Code: "ConcurrencyLockTimeout", StatusCode: 400, structured: true, Err: &tea.SDKError{Code: tea.String("ConcurrencyLockTimeout"), StatusCode: tea.Int(400)}}},
		{"codeless 404 past the retries", &APIError{StatusCode: 404, Err: errors.New("invalid character '<' looking for beginning of value")}},
		{"server error", &APIError{Code: "InternalError", StatusCode: 500, structured: true, Err: &tea.SDKError{Code: tea.String("InternalError"), StatusCode: tea.Int(500)}}},
		{"deadline", context.DeadlineExceeded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := newGateClock()
			s := &recordingSender{fail: func([]APIRef) error { return tc.err }}
			wb := newTestBatcher(time.Second, 100, clock, s.send)
			res := startWrites(t, wb, clock, bgContexts(8))
			clock.open()
			for i, ch := range res {
				if err := <-ch; !errors.Is(err, tc.err) {
					t.Errorf("write %d: err = %v, want %v", i, err, tc.err)
				}
			}
			if got := s.callSizes(); !slices.Equal(got, []int{8}) {
				t.Fatalf("calls = %v, want one call of 8", got)
			}
		})
	}
}

// A member that leaves before the batch goes out is taken out of it (ErrNotSent) without
// disturbing the others; one that leaves while the call is in flight gets its context's error
// (outcome unknown) and the call still completes for the rest.
func TestWriteBatcherCancellationOfOneMember(t *testing.T) {
	t.Run("before the send", func(t *testing.T) {
		clock := newGateClock()
		s := &recordingSender{}
		wb := newTestBatcher(time.Second, 100, clock, s.send)
		ctxs := bgContexts(5)
		cctx, cancel := context.WithCancel(context.Background())
		ctxs[2] = cctx
		res := startWrites(t, wb, clock, ctxs)
		cancel()
		if err := <-res[2]; !errors.Is(err, ErrNotSent) || !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled member: err = %v, want ErrNotSent and context.Canceled", err)
		}
		clock.open()
		for i, ch := range res {
			if i != 2 {
				if err := <-ch; err != nil {
					t.Errorf("write %d: %v", i, err)
				}
			}
		}
		if len(s.calls) != 1 || slices.Contains(s.calls[0], ref(2)) || len(s.calls[0]) != 4 {
			t.Fatalf("calls = %v, want one call of the 4 remaining items", s.calls)
		}
	})
	t.Run("in flight", func(t *testing.T) {
		clock := newGateClock()
		s := &recordingSender{block: make(chan struct{})}
		wb := newTestBatcher(time.Second, 100, clock, s.send)
		ctxs := bgContexts(3)
		cctx, cancel := context.WithCancel(context.Background())
		ctxs[0] = cctx
		res := startWrites(t, wb, clock, ctxs)
		clock.open()
		for len(s.callSizes()) == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
		err := <-res[0]
		if !errors.Is(err, context.Canceled) || errors.Is(err, ErrNotSent) || !OutcomeUnknown(err) {
			t.Fatalf("member cancelled in flight: err = %v, want an unknown outcome", err)
		}
		close(s.block)
		for i := 1; i < 3; i++ {
			if err := <-res[i]; err != nil {
				t.Errorf("write %d: %v (one member leaving must not fail the call)", i, err)
			}
		}
	})
	t.Run("every member leaves", func(t *testing.T) {
		clock := newGateClock()
		s := &recordingSender{block: make(chan struct{})}
		wb := newTestBatcher(time.Second, 100, clock, s.send)
		ctx, cancel := context.WithCancel(context.Background())
		res := startWrites(t, wb, clock, []context.Context{ctx, ctx})
		clock.open()
		for len(s.callSizes()) == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
		for _, ch := range res {
			if err := <-ch; !errors.Is(err, context.Canceled) {
				t.Errorf("err = %v, want context.Canceled", err)
			}
		}
		// The call's own context ends with the last member: nobody wants its answer any more.
		if errs := s.waitResults(t, 1); !errors.Is(errs[0], context.Canceled) {
			t.Fatalf("the call returned %v, want it cancelled", errs[0])
		}
	})
}

// The batch's call carries the latest deadline of its members, not the first one's.
func TestWriteBatcherUsesLatestDeadline(t *testing.T) {
	clock := newGateClock()
	var got time.Time
	wb := newTestBatcher(time.Second, 100, clock, func(ctx context.Context, _ string, _ []APIRef) error {
		got, _ = ctx.Deadline()
		return nil
	})
	soon, cancel1 := context.WithTimeout(context.Background(), time.Minute)
	defer cancel1()
	later, cancel2 := context.WithTimeout(context.Background(), time.Hour)
	defer cancel2()
	res := startWrites(t, wb, clock, []context.Context{soon, later})
	clock.open()
	for _, ch := range res {
		if err := <-ch; err != nil {
			t.Fatal(err)
		}
	}
	if want, _ := later.Deadline(); !got.Equal(want) {
		t.Fatalf("call deadline = %v, want the later member's %v", got, want)
	}
}

// Through the real client: a throttled batch is retried as a whole (the retry loop sees one
// call), and every member succeeds.
func TestAttachAPIThrottledBatchRetriedWhole(t *testing.T) {
	f := newFakeAPI(t)
	f.addFaults(fakeFault{Action: "AttachApiProduct", Kind: "throttle", TimeLeft: 10}, fakeFault{Action: "AttachApiProduct", Kind: "503"})
	clock := newGateClock()
	c, err := New(Config{RegionID: "cn-hangzhou", Endpoint: f.endpoint(), Protocol: "HTTP", Credential: testCredential(t),
		Retry: RetryPolicy{MaxAttempts: 8, BaseDelay: time.Millisecond, MaxDelay: 10 * time.Millisecond, Clock: clock}})
	if err != nil {
		t.Fatal(err)
	}
	res := startWrites(t, c.attaches, clock, bgContexts(12))
	clock.open()
	for i, ch := range res {
		if err := <-ch; err != nil {
			t.Errorf("write %d: %v", i, err)
		}
	}
	calls := f.callsFor("AttachApiProduct")
	if len(calls) != 3 {
		t.Fatalf("%d AttachApiProduct requests, want 3 (throttled, 503, success)", len(calls))
	}
	for i, call := range calls {
		if _, ok := call.Query["Apis.12.ApiId"]; !ok {
			t.Errorf("request %d did not carry all 12 items: %v", i+1, call.Query)
		}
	}
	apis, err := c.ListProductAPIs(context.Background(), "p1", Strict)
	if err != nil || len(apis) != 12 {
		t.Fatalf("ListProductAPIs = %d APIs, %v; want 12", len(apis), err)
	}
}

// Once a quiet batch has shown how many writes Terraform runs at once, a batch is sent as soon as
// that many are in progress, without waiting for the quiet period.
func TestWriteBatcherLearnsConcurrency(t *testing.T) {
	clock := newGateClock()
	s := &recordingSender{}
	wb := newTestBatcher(time.Second, 100, clock, s.send)
	res := startWrites(t, wb, clock, bgContexts(6))
	clock.open()
	for _, ch := range res {
		if err := <-ch; err != nil {
			t.Fatal(err)
		}
	}
	if wb.pace.concurrency != 6 {
		t.Fatalf("learnt concurrency %d, want 6", wb.pace.concurrency)
	}

	// The quiet period now never ends by itself; the sixth write must send the batch.
	clock.shut()
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := wb.do(context.Background(), "p1", ref(10+i)); err != nil {
				t.Error(err)
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		clock.open()
		t.Fatal("the batch waited for the quiet period although every write in progress had joined it")
	}
	if got := s.callSizes(); !slices.Equal(got, []int{6, 6}) {
		t.Fatalf("calls = %v, want [6 6]", got)
	}
}

// A product whose batches stay single (writes spread over many products) waits a tenth of the
// quiet period; one that gathers several goes back to the full period.
func TestWriteBatcherShortensWaitForLoneWrites(t *testing.T) {
	clock := newGateClock()
	clock.open()
	s := &recordingSender{}
	wb := newTestBatcher(time.Second, 100, clock, s.send)
	lastWait := func() time.Duration {
		clock.mu.Lock()
		defer clock.mu.Unlock()
		return clock.slept[len(clock.slept)-1]
	}
	for i := range 2 {
		if err := wb.do(context.Background(), "p1", ref(i)); err != nil {
			t.Fatal(err)
		}
		// As if Terraform ran more writes at once elsewhere: the concurrency rule stays out of it.
		wb.mu.Lock()
		wb.pace.concurrency = 100
		wb.mu.Unlock()
	}
	if got := lastWait(); got != time.Second/10 {
		t.Fatalf("second lone write waited %v, want %v", got, time.Second/10)
	}
	// Two at once: the batch gathers both and the product is no longer lone.
	clock.shut()
	res := startWrites(t, wb, clock, bgContexts(2))
	clock.open()
	for _, ch := range res {
		if err := <-ch; err != nil {
			t.Fatal(err)
		}
	}
	if err := wb.do(context.Background(), "p1", ref(9)); err != nil {
		t.Fatal(err)
	}
	if got := lastWait(); got != time.Second {
		t.Fatalf("after a batch of two, a write waited %v, want %v", got, time.Second)
	}
}

// Whether an error may be one item's is the operation's call: a detach's "not found" is about the
// product, the scope of the whole call (not split); a revoke's is about one of its products (split,
// so that every other product gets its own answer).
func TestWriteBatcherItemFaultIsPerOperation(t *testing.T) {
	notFound := itemError("EntityNotFound.Whatever")
	for _, tc := range []struct {
		name      string
		itemFault func(error) bool
		calls     int
	}{
		{"detach: the product", detachItemFault, 1},
		{"revoke: one product", mayBeItemError, 5}, // 4, then 2 and 2, then 1 and 1
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := newGateClock()
			s := &recordingSender{fail: func(items []APIRef) error {
				if slices.Contains(items, ref(2)) {
					return notFound
				}
				return nil
			}}
			wb := newWriteBatcher(actionDetach, batchPolicy{quiet: time.Second, maxWait: time.Minute, maxItems: 100, clock: clock}, s.send, tc.itemFault)
			res := startWrites(t, wb, clock, bgContexts(4))
			clock.open()
			for i, ch := range res {
				err := <-ch
				if split := tc.calls > 1; split && i != 2 && err != nil {
					t.Errorf("write %d: %v, want success", i, err)
				} else if (!split || i == 2) && !errors.Is(err, notFound) {
					t.Errorf("write %d: %v, want the not-found answer", i, err)
				}
			}
			if n := len(s.callSizes()); n != tc.calls {
				t.Fatalf("%d calls, want %d", n, tc.calls)
			}
		})
	}
}
