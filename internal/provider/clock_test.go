package provider

import (
	"time"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator"
)

// testClock is a clock for emulator.WithClock (and the provider's now) that moves only when a test
// says so: a visibility delay passes with Advance, never with a sleep that races the machine.
type testClock = emulator.ManualClock

// newTestClock starts at the real time, so request timestamps stay within the emulator's allowed
// skew.
func newTestClock() *testClock { return emulator.NewManualClock(time.Now()) }
