package cloudapi

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	cloudapiclient "github.com/alibabacloud-go/cloudapi-20160714/v5/client"
	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	"github.com/alibabacloud-go/tea/dara"
)

// scripted returns a call that fails with errs in turn, then succeeds; it counts attempts.
func scripted(attempts *int, errs ...error) func(context.Context, *cloudapiclient.Client, *dara.RuntimeOptions) (*string, error) {
	return func(ctx context.Context, api *cloudapiclient.Client, rt *dara.RuntimeOptions) (*string, error) {
		if api == nil {
			return nil, errors.New("no SDK client handed to the attempt")
		}
		*attempts++
		if rt == nil || dara.BoolValue(rt.Autoretry) {
			return nil, errors.New("runtime options must be set with SDK autoretry off")
		}
		if *attempts <= len(errs) {
			return nil, errs[*attempts-1]
		}
		return dara.String("OK-1"), nil
	}
}

func repeat(err error, n int) []error {
	out := make([]error, n)
	for i := range out {
		out[i] = err
	}
	return out
}

func policyWith(clock *fakeClock, r func() float64) RetryPolicy {
	return RetryPolicy{MaxAttempts: 8, BaseDelay: time.Second, MaxDelay: 5 * time.Second, Clock: clock, Rand: r}
}

func TestRetryBackoffGrowsAndIsCapped(t *testing.T) {
	clock := newFakeClock()
	c := newTestClient(t, "127.0.0.1:1", policyWith(clock, func() float64 { return 0.999 }))
	attempts := 0
	err := c.invoke(context.Background(), "DescribeApi", scripted(&attempts, repeat(sdkErr(503, "ServiceUnavailable", "busy", "R"), 20)...))

	var ae *APIError
	if !errors.As(err, &ae) || ae.Attempts != 8 || attempts != 8 {
		t.Fatalf("attempts = %d, err = %v", attempts, err)
	}
	if !strings.Contains(err.Error(), "after 8 attempts") || !strings.Contains(err.Error(), "retry limit of 8 attempts") {
		t.Fatalf("message = %q", err)
	}
	ceilingSeconds := []float64{1, 2, 4, 5, 5, 5, 5}
	sleeps := clock.Sleeps()
	if len(sleeps) != len(ceilingSeconds) {
		t.Fatalf("sleeps = %v", sleeps)
	}
	for i, s := range sleeps {
		want := time.Duration(0.999 * ceilingSeconds[i] * float64(time.Second))
		if s != want {
			t.Errorf("sleep %d = %v, want %v", i, s, want)
		}
	}
}

func TestRetryJitterIsBoundedAndFull(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	clock := newFakeClock()
	c := newTestClient(t, "127.0.0.1:1", policyWith(clock, rng.Float64))
	for run := 0; run < 20; run++ {
		attempts := 0
		_ = c.invoke(context.Background(), "DescribeApi", scripted(&attempts, repeat(sdkErr(500, "InternalError", "x", "R"), 20)...))
	}
	sleeps := clock.Sleeps()
	if len(sleeps) != 20*7 {
		t.Fatalf("sleeps = %d", len(sleeps))
	}
	var belowHalf, aboveHalf int
	for i, s := range sleeps {
		ceil := c.retry.ceiling(i%7 + 1)
		if s < 0 || s > ceil {
			t.Fatalf("sleep %v outside [0, %v]", s, ceil)
		}
		if s < ceil/2 {
			belowHalf++
		} else {
			aboveHalf++
		}
	}
	// Full jitter spreads over the whole range, not just near the ceiling.
	if belowHalf < 20 || aboveHalf < 20 {
		t.Fatalf("jitter not spread: %d below half, %d above", belowHalf, aboveHalf)
	}

	zero := newFakeClock()
	cz := newTestClient(t, "127.0.0.1:1", policyWith(zero, func() float64 { return 0 }))
	attempts := 0
	if err := cz.invoke(context.Background(), "DescribeApi", scripted(&attempts, sdkErr(503, "ServiceUnavailable", "", "R"))); err != nil {
		t.Fatal(err)
	}
	if s := zero.Sleeps(); len(s) != 1 || s[0] != 0 {
		t.Fatalf("rand 0 sleeps = %v", s)
	}
}

