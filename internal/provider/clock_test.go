package provider

import (
	"sync"
	"time"
)

// testClock is a clock for emulator.WithClock (and the provider's now) that moves only when a test
// says so: a visibility delay passes with Advance, never with a sleep that races the machine.
// It starts at the real time, so request timestamps stay within the emulator's allowed skew.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newTestClock() *testClock { return &testClock{now: time.Now()} }

// Now returns the clock's time.
func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
