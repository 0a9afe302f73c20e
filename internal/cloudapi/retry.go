package cloudapi

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	cloudapiclient "github.com/alibabacloud-go/cloudapi-20160714/v5/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// Clock is the retry loop's view of time, replaceable in tests.
type Clock interface {
	// Now returns the current time; it is compared with the context deadline.
	Now() time.Time
	// Sleep waits for d or until ctx is done, returning ctx.Err() in the latter case.
	Sleep(ctx context.Context, d time.Duration) error
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// RetryPolicy controls the retry loop every call goes through. Zero fields take the
// DefaultRetryPolicy values. The context deadline (the Terraform operation timeout) is the real
// bound: the loop never sleeps past it.
type RetryPolicy struct {
	// MaxAttempts caps the number of requests per call (1 disables retries).
	MaxAttempts int
	// BaseDelay is the backoff ceiling before the first retry; it doubles per retry.
	BaseDelay time.Duration
	// MaxDelay caps the backoff ceiling (not a server TimeLeft hint, which is honoured up to
	// maxHintDelay).
	MaxDelay time.Duration
	// Clock is nil for real time.
	Clock Clock
	// Rand returns a number in [0,1) for jitter; nil uses math/rand/v2.
	Rand func() float64
}

// maxHintDelay bounds how long a server TimeLeft hint can make us wait in one go.
const maxHintDelay = 2 * time.Minute

// DefaultRetryPolicy returns 8 attempts, 500 ms base delay, 20 s maximum delay, real clock.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{
		MaxAttempts: 8,
		BaseDelay:   500 * time.Millisecond,
		MaxDelay:    20 * time.Second,
		Clock:       realClock{},
		Rand:        rand.Float64,
	}
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	d := DefaultRetryPolicy()
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = d.MaxAttempts
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = d.BaseDelay
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = d.MaxDelay
	}
	if p.MaxDelay < p.BaseDelay {
		p.MaxDelay = p.BaseDelay
	}
	if p.Clock == nil {
		p.Clock = d.Clock
	}
	if p.Rand == nil {
		p.Rand = d.Rand
	}
	return p
}

// ceiling is the full-jitter upper bound before retry number n (n >= 1):
// min(MaxDelay, BaseDelay * 2^(n-1)).
func (p RetryPolicy) ceiling(n int) time.Duration {
	if n < 1 {
		n = 1
	}
	c := float64(p.BaseDelay) * math.Pow(2, float64(n-1))
	if c > float64(p.MaxDelay) || math.IsInf(c, 0) {
		return p.MaxDelay
	}
	return time.Duration(c)
}

// delay is the wait before retry number n: full jitter over the ceiling, but never less than the
// server's TimeLeft hint (plus a little jitter so clients throttled together do not return
// together).
func (p RetryPolicy) delay(n int, hint time.Duration) time.Duration {
	r := p.Rand()
	if r < 0 || r >= 1 || math.IsNaN(r) {
		r = 0.5
	}
	d := time.Duration(r * float64(p.ceiling(n)))
	if hint > 0 {
		if hint > maxHintDelay {
			hint = maxHintDelay
		}
		if h := hint + time.Duration(r*float64(p.BaseDelay)); h > d {
			d = h
		}
	}
	return d
}

