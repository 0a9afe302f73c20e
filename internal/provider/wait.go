package provider

import (
	"context"
	"errors"
	"fmt"
	"time"
)

const (
	defaultPollInterval = 250 * time.Millisecond
	maxPollInterval     = 5 * time.Second
)

// errStillPending is returned by a poll condition that wants another round.
type errStillPending struct{ reason string }

func (e *errStillPending) Error() string { return e.reason }

// pollSchedule is the wait between confirmation reads: first Interval, doubling up to Max.
type pollSchedule struct {
	Interval, Max time.Duration
}

// defaultPollSchedule suits the real service, where a fresh attachment shows up within seconds.
var defaultPollSchedule = pollSchedule{Interval: defaultPollInterval, Max: maxPollInterval}

// pollUntil calls cond until it returns nil or a non-pending error, waiting as sched says between
// calls and stopping when ctx ends (the operation's timeout). Reads after a write may lag (eventual
// consistency), hence the wait rather than a single check.
func pollUntil(ctx context.Context, sched pollSchedule, cond func(context.Context) error) error {
	interval := sched.Interval
	start := time.Now()
	for {
		err := cond(ctx)
		if err == nil {
			return nil
		}
		var pending *errStillPending
		if !errors.As(err, &pending) {
			if ctx.Err() != nil {
				return fmt.Errorf("gave up after %s: %w", time.Since(start).Round(time.Millisecond), err)
			}
			return err
		}
		timer := time.NewTimer(interval)
		select {
		case <-ctx.Done():
			timer.Stop()
			return fmt.Errorf("%s after %s (timeout reached)", pending.reason, time.Since(start).Round(time.Millisecond))
		case <-timer.C:
		}
		interval *= 2
		if interval > sched.Max {
			interval = sched.Max
		}
	}
}
