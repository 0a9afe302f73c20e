package emulator

import (
	"bytes"
	"sync"
	"time"
)

// Helpers for tests that run the emulator: a clock to move by hand and a buffer for its log.

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

// LogBuffer is a bytes.Buffer safe for the server's goroutines, for WithRequestLog (or a command's
// output) in tests. The zero value is ready to use.
type LogBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String returns what was written so far.
func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