// invoke runs one CloudAPI operation through the retry loop. call performs one attempt with the
// given context and runtime options and returns the response's request ID.
func (c *Client) invoke(ctx context.Context, action string, call func(ctx context.Context, api *cloudapiclient.Client, rt *dara.RuntimeOptions) (requestID *string, err error)) error {
	p := c.retry
	var last *APIError
	// maybeApplied: an earlier attempt may have been applied (its answer was lost or was a 5xx), so
	// a definite refusal of a later one may be caused by it (a service that refuses to attach a pair
	// twice) and does not prove that nothing happened.
	maybeApplied := false
	for attempt := 1; ; attempt++ {
		probe := &attemptProbe{}
		// darabonba consults only the client's RetryOptions (nil: one attempt); Autoretry off is
		// belt and braces for SDK versions that read it.
		rt := &dara.RuntimeOptions{Autoretry: dara.Bool(false)}
		api, err := c.acquire()
		if err != nil {
			return &APIError{Action: action, Attempts: attempt, Err: err}
		}
		start := p.Clock.Now()
		reqID, err := call(withProbe(ctx, probe), api, rt)
		elapsed := p.Clock.Now().Sub(start)
		c.release(api)

		fields := map[string]interface{}{
			"action":      action,
			"attempt":     attempt,
			"duration_ms": elapsed.Milliseconds(),
			"endpoint":    c.endpoint,
		}
		if err == nil {
			fields["request_id"] = dara.StringValue(reqID)
			tflog.Debug(ctx, "CloudAPI call succeeded", fields)
			return nil
		}

		cur := newAPIError(action, err, probe, attempt)
		fields["request_id"] = cur.RequestID
		fields["error_code"] = cur.Code
		fields["http_status"] = cur.StatusCode

		if ctxErr := ctx.Err(); ctxErr != nil {
			// The attempt most likely failed only because the context ended; the previous
			// attempt's error says more about why we were still retrying.
			final := cur
			if last != nil && (errors.Is(err, ctxErr) || cur.Code == "") {
				final = last
				final.Attempts = attempt
			}
			final.stop = ctxErr
			final.reason = "stopped retrying: " + ctxErr.Error()
			fields["outcome"] = "context done"
			tflog.Debug(ctx, "CloudAPI call failed", fields)
			return final
		}
		if !IsRetryable(cur) {
			fields["outcome"] = "not retryable"
			tflog.Debug(ctx, "CloudAPI call failed", fields)
			cur.maybeApplied = maybeApplied
			return cur
		}
		// Retried answers that do not prove the write was refused: no CloudAPI answer at all (a lost
		// or codeless answer), a 5xx, or a lock timeout (isBusyCode).
		if !cur.structured || cur.Code == "" || cur.StatusCode >= 500 || isBusyCode(cur.Code) {
			maybeApplied = true
		}
		if attempt >= p.MaxAttempts {
			if p.MaxAttempts > 1 {
				cur.reason = fmt.Sprintf("giving up: retry limit of %d attempts reached", p.MaxAttempts)
			}
			fields["outcome"] = "attempts exhausted"
			tflog.Debug(ctx, "CloudAPI call failed", fields)
			return cur
		}
		wait := p.delay(attempt, cur.RetryAfter)
		if deadline, ok := ctx.Deadline(); ok && p.Clock.Now().Add(wait).After(deadline) {
			cur.reason = fmt.Sprintf("giving up: the next retry (in %s) would pass the operation's deadline", wait.Round(time.Millisecond))
			cur.stop = context.DeadlineExceeded
			fields["outcome"] = "deadline"
			tflog.Debug(ctx, "CloudAPI call failed", fields)
			return cur
		}
		fields["outcome"] = "retrying"
		fields["retry_in_ms"] = wait.Milliseconds()
		if cur.RetryAfter > 0 {
			fields["time_left_ms"] = cur.RetryAfter.Milliseconds()
		}
		tflog.Debug(ctx, "CloudAPI call failed, will retry", fields)
		if serr := p.Clock.Sleep(ctx, wait); serr != nil {
			cur.stop = serr
			cur.reason = "stopped retrying: " + serr.Error()
			return cur
		}
		last = cur
	}
}

func newAPIError(action string, err error, probe *attemptProbe, attempt int) *APIError {
	// Shared listings and look-ups hand one error to several goroutines; fix its text now.
	freezeErrorText(err)
	d := inspect(err)
	status, hint, hdrReqID := probe.snapshot()
	e := &APIError{
		Action:     action,
		Code:       d.code,
		Message:    d.message,
		RequestID:  d.requestID,
		StatusCode: d.status,
		Attempts:   attempt,
		RetryAfter: d.retryAfter,
		Err:        err,
		structured: d.structured,
	}
	if e.StatusCode == 0 {
		// E.g. a 502 from a proxy with an HTML body: the SDK fails to parse it and reports only
		// a JSON error, but the status still tells us it is worth retrying.
		e.StatusCode = status
	}
	if e.RetryAfter == 0 {
		e.RetryAfter = hint
	}
	if e.RequestID == "" {
		e.RequestID = hdrReqID
	}
	if !e.structured && e.Code == "" {
		e.Message = ""
		if status != 0 {
			e.Message = "the endpoint returned a response that is not a CloudAPI answer: " + describeCause(err)
		}
	}
	return e
}
