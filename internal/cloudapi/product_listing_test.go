package cloudapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aliyun/credentials-go/credentials"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator"
)

// heldAPI is the fake API behind a server that can hold DescribeApiProductApis answers. An
// answer is computed when its request arrives and only delivered when released, so a held
// listing really is a snapshot from before anything that happens while it is held.
type heldAPI struct {
	*fakeAPI
	srv *httptest.Server

	mu   sync.Mutex
	gate chan struct{} // non-nil: answers wait until it is closed
	held chan struct{} // one value per answer that started waiting
}

func newHeldAPI(t *testing.T) *heldAPI {
	h := &heldAPI{fakeAPI: newFakeAPI(t), held: make(chan struct{}, 1000)}
	h.srv = httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *heldAPI) endpoint() string { return strings.TrimPrefix(h.srv.URL, "http://") }

func (h *heldAPI) serve(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("x-acs-action") != "DescribeApiProductApis" {
		h.fakeAPI.serve(w, r)
		return
	}
	rec := httptest.NewRecorder()
	h.fakeAPI.serve(rec, r)
	h.mu.Lock()
	gate := h.gate
	h.mu.Unlock()
	if gate != nil {
		h.held <- struct{}{}
		select {
		case <-gate:
		case <-r.Context().Done():
			return
		}
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// hold makes DescribeApiProductApis answers wait until release is called (idempotent, and
// called at cleanup so that the server can shut down).
func (h *heldAPI) hold(t *testing.T) (release func()) {
	gate := make(chan struct{})
	h.mu.Lock()
	h.gate = gate
	h.mu.Unlock()
	var once sync.Once
	release = func() {
		once.Do(func() {
			h.mu.Lock()
			h.gate = nil
			h.mu.Unlock()
			close(gate)
		})
	}
	t.Cleanup(release)
	return release
}

// awaitHeld waits until n more answers are being held.
func (h *heldAPI) awaitHeld(t *testing.T, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		select {
		case <-h.held:
		case <-time.After(10 * time.Second):
			t.Fatalf("only %d of %d DescribeApiProductApis requests arrived", i, n)
		}
	}
}

// listings counts complete listings started so far (first-page requests) for the product.
func (f *fakeAPI) listings(productID string) int {
	n := 0
	for _, c := range f.callsFor("DescribeApiProductApis") {
		if c.Query["ApiProductId"] == productID && c.Query["PageNumber"] == "1" {
			n++
		}
	}
	return n
}

// state reports, under the lock, whether a listing runs for the product and how many callers
// wait on it and on the queued one.
func (lc *listingCoalescer) state(productID string) (running bool, runningWaiters, queuedWaiters int) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	p := lc.products[productID]
	if p == nil {
		return false, 0, 0
	}
	if p.running != nil {
		running, runningWaiters = true, p.running.waiters
	}
	if p.next != nil {
		queuedWaiters = p.next.waiters
	}
	return running, runningWaiters, queuedWaiters
}

// waitUntil polls cond; it waits for goroutines to reach a state, it does not time anything.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func newClientWith(t testing.TB, endpoint string, clock *fakeClock, disable bool) *Client {
	t.Helper()
	c, err := New(Config{RegionID: "cn-hangzhou", Endpoint: endpoint, Protocol: "HTTP", Credential: testCredential(t),
		Retry: fastPolicy(clock), DisableListingCoalescing: disable})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

type findResult struct {
	info *APIInfo
	err  error
}

// findAsync runs FindAttachment in a goroutine.
func findAsync(ctx context.Context, c *Client, productID, apiID string) <-chan findResult {
	ch := make(chan findResult, 1)
	go func() {
		info, err := c.FindAttachment(ctx, productID, apiID, "RELEASE")
		ch <- findResult{info, err}
	}()
	return ch
}

func receive(t *testing.T, ch <-chan findResult, what string) findResult {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(10 * time.Second):
		t.Fatalf("%s did not return", what)
		return findResult{}
	}
}

