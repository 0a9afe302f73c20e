package cloudapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

func fastPolicy(clock *fakeClock) RetryPolicy {
	return RetryPolicy{MaxAttempts: 8, BaseDelay: 100 * time.Millisecond, MaxDelay: 2 * time.Second, Clock: clock, Rand: func() float64 { return 0.5 }}
}

// listFake lists product of f through a new client, failing the test on an error.
func listFake(t *testing.T, f *fakeAPI, product string) []APIInfo {
	t.Helper()
	c := newTestClient(t, f.endpoint(), fastPolicy(newFakeClock()))
	got, err := c.ListProductAPIs(context.Background(), product, Strict)
	if err != nil {
		t.Fatalf("ListProductAPIs: %v", err)
	}
	return got
}

func TestListProductAPIsPagesUntilTotalCount(t *testing.T) {
	f := newFakeAPI(t)
	want := f.seedProduct("p1", 250)
	got := listFake(t, f, "p1")
	if len(got) != len(want) {
		t.Fatalf("got %d APIs, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("item %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
	calls := f.callsFor("DescribeApiProductApis")
	if len(calls) != 3 {
		t.Fatalf("made %d DescribeApiProductApis calls, want 3", len(calls))
	}
	for i, call := range calls {
		if call.Query["PageSize"] != "100" || call.Query["PageNumber"] != fmt.Sprint(i+1) || call.Query["ApiProductId"] != "p1" {
			t.Errorf("call %d query = %v", i, call.Query)
		}
	}
}

func TestListProductAPIsEmptyProduct(t *testing.T) {
	f := newFakeAPI(t)
	f.seedProduct("empty", 0)
	got := listFake(t, f, "empty")
	if got == nil || len(got) != 0 {
		t.Fatalf("got %#v, want an empty non-nil slice", got)
	}
}

// A listing ends on a short page, read twice (a full and a short page, twice): when TotalCount
// says more than the pages hold, the second reading answers the same, so the pages are trusted over
// TotalCount; without TotalCount only a second reading that answers the same shows that nothing
// moved between the pages.
func TestListProductAPIsStopsOnShortPage(t *testing.T) {
	for _, tc := range []struct {
		name  string
		n     int
		total func(page, size int) *int
	}{
		{"TotalCount says more", 150, func(int, int) *int { n := 500; return &n }},
		{"no TotalCount", 130, func(int, int) *int { return nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.seedProduct("p1", tc.n)
			f.totalCountOverride = tc.total
			if got := listFake(t, f, "p1"); len(got) != tc.n {
				t.Fatalf("got %d, want %d", len(got), tc.n)
			}
			if n := len(f.callsFor("DescribeApiProductApis")); n != 4 {
				t.Fatalf("calls = %d, want 4 (a full and a short page, twice)", n)
			}
		})
	}
}

func TestListProductAPIsContinuesPastShortPagesWhileTotalCountSaysMore(t *testing.T) {
	f := newFakeAPI(t)
	want := f.seedProduct("p1", 120)
	f.maxPageSize = 50 // a server with a lower page limit answers 50 per page
	got := listFake(t, f, "p1")
	// Pages are computed by the server with its own size; we asked 100 but got 50 each, so
	// PageNumber 2 is items 50..99, PageNumber 3 is 100..119.
	if len(got) != len(want) {
		t.Fatalf("got %d, want %d", len(got), len(want))
	}
	if got[119] != want[119] {
		t.Fatalf("last item = %+v", got[119])
	}
}

func TestListProductAPIsPageCap(t *testing.T) {
	old := maxPages
	maxPages = 3
	t.Cleanup(func() { maxPages = old })

	f := newFakeAPI(t)
	f.seedProduct("p1", 1000)
	f.totalCountOverride = func(page, _ int) *int { n := 100000; return &n }
	c := newTestClient(t, f.endpoint(), fastPolicy(newFakeClock()))
	_, err := c.ListProductAPIs(context.Background(), "p1", Strict)
	if err == nil || !strings.Contains(err.Error(), "stopped after 3 pages") {
		t.Fatalf("err = %v, want page cap error", err)
	}
	if n := len(f.callsFor("DescribeApiProductApis")); n != 3 {
		t.Fatalf("calls = %d, want 3", n)
	}
}

func TestListProductAPIsUnknownProduct(t *testing.T) {
	f := newFakeAPI(t)
	c := newTestClient(t, f.endpoint(), fastPolicy(newFakeClock()))
	_, err := c.ListProductAPIs(context.Background(), "nope", Strict)
	if !IsNotFound(err) {
		t.Fatalf("IsNotFound(%v) = false", err)
	}
	if ErrorCode(err) != "NotFoundApiProduct" || !strings.HasPrefix(requestIDOf(err), "ERR-") {
		t.Fatalf("code=%q requestID=%q", ErrorCode(err), requestIDOf(err))
	}
	if len(f.callsFor("DescribeApiProductApis")) != 1 {
		t.Fatalf("a not-found must not be retried")
	}
}

func TestFindAttachment(t *testing.T) {
	f := newFakeAPI(t)
	want := f.seedProduct("p1", 250)
	c := newTestClient(t, f.endpoint(), fastPolicy(newFakeClock()))
	ctx := context.Background()

	t.Run("hit on page 2", func(t *testing.T) {
		// A read takes the whole product: the listing serves later reads too.
		got, err := c.FindAttachment(ctx, "p1", "api0150", "RELEASE", Strict)
		if err != nil {
			t.Fatalf("FindAttachment: %v", err)
		}
		if *got != want[150] {
			t.Fatalf("got %+v, want %+v", *got, want[150])
		}
		if n := len(f.callsFor("DescribeApiProductApis")); n != 3 {
			t.Fatalf("pages read = %d, want 3", n)
		}
	})
	t.Run("pair absent", func(t *testing.T) {
		_, err := c.FindAttachment(ctx, "p1", "api0150", "PRE", Strict)
		var nf *NotFoundError
		if !errors.As(err, &nf) || nf.Kind == NotFoundProduct || nf.ProductID != "p1" || nf.APIID != "api0150" || nf.StageName != "PRE" {
			t.Fatalf("err = %#v", err)
		}
		if !IsNotFound(err) || IsRetryable(err) {
			t.Fatalf("classification wrong for %v", err)
		}
		if !strings.Contains(err.Error(), `"api0150"`) || !strings.Contains(err.Error(), "PRE") {
			t.Fatalf("message %q does not say what was looked for", err)
		}
	})
	t.Run("product unknown", func(t *testing.T) {
		_, err := c.FindAttachment(ctx, "ghost", "api0001", "RELEASE", Strict)
		var nf *NotFoundError
		if !errors.As(err, &nf) || nf.Kind != NotFoundProduct {
			t.Fatalf("err = %#v", err)
		}
		if ErrorCode(err) != "NotFoundApiProduct" {
			t.Fatalf("ErrorCode through NotFoundError = %q", ErrorCode(err))
		}
		if !strings.Contains(err.Error(), "ghost") || !strings.Contains(err.Error(), "RequestId: ERR-") {
			t.Fatalf("message = %q", err)
		}
	})
	t.Run("auth error is not a miss", func(t *testing.T) {
		f.addFaults(fakeFault{Action: "DescribeApiProductApis", Kind: "code", Status: 404, Code: "InvalidAccessKeyId.NotFound", Message: "Specified access key is not found."})
		_, err := c.FindAttachment(ctx, "p1", "api0001", "RELEASE", Strict)
		var nf *NotFoundError
		if err == nil || errors.As(err, &nf) || IsNotFound(err) {
			t.Fatalf("err = %v: an unknown access key must not look like a missing attachment", err)
		}
	})
}

func TestAttachSplitsIntoCallsOfAtMost100AndFlattensApis(t *testing.T) {
	f := newFakeAPI(t)
	c := newTestClient(t, f.endpoint(), fastPolicy(newFakeClock()))
	refs := make([]APIRef, 250)
	for i := range refs {
		stage := []string{"RELEASE", "PRE", "TEST"}[i%3]
		refs[i] = APIRef{APIID: fmt.Sprintf("a%03d", i), StageName: stage}
	}
	if err := c.AttachAPIProduct(context.Background(), "p9", refs); err != nil {
		t.Fatalf("AttachAPIProduct: %v", err)
	}
	calls := f.callsFor("AttachApiProduct")
	if len(calls) != 3 {
		t.Fatalf("calls = %d, want 3", len(calls))
	}
	sizes := []int{100, 100, 50}
	k := 0
	for ci, call := range calls {
		for i := 1; i <= sizes[ci]; i++ {
			if call.Query[fmt.Sprintf("Apis.%d.ApiId", i)] != refs[k].APIID || call.Query[fmt.Sprintf("Apis.%d.StageName", i)] != refs[k].StageName {
				t.Fatalf("call %d item %d = %q/%q, want %+v", ci, i, call.Query[fmt.Sprintf("Apis.%d.ApiId", i)], call.Query[fmt.Sprintf("Apis.%d.StageName", i)], refs[k])
			}
			k++
		}
		if _, extra := call.Query[fmt.Sprintf("Apis.%d.ApiId", sizes[ci]+1)]; extra {
			t.Fatalf("call %d has more than %d items", ci, sizes[ci])
		}
	}
	got, err := c.ListProductAPIs(context.Background(), "p9", Strict)
	if err != nil || len(got) != 250 {
		t.Fatalf("after attach: %d APIs, err %v", len(got), err)
	}

	if err := c.DetachAPIProduct(context.Background(), "p9", refs[:10]); err != nil {
		t.Fatalf("DetachAPIProduct: %v", err)
	}
	if _, err := c.FindAttachment(context.Background(), "p9", refs[0].APIID, refs[0].StageName, Strict); !IsNotFound(err) {
		t.Fatalf("after detach: %v", err)
	}
}

func TestAttachValidatesInput(t *testing.T) {
	c := newTestClient(t, "127.0.0.1:1", fastPolicy(newFakeClock()))
	ctx := context.Background()
	for name, tc := range map[string]struct {
		product string
		apis    []APIRef
	}{
		"empty product": {"", []APIRef{{"a", "RELEASE"}}},
		"no apis":       {"p", nil},
		"empty api id":  {"p", []APIRef{{"", "RELEASE"}}},
		"empty stage":   {"p", []APIRef{{"a", ""}}},
	} {
		if err := c.AttachAPIProduct(ctx, tc.product, tc.apis); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestRetriesTransientFailuresEndToEnd(t *testing.T) {
	f := newFakeAPI(t)
	want := f.seedProduct("p1", 30)
	clock := newFakeClock()
	c := newTestClient(t, f.endpoint(), fastPolicy(clock))
	f.addFaults(
		fakeFault{Action: "DescribeApiProductApis", Kind: "503"},
		fakeFault{Action: "DescribeApiProductApis", Kind: "throttle", TimeLeft: 1500},
		fakeFault{Action: "DescribeApiProductApis", Kind: "drop"},
		fakeFault{Action: "DescribeApiProductApis", Kind: "500"},
		fakeFault{Action: "DescribeApiProductApis", Kind: "html502"},
	)

	var logs bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &logs)
	got, err := c.ListProductAPIs(ctx, "p1", Strict)
	if err != nil {
		t.Fatalf("ListProductAPIs: %v", err)
	}
	if len(got) != len(want) {
		t.Fatalf("got %d, want %d", len(got), len(want))
	}
	if n := len(f.callsFor("DescribeApiProductApis")); n != 6 {
		t.Fatalf("requests = %d, want 6 (5 faults + success)", n)
	}
	sleeps := clock.Sleeps()
	if len(sleeps) != 5 {
		t.Fatalf("sleeps = %v, want 5", sleeps)
	}
	// The throttled attempt (2nd) must wait at least the server's TimeLeft although the backoff
	// ceiling for retry 2 is only 200ms.
	if sleeps[1] < 1500*time.Millisecond {
		t.Fatalf("sleep after Throttling.User = %v, want >= 1.5s (TimeLeft)", sleeps[1])
	}
	for i, s := range sleeps {
		if i != 1 && s > c.retry.ceiling(i+1) {
			t.Fatalf("sleep %d = %v exceeds ceiling %v", i, s, c.retry.ceiling(i+1))
		}
	}

	entries, err := tflogtest.MultilineJSONDecode(&logs)
	if err != nil {
		t.Fatalf("decode logs: %v", err)
	}
	if len(entries) != 6 {
		t.Fatalf("log entries = %d, want one per attempt (6): %v", len(entries), entries)
	}
	for i, e := range entries {
		if e["action"] != "DescribeApiProductApis" || e["attempt"] != float64(i+1) || e["@level"] != "debug" {
			t.Errorf("entry %d = %v", i, e)
		}
		if _, ok := e["duration_ms"]; !ok {
			t.Errorf("entry %d has no duration_ms", i)
		}
	}
	if entries[1]["error_code"] != "Throttling.User" || entries[1]["time_left_ms"] != float64(1500) {
		t.Errorf("throttled entry = %v", entries[1])
	}
	if entries[0]["error_code"] != "ServiceUnavailable" || entries[0]["http_status"] != float64(503) || !strings.HasPrefix(fmt.Sprint(entries[0]["request_id"]), "ERR-") {
		t.Errorf("503 entry = %v", entries[0])
	}
	if entries[5]["request_id"] != "req-describe-1" {
		t.Errorf("success entry = %v", entries[5])
	}
	if strings.Contains(logs.String(), testSecret) {
		t.Fatalf("secret found in logs")
	}
}

func TestNonRetryableErrorReturnsAtOnceAndReadsWell(t *testing.T) {
	f := newFakeAPI(t)
	f.seedProduct("p1", 1)
	clock := newFakeClock()
	c := newTestClient(t, f.endpoint(), fastPolicy(clock))
	f.addFaults(fakeFault{Action: "DetachApiProduct", Kind: "code", Status: 400, Code: "SignatureDoesNotMatch", Message: "Specified signature is not matched with our calculation."})

	err := c.DetachAPIProduct(context.Background(), "p1", []APIRef{{"api0000", "RELEASE"}})
	if err == nil {
		t.Fatal("no error")
	}
	if n := len(f.callsFor("DetachApiProduct")); n != 1 {
		t.Fatalf("requests = %d, want 1", n)
	}
	if len(clock.Sleeps()) != 0 {
		t.Fatalf("slept %v", clock.Sleeps())
	}
	msg := err.Error()
	for _, want := range []string{"DetachApiProduct", "SignatureDoesNotMatch", "Specified signature is not matched with our calculation.", "HTTP 400", "RequestId: ERR-"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, testSecret) || strings.Contains(msg, "Signature=") || strings.Contains(msg, "\n") {
		t.Errorf("message %q leaks a secret or is multi-line", msg)
	}
	var ae *APIError
	if !errors.As(err, &ae) || ae.Attempts != 1 || ae.Code != "SignatureDoesNotMatch" {
		t.Fatalf("APIError = %#v", ae)
	}
}

func TestConnectionRefusedIsRetriedUntilAttemptsRunOut(t *testing.T) {
	// Nothing listens on this port once the server is closed.
	f := newFakeAPI(t)
	ep := f.endpoint()
	f.srv.Close()
	clock := newFakeClock()
	p := fastPolicy(clock)
	p.MaxAttempts = 3
	c := newTestClient(t, ep, p)
	_, err := c.ListProductAPIs(context.Background(), "p1", Strict)
	var ae *APIError
	if !errors.As(err, &ae) || ae.Attempts != 3 {
		t.Fatalf("err = %v", err)
	}
	if len(clock.Sleeps()) != 2 {
		t.Fatalf("sleeps = %v, want 2", clock.Sleeps())
	}
	if !strings.Contains(err.Error(), "connection error") || !strings.Contains(err.Error(), "after 3 attempts") || strings.Contains(err.Error(), "ApiProductId=") {
		t.Fatalf("message = %q", err)
	}
}

func TestConcurrentUseIsSafe(t *testing.T) {
	f := newFakeAPI(t)
	f.seedProduct("p1", 120)
	f.addFaults(fakeFault{Kind: "503"}, fakeFault{Kind: "throttle", TimeLeft: 10}, fakeFault{Kind: "drop"})
	c := newTestClient(t, f.endpoint(), fastPolicy(newFakeClock()))
	errs := make(chan error, 16)
	for g := 0; g < 16; g++ {
		go func(g int) {
			info, err := c.FindAttachment(context.Background(), "p1", fmt.Sprintf("api%04d", g*7), "RELEASE", Strict)
			if err == nil && info.APIID != fmt.Sprintf("api%04d", g*7) {
				err = fmt.Errorf("goroutine %d got %s", g, info.APIID)
			}
			errs <- err
		}(g)
	}
	for g := 0; g < 16; g++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
