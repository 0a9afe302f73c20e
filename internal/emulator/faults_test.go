package emulator

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	openapiutil "github.com/alibabacloud-go/darabonba-openapi/v2/utils"
)

func newFakeClock() *ManualClock {
	return NewManualClock(time.Date(2026, 11, 30, 6, 0, 0, 0, time.UTC))
}

func errCode(d faultDecision) string {
	if d.Err == nil {
		return ""
	}
	return d.Err.Code
}

func TestFaultCountFiresExactlyNextN(t *testing.T) {
	f := newFaultInjector(&config{faults: []Fault{{Action: "AttachApiProduct", Kind: FaultThrottling, Count: 3}}})
	var got []string
	for i := 0; i < 6; i++ {
		// Other actions must neither fire nor consume the budget.
		if d := f.decide("DescribeApis", "acc"); d.Err != nil || d.Drop {
			t.Fatalf("DescribeApis: unexpected fault %+v", d)
		}
		got = append(got, errCode(f.decide("AttachApiProduct", "acc")))
	}
	want := []string{"Throttling", "Throttling", "Throttling", "", "", ""}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("codes = %q, want %q", got, want)
	}
}

func TestFaultKindsCodesAndStatuses(t *testing.T) {
	cases := []struct {
		kind   FaultKind
		code   string
		status int
	}{
		{FaultThrottling, "Throttling", http.StatusBadRequest},
		{FaultServiceUnavailable, "ServiceUnavailable", http.StatusServiceUnavailable},
		{FaultInternalError, "InternalError", http.StatusInternalServerError},
	}
	for _, c := range cases {
		f := newFaultInjector(&config{})
		f.add(Fault{Kind: c.kind, Rate: 1})
		d := f.decide("AnyAction", "acc")
		if d.Err == nil || d.Err.Code != c.code || d.Err.Status != c.status || d.Drop {
			t.Errorf("%s: got %+v, want code %s status %d", c.kind, d, c.code, c.status)
		}
		if d.Err != nil && d.Err.Message == "" {
			t.Errorf("%s: empty message", c.kind)
		}
	}
	f := newFaultInjector(&config{})
	f.add(Fault{Kind: FaultDrop, Count: 1})
	if d := f.decide("X", "acc"); !d.Drop || d.Err != nil {
		t.Errorf("Drop: got %+v, want Drop without error", d)
	}
	if d := f.decide("X", "acc"); d.Drop || d.Err != nil {
		t.Errorf("Drop Count=1 fired twice: %+v", d)
	}
}

func TestFaultRateIsSeededAndNearConfigured(t *testing.T) {
	run := func(seed int64) []bool {
		f := newFaultInjector(&config{randSeed: seed, faults: []Fault{{Kind: FaultServiceUnavailable, Rate: 0.3}}})
		out := make([]bool, 1000)
		for i := range out {
			out[i] = f.decide("DescribeApiProductApis", "acc").Err != nil
		}
		return out
	}
	a, b, c := run(42), run(42), run(43)
	fired := 0
	same, differ := true, false
	for i := range a {
		if a[i] {
			fired++
		}
		same = same && a[i] == b[i]
		differ = differ || a[i] != c[i]
	}
	// Binomial(1000, 0.3): mean 300, standard deviation about 14.5; ±70 is nearly five of them.
	if fired < 230 || fired > 370 {
		t.Errorf("rate 0.3 fired %d times out of 1000", fired)
	}
	if !same {
		t.Error("same seed gave different fault sequences")
	}
	if !differ {
		t.Error("seeds 42 and 43 gave identical fault sequences")
	}
}

func TestFaultZeroRateNeverFiresButLatencyAlwaysApplies(t *testing.T) {
	f := newFaultInjector(&config{
		latency: 10 * time.Millisecond,
		faults: []Fault{
			{Kind: FaultInternalError}, // neither Rate nor Count: never
			{Kind: FaultLatency, Latency: 5 * time.Millisecond},
			{Action: "DeployApi", Kind: FaultLatency, Latency: time.Second, Count: 1},
		},
	})
	for i := 0; i < 100; i++ {
		if d := f.decide("DescribeApi", "acc"); d.Err != nil || d.Delay != 15*time.Millisecond {
			t.Fatalf("DescribeApi: %+v, want no error and 15ms delay", d)
		}
	}
	if d := f.decide("DeployApi", "acc"); d.Delay != time.Second+15*time.Millisecond {
		t.Fatalf("first DeployApi delay = %s", d.Delay)
	}
	if d := f.decide("DeployApi", "acc"); d.Delay != 15*time.Millisecond {
		t.Fatalf("second DeployApi delay = %s (Count=1 latency fired twice)", d.Delay)
	}
}

func TestFaultFirstErrorWinsAndKeepsOtherBudgets(t *testing.T) {
	f := newFaultInjector(&config{faults: []Fault{
		{Kind: FaultInternalError, Count: 1},
		{Kind: FaultServiceUnavailable, Count: 1},
	}})
	got := []string{errCode(f.decide("A", "acc")), errCode(f.decide("A", "acc")), errCode(f.decide("A", "acc"))}
	if got[0] != "InternalError" || got[1] != "ServiceUnavailable" || got[2] != "" {
		t.Fatalf("codes = %q, want [InternalError ServiceUnavailable \"\"]", got)
	}
}