func TestRetryHonoursTimeLeft(t *testing.T) {
	clock := newFakeClock()
	c := newTestClient(t, "127.0.0.1:1", policyWith(clock, func() float64 { return 0.5 }))
	throttled := &openapi.ThrottlingError{StatusCode: dara.Int(400), Code: dara.String("Throttling.User"), RetryAfter: dara.Int64(7000), RequestId: dara.String("R-T")}
	attempts := 0
	if err := c.invoke(context.Background(), "AttachApiProduct", scripted(&attempts, throttled)); err != nil {
		t.Fatalf("invoke: %v", err)
	}
	s := clock.Sleeps()
	// Backoff ceiling for the first retry is 1s (0.5s with this jitter); the hint says 7s, plus
	// jitter of at most BaseDelay.
	if len(s) != 1 || s[0] < 7*time.Second || s[0] > 8*time.Second {
		t.Fatalf("sleeps = %v, want one in [7s, 8s]", s)
	}

	// A hint is capped so a broken header cannot park us for an hour.
	clock2 := newFakeClock()
	c2 := newTestClient(t, "127.0.0.1:1", policyWith(clock2, func() float64 { return 0 }))
	huge := &openapi.ThrottlingError{StatusCode: dara.Int(400), Code: dara.String("Throttling"), RetryAfter: dara.Int64(3_600_000)}
	attempts = 0
	if err := c2.invoke(context.Background(), "X", scripted(&attempts, huge)); err != nil {
		t.Fatal(err)
	}
	if s := clock2.Sleeps(); len(s) != 1 || s[0] != maxHintDelay {
		t.Fatalf("sleeps = %v, want [%v]", s, maxHintDelay)
	}
}

func TestRetryRespectsContextDeadline(t *testing.T) {
	clock := newFakeClock()
	c := newTestClient(t, "127.0.0.1:1", policyWith(clock, func() float64 { return 0.999 }))
	ctx, cancel := context.WithDeadline(context.Background(), clock.Now().Add(10*time.Second))
	defer cancel()
	attempts := 0
	err := c.invoke(ctx, "DetachApiProduct", scripted(&attempts, repeat(sdkErr(400, "Throttling.User", "slow down", "R-D"), 20)...))
	// Waits ~1s, ~2s, ~4s (total ~7s); the next (~5s) would end past 10s, so 4 attempts.
	if attempts != 4 {
		t.Fatalf("attempts = %d, want 4", attempts)
	}
	var total time.Duration
	for _, s := range clock.Sleeps() {
		total += s
	}
	if total > 10*time.Second {
		t.Fatalf("slept %v past the 10s deadline", total)
	}
	var ae *APIError
	if !errors.As(err, &ae) || ae.Attempts != 4 || ae.Code != "Throttling.User" {
		t.Fatalf("err = %#v", err)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err does not match context.DeadlineExceeded: %v", err)
	}
	if !strings.Contains(err.Error(), "would pass the operation's deadline") || !strings.Contains(err.Error(), "Throttling.User") {
		t.Fatalf("message = %q", err)
	}

	// A TimeLeft hint beyond the deadline stops at once instead of sleeping into the timeout.
	clock2 := newFakeClock()
	c2 := newTestClient(t, "127.0.0.1:1", policyWith(clock2, func() float64 { return 0.5 }))
	ctx2, cancel2 := context.WithDeadline(context.Background(), clock2.Now().Add(3*time.Second))
	defer cancel2()
	attempts = 0
	hint := &openapi.ThrottlingError{StatusCode: dara.Int(400), Code: dara.String("Throttling.User"), RetryAfter: dara.Int64(5000)}
	if err := c2.invoke(ctx2, "X", scripted(&attempts, hint)); err == nil || attempts != 1 || len(clock2.Sleeps()) != 0 {
		t.Fatalf("err=%v attempts=%d sleeps=%v", err, attempts, clock2.Sleeps())
	}
}