// TestStrictCallsShareListingsAndSeeEarlierWrites: 50 callers each attach their own API and then
// look it up, strictly. While the first listing is held, the other 49 must queue for one next
// listing (2 listings in all, not 50), and every caller must see its attach although the first
// listing's snapshot predates most of them. The attaches go through another client (as if made
// by another process), so only the strict rule, not this client's write invalidation, can make
// them visible.
func TestStrictCallsShareListingsAndSeeEarlierWrites(t *testing.T) {
	h := newHeldAPI(t)
	h.seedProduct("p", 10)
	c := newClientWith(t, h.endpoint(), newFakeClock(), false)
	elsewhere := newClientWith(t, h.endpoint(), newFakeClock(), false)
	release := h.hold(t)
	ctx := context.Background()

	const callers = 50
	results := make([]<-chan findResult, callers)
	for i := range results {
		apiID := fmt.Sprintf("mine%02d", i)
		ch := make(chan findResult, 1)
		results[i] = ch
		go func() {
			if err := elsewhere.AttachAPIProduct(ctx, "p", []APIRef{{APIID: apiID, StageName: "RELEASE"}}); err != nil {
				ch <- findResult{err: err}
				return
			}
			info, err := c.FindAttachment(ctx, "p", apiID, "RELEASE")
			ch <- findResult{info, err}
		}()
		if i == 0 {
			h.awaitHeld(t, 1) // caller 0's listing is held; everyone else comes later
		}
	}
	waitUntil(t, "all callers wait for a listing", func() bool {
		_, running, queued := c.listings.state("p")
		return running+queued == callers
	})
	release()
	for i, ch := range results {
		r := receive(t, ch, fmt.Sprintf("caller %d", i))
		if r.err != nil {
			t.Errorf("caller %d: %v", i, r.err)
		} else if want := fmt.Sprintf("mine%02d", i); r.info.APIID != want {
			t.Errorf("caller %d got %s", i, r.info.APIID)
		}
	}
	if n := h.listings("p"); n != 2 {
		t.Fatalf("listings = %d, want 2 (the held one and one shared by the 49 queued callers)", n)
	}
}

