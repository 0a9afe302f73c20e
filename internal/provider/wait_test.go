package provider

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestPollUntil(t *testing.T) {
	t.Parallel()
	fast := pollSchedule{Interval: time.Millisecond, Max: 2 * time.Millisecond}

	calls := 0
	err := pollUntil(context.Background(), fast, func(context.Context) error {
		calls++
		if calls < 4 {
			return &errStillPending{reason: "not yet"}
		}
		return nil
	})
	if err != nil || calls != 4 {
		t.Errorf("pending then done: err = %v after %d calls, want nil after 4", err, calls)
	}

	boom := errors.New("boom")
	calls = 0
	err = pollUntil(context.Background(), fast, func(context.Context) error { calls++; return boom })
	if !errors.Is(err, boom) || calls != 1 {
		t.Errorf("hard error: err = %v after %d calls, want boom after 1", err, calls)
	}

	ctx, cancel := context.WithCancel(context.Background())
	calls = 0
	err = pollUntil(ctx, fast, func(context.Context) error {
		calls++
		if calls == 3 {
			cancel()
		}
		return &errStillPending{reason: "the attachment is not visible yet"}
	})
	if err == nil || !strings.HasPrefix(err.Error(), "the attachment is not visible yet after ") || !strings.Contains(err.Error(), "(timeout reached)") {
		t.Errorf("context ended: err = %v", err)
	}
}