func TestRetryNonRetryableReturnsImmediately(t *testing.T) {
	for _, e := range []error{
		sdkErr(404, "NotFoundApi", "gone", "R"),
		sdkErr(400, "SignatureDoesNotMatch", "bad sig", "R"),
		sdkErr(404, "InvalidAccessKeyId.NotFound", "no key", "R"),
		errors.New("some local failure"),
	} {
		clock := newFakeClock()
		c := newTestClient(t, "127.0.0.1:1", policyWith(clock, func() float64 { return 0.5 }))
		attempts := 0
		err := c.invoke(context.Background(), "DescribeApi", scripted(&attempts, repeat(e, 5)...))
		var ae *APIError
		if attempts != 1 || len(clock.Sleeps()) != 0 || !errors.As(err, &ae) || ae.Attempts != 1 {
			t.Errorf("%v: attempts=%d sleeps=%v err=%v", e, attempts, clock.Sleeps(), err)
		}
		if !errors.Is(err, e) {
			t.Errorf("returned error does not wrap the SDK error")
		}
	}
}

func TestRetryMaxAttemptsOneDisablesRetries(t *testing.T) {
	clock := newFakeClock()
	p := policyWith(clock, func() float64 { return 0.5 })
	p.MaxAttempts = 1
	c := newTestClient(t, "127.0.0.1:1", p)
	attempts := 0
	err := c.invoke(context.Background(), "X", scripted(&attempts, sdkErr(503, "ServiceUnavailable", "", "R")))
	if err == nil || attempts != 1 || len(clock.Sleeps()) != 0 {
		t.Fatalf("err=%v attempts=%d", err, attempts)
	}
}

func TestRetryStopsWhenContextCancelled(t *testing.T) {
	clock := newFakeClock()
	c := newTestClient(t, "127.0.0.1:1", policyWith(clock, func() float64 { return 0.5 }))
	ctx, cancel := context.WithCancel(context.Background())
	attempts := 0
	throttled := sdkErr(400, "Throttling", "slow", "R-C1")
	err := c.invoke(ctx, "X", func(ctx context.Context, api *cloudapiclient.Client, rt *dara.RuntimeOptions) (*string, error) {
		attempts++
		if attempts == 2 {
			cancel()
			return nil, ctx.Err()
		}
		return nil, throttled
	})
	if attempts != 2 {
		t.Fatalf("attempts = %d", attempts)
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want it to match context.Canceled", err)
	}
	// The meaningful error (why we were retrying) is what the user sees.
	if ErrorCode(err) != "Throttling" || requestIDOf(err) != "R-C1" || !strings.Contains(err.Error(), "after 2 attempts") {
		t.Fatalf("err = %q", err)
	}
}

func TestRetryPolicyDefaults(t *testing.T) {
	d := DefaultRetryPolicy()
	if d.MaxAttempts != 8 || d.BaseDelay != 500*time.Millisecond || d.MaxDelay != 20*time.Second || d.Clock == nil || d.Rand == nil {
		t.Fatalf("DefaultRetryPolicy = %+v", d)
	}
	p := RetryPolicy{BaseDelay: 2 * time.Second}.withDefaults()
	if p.MaxAttempts != 8 || p.BaseDelay != 2*time.Second || p.MaxDelay != 20*time.Second {
		t.Fatalf("partial defaults = %+v", p)
	}
	if got := (RetryPolicy{BaseDelay: time.Second, MaxDelay: time.Hour}).ceiling(200); got != time.Hour {
		t.Fatalf("ceiling overflow: %v", got)
	}
}

func TestRealClockSleepHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := (realClock{}).Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("Sleep on a cancelled context = %v", err)
	}
	if err := (realClock{}).Sleep(context.Background(), time.Millisecond); err != nil {
		t.Fatalf("Sleep = %v", err)
	}
}