// TestStaleReadsWithinBoundUseCache: within the bound a stale-OK read costs nothing, after it
// the product is listed again; strict reads always list.
func TestStaleReadsWithinBoundUseCache(t *testing.T) {
	f := newFakeAPI(t)
	f.seedProduct("p", 150) // two pages per listing
	clock := newFakeClock()
	c := newClientWith(t, f.endpoint(), clock, false)
	var logs bytes.Buffer
	base := tflogtest.RootLogger(context.Background(), &logs)
	stale := WithMaxStaleness(base, 10*time.Second)
	requests := func() int { return len(f.callsFor("DescribeApiProductApis")) }

	if _, err := c.FindAttachment(stale, "p", "api0120", "RELEASE"); err != nil {
		t.Fatal(err)
	}
	if n := requests(); n != 2 {
		t.Fatalf("first read: %d requests, want 2", n)
	}
	for i := 0; i < 5; i++ {
		if _, err := c.FindAttachment(stale, "p", fmt.Sprintf("api%04d", i*30), "RELEASE"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.FindAttachment(stale, "p", "absent", "RELEASE"); !IsNotFound(err) {
		t.Fatalf("absent pair from cache: %v", err)
	}
	if n := requests(); n != 2 {
		t.Fatalf("stale reads within the bound made %d extra requests, want 0", n-2)
	}

	// A change made elsewhere is not seen within the bound (that is the contract), but a strict
	// read always lists.
	f.seedProduct("p", 151)
	if _, err := c.FindAttachment(stale, "p", "api0150", "RELEASE"); !IsNotFound(err) {
		t.Fatalf("stale read within the bound saw an out-of-band change: %v", err)
	}
	if _, err := c.FindAttachment(base, "p", "api0150", "RELEASE"); err != nil {
		t.Fatalf("strict read: %v", err)
	}
	if n := requests(); n != 4 {
		t.Fatalf("requests = %d, want 4 (the strict read lists)", n)
	}

	// The strict read refreshed the cache; 11 s later it is too old.
	_ = clock.Sleep(context.Background(), 11*time.Second) // advances the fake clock
	if _, err := c.FindAttachment(stale, "p", "api0150", "RELEASE"); err != nil {
		t.Fatal(err)
	}
	if n := requests(); n != 6 {
		t.Fatalf("requests = %d, want 6 (re-listed after the bound)", n)
	}

	entries, err := tflogtest.MultilineJSONDecode(&logs)
	if err != nil {
		t.Fatal(err)
	}
	cached := 0
	for _, e := range entries {
		if e["@message"] == "DescribeApiProductApis answered from a cached listing" {
			cached++
			if e["api_product_id"] != "p" || e["age_ms"] == nil || e["@level"] != "debug" {
				t.Errorf("cache log entry = %v", e)
			}
		}
	}
	if cached != 7 {
		t.Fatalf("cache log entries = %d, want 7", cached)
	}
}

// TestWriteDuringListingIsSeen: a listing whose snapshot predates an attach is held in flight
// while the attach completes. Its own waiter still gets it, but no later caller, stale-OK or
// strict, may be answered by it, neither by joining it nor from the cache.
func TestWriteDuringListingIsSeen(t *testing.T) {
	h := newHeldAPI(t)
	h.seedProduct("p", 5)
	c := newClientWith(t, h.endpoint(), newFakeClock(), false)
	stale := WithMaxStaleness(context.Background(), time.Hour)
	attach := func(apiID string) {
		t.Helper()
		if err := c.AttachAPIProduct(context.Background(), "p", []APIRef{{APIID: apiID, StageName: "RELEASE"}}); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("not joined", func(t *testing.T) {
		release := h.hold(t)
		before := h.listings("p")
		old := findAsync(stale, c, "p", "x1")
		h.awaitHeld(t, 1)
		attach("x1")
		staleAfter := findAsync(stale, c, "p", "x1")
		strictAfter := findAsync(context.Background(), c, "p", "x1")
		waitUntil(t, "both later callers queue", func() bool {
			_, _, queued := c.listings.state("p")
			return queued == 2
		})
		release()
		if r := receive(t, old, "the caller before the attach"); !IsNotFound(r.err) {
			t.Fatalf("the listing from before the attach should not have it: %+v", r)
		}
		for name, ch := range map[string]<-chan findResult{"stale-OK": staleAfter, "strict": strictAfter} {
			if r := receive(t, ch, name); r.err != nil {
				t.Errorf("%s read after the attach: %v", name, r.err)
			}
		}
		if n := h.listings("p") - before; n != 2 {
			t.Fatalf("listings = %d, want 2", n)
		}
	})

	t.Run("not cached", func(t *testing.T) {
		release := h.hold(t)
		// Strict, so as to start a listing despite the cached one; a strict listing is cached
		// for stale-OK callers as any other.
		old := findAsync(context.Background(), c, "p", "x2")
		h.awaitHeld(t, 1)
		attach("x2")
		release()
		if r := receive(t, old, "the caller before the attach"); !IsNotFound(r.err) {
			t.Fatalf("the listing from before the attach should not have it: %+v", r)
		}
		before := h.listings("p")
		if _, err := c.FindAttachment(stale, "p", "x2", "RELEASE"); err != nil {
			t.Fatalf("stale-OK read after the attach was answered by the older listing: %v", err)
		}
		if n := h.listings("p") - before; n != 1 {
			t.Fatalf("listings = %d, want 1", n)
		}
	})

	t.Run("detach and product delete invalidate too", func(t *testing.T) {
		if _, err := c.FindAttachment(stale, "p", "x2", "RELEASE"); err != nil {
			t.Fatal(err)
		}
		if err := c.DetachAPIProduct(context.Background(), "p", []APIRef{{APIID: "x2", StageName: "RELEASE"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.FindAttachment(stale, "p", "x2", "RELEASE"); !IsNotFound(err) {
			t.Fatalf("after detach: %v", err)
		}
		// The fake has no DeleteApiProduct / DeleteApi: the calls fail, and still invalidate,
		// since a failed write may have been applied.
		h.fakeAPI.mu.Lock()
		delete(h.products, "p")
		h.fakeAPI.mu.Unlock()
		_ = c.DeleteAPIProduct(context.Background(), "p")
		var nf *NotFoundError
		if _, err := c.FindAttachment(stale, "p", "x1", "RELEASE"); !errors.As(err, &nf) || !nf.ProductMissing {
			t.Fatalf("after DeleteAPIProduct: %v", err)
		}
		h.seedProduct("p", 1)
		h.seedProduct("q", 1)
		if _, err := c.FindAttachment(stale, "q", "api0000", "RELEASE"); err != nil {
			t.Fatal(err)
		}
	})
}

// TestCancelledWaiterLeavesSharedListingRunning: the caller that started a listing gives up while
// it is held; it returns at once, and the caller that joined still gets the listing's answer,
// without a second listing.
func TestCancelledWaiterLeavesSharedListingRunning(t *testing.T) {
	h := newHeldAPI(t)
	h.seedProduct("p", 5)
	c := newClientWith(t, h.endpoint(), newFakeClock(), false)

	t.Run("creator cancelled", func(t *testing.T) {
		release := h.hold(t)
		ctx, cancel := context.WithCancel(WithMaxStaleness(context.Background(), time.Hour))
		defer cancel()
		creator := findAsync(ctx, c, "p", "api0001")
		h.awaitHeld(t, 1)
		joiner := findAsync(WithMaxStaleness(context.Background(), time.Hour), c, "p", "api0002")
		waitUntil(t, "the second caller joins the running listing", func() bool {
			_, waiters, _ := c.listings.state("p")
			return waiters == 2
		})
		cancel()
		r := receive(t, creator, "the cancelled caller (while the listing is still held)")
		if !errors.Is(r.err, context.Canceled) || !strings.Contains(r.err.Error(), `"p"`) {
			t.Fatalf("cancelled caller: %v", r.err)
		}
		release()
		if r := receive(t, joiner, "the remaining caller"); r.err != nil || r.info.APIID != "api0002" {
			t.Fatalf("remaining caller: %+v", r)
		}
		if n := h.listings("p"); n != 1 {
			t.Fatalf("listings = %d, want 1", n)
		}
	})

	t.Run("queued caller cancelled", func(t *testing.T) {
		release := h.hold(t)
		before := h.listings("p")
		running := findAsync(context.Background(), c, "p", "api0001")
		h.awaitHeld(t, 1)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		quitter := findAsync(ctx, c, "p", "api0002")
		stayer := findAsync(context.Background(), c, "p", "api0003")
		waitUntil(t, "two callers queue", func() bool {
			_, _, queued := c.listings.state("p")
			return queued == 2
		})
		cancel()
		if r := receive(t, quitter, "the cancelled queued caller"); !errors.Is(r.err, context.Canceled) {
			t.Fatalf("cancelled caller: %v", r.err)
		}
		release()
		for name, ch := range map[string]<-chan findResult{"first": running, "queued": stayer} {
			if r := receive(t, ch, name); r.err != nil {
				t.Errorf("%s caller: %v", name, r.err)
			}
		}
		if n := h.listings("p") - before; n != 2 {
			t.Fatalf("listings = %d, want 2", n)
		}
	})

	t.Run("last waiter gone cancels the listing", func(t *testing.T) {
		h.hold(t)
		before := len(h.callsFor("DescribeApiProductApis"))
		ctx, cancel := context.WithCancel(context.Background())
		alone := findAsync(ctx, c, "p", "api0001")
		h.awaitHeld(t, 1)
		cancel()
		if r := receive(t, alone, "the only caller"); !errors.Is(r.err, context.Canceled) {
			t.Fatalf("caller: %v", r.err)
		}
		waitUntil(t, "the abandoned listing stops", func() bool {
			running, _, _ := c.listings.state("p")
			return !running
		})
		if n := len(h.callsFor("DescribeApiProductApis")) - before; n != 1 {
			t.Fatalf("requests = %d, want 1 (no retry of an abandoned listing)", n)
		}
	})

	t.Run("joiner with more time outlives the run's deadline", func(t *testing.T) {
		h.seedProduct("p2", 5) // a product without a cached listing
		release := h.hold(t)
		// The run takes the deadline of the caller that started it.
		ctx, cancel := context.WithTimeout(WithMaxStaleness(context.Background(), time.Hour), time.Second)
		defer cancel()
		short := findAsync(ctx, c, "p2", "api0001")
		h.awaitHeld(t, 1)
		patient := findAsync(WithMaxStaleness(context.Background(), time.Hour), c, "p2", "api0002")
		waitUntil(t, "the caller without deadline joins", func() bool {
			_, waiters, _ := c.listings.state("p2")
			return waiters == 2
		})
		if r := receive(t, short, "the caller with a deadline"); !errors.Is(r.err, context.DeadlineExceeded) {
			t.Fatalf("caller with a deadline: %v", r.err)
		}
		// The run failed at that deadline; the caller without one must not take that error as
		// its answer but list again.
		h.awaitHeld(t, 1)
		release()
		if r := receive(t, patient, "the caller without deadline"); r.err != nil || r.info.APIID != "api0002" {
			t.Fatalf("caller without deadline: %+v", r)
		}
		if n := h.listings("p2"); n != 2 {
			t.Fatalf("listings = %d, want 2", n)
		}
	})
}

// TestListingErrorsAreSharedButNotCached: an error reaches every waiter of the failed listing,
// and the next call lists again; "product not found" is an answer and is cached.
func TestListingErrorsAreSharedButNotCached(t *testing.T) {
	h := newHeldAPI(t)
	h.seedProduct("p", 5)
	c := newClientWith(t, h.endpoint(), newFakeClock(), false)
	stale := WithMaxStaleness(context.Background(), time.Hour)

	release := h.hold(t)
	h.addFaults(fakeFault{Action: "DescribeApiProductApis", Kind: "code", Status: 403, Code: "Forbidden.RAM", Message: "not allowed"})
	a := findAsync(stale, c, "p", "api0001")
	h.awaitHeld(t, 1)
	b := findAsync(stale, c, "p", "api0002")
	waitUntil(t, "the second caller joins", func() bool {
		_, waiters, _ := c.listings.state("p")
		return waiters == 2
	})
	release()
	for name, ch := range map[string]<-chan findResult{"a": a, "b": b} {
		if r := receive(t, ch, name); ErrorCode(r.err) != "Forbidden.RAM" {
			t.Errorf("caller %s: %v, want the shared Forbidden.RAM error", name, r.err)
		}
	}
	if n := h.listings("p"); n != 1 {
		t.Fatalf("listings = %d, want 1 shared", n)
	}
	if _, err := c.FindAttachment(stale, "p", "api0001", "RELEASE"); err != nil {
		t.Fatalf("the error was cached: %v", err)
	}
	if n := h.listings("p"); n != 2 {
		t.Fatalf("listings = %d, want 2", n)
	}

	var nf *NotFoundError
	for i := 0; i < 3; i++ {
		if _, err := c.FindAttachment(stale, "ghost", "a", "RELEASE"); !errors.As(err, &nf) || !nf.ProductMissing || ErrorCode(err) != "NotFoundApiProduct" {
			t.Fatalf("unknown product: %v", err)
		}
		if _, err := c.ListProductAPIs(stale, "ghost"); !IsNotFound(err) {
			t.Fatalf("unknown product: %v", err)
		}
	}
	if n := len(h.callsFor("DescribeApiProductApis")) - 2; n != 1 {
		t.Fatalf("not-found requests = %d, want 1 (cached)", n)
	}
	if err := c.AttachAPIProduct(context.Background(), "ghost", []APIRef{{APIID: "a", StageName: "RELEASE"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.FindAttachment(stale, "ghost", "a", "RELEASE"); err != nil {
		t.Fatalf("after the attach created the product: %v", err)
	}
}

// TestListProductAPIsReturnsPrivateCopies: a caller sorting or editing its slice must not change
// what another caller gets from the same listing.
func TestListProductAPIsReturnsPrivateCopies(t *testing.T) {
	f := newFakeAPI(t)
	f.seedProduct("p", 3)
	c := newClientWith(t, f.endpoint(), newFakeClock(), false)
	stale := WithMaxStaleness(context.Background(), time.Hour)
	first, err := c.ListProductAPIs(stale, "p")
	if err != nil {
		t.Fatal(err)
	}
	first[0].APIID = "scribbled"
	first[1], first[2] = first[2], first[1]
	second, err := c.ListProductAPIs(stale, "p")
	if err != nil {
		t.Fatal(err)
	}
	if second[0].APIID != "api0000" || second[1].APIID != "api0001" || len(f.callsFor("DescribeApiProductApis")) != 1 {
		t.Fatalf("second caller got %v (requests %d)", second, len(f.callsFor("DescribeApiProductApis")))
	}
	found, err := c.FindAttachment(stale, "p", "api0000", "RELEASE")
	if err != nil {
		t.Fatal(err)
	}
	found.Path = "scribbled"
	if again, _ := c.ListProductAPIs(stale, "p"); again[0].Path != "/api0000" {
		t.Fatalf("FindAttachment handed out shared memory: %+v", again[0])
	}
}

// TestDisableListingCoalescing: every call pages on its own, stale-OK or not.
func TestDisableListingCoalescing(t *testing.T) {
	h := newHeldAPI(t)
	h.seedProduct("p", 5)
	c := newClientWith(t, h.endpoint(), newFakeClock(), true)
	if c.listings != nil {
		t.Fatal("coalescer built although disabled")
	}
	release := h.hold(t)
	const callers = 10
	results := make([]<-chan findResult, callers)
	for i := range results {
		results[i] = findAsync(WithMaxStaleness(context.Background(), time.Hour), c, "p", fmt.Sprintf("api%04d", i%5))
	}
	h.awaitHeld(t, callers) // all in flight at once: nothing was shared
	release()
	for i, ch := range results {
		if r := receive(t, ch, fmt.Sprint("caller ", i)); r.err != nil {
			t.Errorf("caller %d: %v", i, r.err)
		}
	}
	if _, err := c.ListProductAPIs(WithMaxStaleness(context.Background(), time.Hour), "p"); err != nil {
		t.Fatal(err)
	}
	if n := h.listings("p"); n != callers+1 {
		t.Fatalf("listings = %d, want %d", n, callers+1)
	}
}

// BenchmarkRefresh measures a simulated `terraform refresh` of 300 attachments in one product:
// a fresh client (one terraform command = one provider process), 10 workers (Terraform's default
// parallelism) taking the 300 reads from a shared queue, each read with its own 5-minute
// timeout, against the in-process emulator (no added latency, so the time ratios understate what
// a real endpoint 30+ ms away would show). It reports DescribeApiProductApis requests per refresh
// next to the time.
//
//	baseline  DisableListingCoalescing: every read pages on its own (stopping at the hit)
//	strict    coalesced, default freshness (what Create/Delete confirmations use)
//	stale10s  coalesced, WithMaxStaleness 10s (what the provider's Read uses)
func BenchmarkRefresh(b *testing.B) {
	const attachments, workers = 300, 10
	srv := emulator.New()
	b.Cleanup(func() { _ = srv.Close() })
	var describes atomic.Int64
	// Counted here rather than with srv.RequestCount, which is updated after the response has
	// been written and may lag.
	counting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("x-acs-action") == "DescribeApiProductApis" {
			describes.Add(1)
		}
		srv.Handler().ServeHTTP(w, r)
	}))
	b.Cleanup(counting.Close)

	newClient := func(disable bool) *Client {
		cred, err := credentials.NewCredential(&credentials.Config{Type: strPtr("access_key"),
			AccessKeyId: strPtr(emulator.DefaultAccessKeyID), AccessKeySecret: strPtr(emulator.DefaultAccessKeySecret)})
		if err != nil {
			b.Fatal(err)
		}
		c, err := New(Config{RegionID: emulator.DefaultRegion, Endpoint: strings.TrimPrefix(counting.URL, "http://"), Protocol: ProtocolHTTP,
			Credential: cred, DisableListingCoalescing: disable})
		if err != nil {
			b.Fatal(err)
		}
		return c
	}

	groupID, err := srv.SeedGroup(emulator.DefaultAccountID, "", "bench")
	if err != nil {
		b.Fatal(err)
	}
	refs := make([]APIRef, attachments)
	for i := range refs {
		id, err := srv.SeedAPI(emulator.DefaultAccountID, "", emulator.APISpec{GroupID: groupID, Name: fmt.Sprintf("bench%03d", i), Path: fmt.Sprintf("/bench/%03d", i)})
		if err != nil {
			b.Fatal(err)
		}
		refs[i] = APIRef{APIID: id, StageName: "RELEASE"}
	}
	if err := newClient(true).AttachAPIProduct(context.Background(), "bench-product", refs); err != nil {
		b.Fatal(err)
	}

	for _, bc := range []struct {
		name      string
		disable   bool
		staleness time.Duration
	}{
		{"baseline", true, 0},
		{"strict", false, 0},
		{"stale10s", false, 10 * time.Second},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ctx := WithMaxStaleness(context.Background(), bc.staleness)
			before := describes.Load()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				c := newClient(bc.disable)
				queue := make(chan APIRef, len(refs))
				for _, r := range refs {
					queue <- r
				}
				close(queue)
				var wg sync.WaitGroup
				var failed atomic.Value
				for w := 0; w < workers; w++ {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for r := range queue {
							// Each Read has its own timeout, as in the provider.
							rctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
							if _, err := c.FindAttachment(rctx, "bench-product", r.APIID, r.StageName); err != nil {
								failed.Store(err)
							}
							cancel()
						}
					}()
				}
				wg.Wait()
				if err, _ := failed.Load().(error); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(describes.Load()-before)/float64(b.N), "requests/op")
		})
	}
}