func TestFaultClearAndAdd(t *testing.T) {
	f := newFaultInjector(&config{faults: []Fault{{Kind: FaultThrottling, Rate: 1}}})
	if f.decide("A", "acc").Err == nil {
		t.Fatal("configured fault did not fire")
	}
	f.clear()
	if d := f.decide("A", "acc"); d.Err != nil {
		t.Fatalf("fault fired after clear: %+v", d)
	}
	f.add(Fault{Action: "A", Kind: FaultInternalError, Count: 2})
	if errCode(f.decide("B", "acc")) != "" || errCode(f.decide("A", "acc")) != "InternalError" {
		t.Fatal("injected fault did not apply to its action only")
	}
}

func TestTokenBucketThrottlesAndRefillsWithClock(t *testing.T) {
	clk := newFakeClock()
	f := newFaultInjector(&config{now: clk.Now, qps: 2, burst: 2})
	for i := 0; i < 2; i++ {
		if d := f.decide("A", "acc1"); d.Err != nil {
			t.Fatalf("request %d within burst throttled: %v", i, d.Err)
		}
	}
	d := f.decide("A", "acc1")
	if d.Err == nil || d.Err.Code != "Throttling.User" || d.Err.Status != http.StatusBadRequest {
		t.Fatalf("third request: %+v, want Throttling.User 400", d)
	}
	// The SDK computes its retry delay from this header; check it with the SDK's own parser.
	h := d.Err.Header.Get("x-ratelimit-user")
	left := openapiutil.GetThrottlingTimeLeft(map[string]*string{"x-ratelimit-user": &h})
	if left == nil || *left != 500 {
		t.Fatalf("x-ratelimit-user %q: SDK TimeLeft = %v, want 500 (ms until the next token at 2 qps)", h, left)
	}
	// Buckets are per account.
	if d := f.decide("A", "acc2"); d.Err != nil {
		t.Fatalf("other account throttled: %v", d.Err)
	}
	clk.Advance(499 * time.Millisecond)
	d = f.decide("A", "acc1")
	if d.Err == nil {
		t.Fatal("token available before 500ms at 2 qps")
	}
	h = d.Err.Header.Get("x-ratelimit-user")
	if left := openapiutil.GetThrottlingTimeLeft(map[string]*string{"x-ratelimit-user": &h}); left == nil || *left != 1 {
		t.Fatalf("TimeLeft after 499ms = %v, want 1", left)
	}
	clk.Advance(time.Millisecond)
	if d := f.decide("A", "acc1"); d.Err != nil {
		t.Fatalf("no token after 500ms at 2 qps: %v", d.Err)
	}
	// A long idle period refills only up to the burst.
	clk.Advance(time.Hour)
	passed := 0
	for i := 0; i < 10; i++ {
		if f.decide("A", "acc1").Err == nil {
			passed++
		}
	}
	if passed != 2 {
		t.Fatalf("after an idle hour %d requests passed, want burst 2", passed)
	}
	// A clock going backwards neither refills nor panics.
	clk.Advance(-time.Hour)
	if f.decide("A", "acc1").Err == nil {
		t.Fatal("backwards clock refilled the bucket")
	}
}

func TestTokenBucketDefaultBurstAndThrottleBeforeFaults(t *testing.T) {
	clk := newFakeClock()
	f := newFaultInjector(&config{now: clk.Now, qps: 3, faults: []Fault{{Kind: FaultInternalError, Count: 1}}})
	var codes []string
	for i := 0; i < 5; i++ {
		codes = append(codes, errCode(f.decide("A", "acc")))
	}
	// Burst defaults to one second's worth (3); the Count fault fires on the first admitted request,
	// and throttled requests do not consume it.
	want := "InternalError,,,Throttling.User,Throttling.User"
	if got := strings.Join(codes, ","); got != want {
		t.Fatalf("codes = %s, want %s", got, want)
	}
}

func TestFaultInjectorConcurrentCountIsExact(t *testing.T) {
	clk := newFakeClock()
	f := newFaultInjector(&config{now: clk.Now, qps: 1000, burst: 1000000, randSeed: 7,
		faults: []Fault{{Kind: FaultDrop, Count: 100}, {Kind: FaultThrottling, Rate: 0.1}}})
	var mu sync.Mutex
	drops := 0
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := 0
			for i := 0; i < 250; i++ {
				if g == 0 && i%50 == 0 {
					f.add(Fault{Kind: FaultLatency, Latency: time.Millisecond, Count: 1})
				}
				if f.decide("A", "acc").Drop {
					n++
				}
			}
			mu.Lock()
			drops += n
			mu.Unlock()
		}()
	}
	wg.Wait()
	if drops != 100 {
		t.Fatalf("Count=100 drop fault fired %d times under concurrency", drops)
	}
}
