package emulator

import (
	"sync"
	"time"
)

// ManualClock is a clock that moves only when a test says so (Advance), for WithClock: a visibility
// delay, a token bucket's refill or a timestamp window is crossed without a sleep that races the
// machine. It is safe for the server's goroutines.
type ManualClock struct {
	mu sync.Mutex
	t  time.Time
}

// NewManualClock returns a clock standing at t.
func NewManualClock(t time.Time) *ManualClock { return &ManualClock{t: t} }

// Now returns the clock's time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock by d (backwards when d is negative).
func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
