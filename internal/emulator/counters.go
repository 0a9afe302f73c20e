package emulator

import "sync"

// Request counters, kept by the protocol layer for RequestCount: one per (action, outcome).

// maxUnknownActions bounds how many distinct unknown action names the counters keep apart. Action
// names are client-chosen, so without a bound a client cycling through names would grow the counters
// without limit; later names are counted under otherAction.
const maxUnknownActions = 256

// otherAction is the counter action of unknown actions beyond maxUnknownActions.
const otherAction = "(other)"

// counters counts requests by action and outcome ("OK" or the error code).
type counters struct {
	mu      sync.Mutex
	m       map[countKey]int
	unknown map[string]struct{} // unknown action names counted under their own name
}

type countKey struct{ action, outcome string }

func newCounters() *counters {
	return &counters{m: make(map[countKey]int), unknown: make(map[string]struct{})}
}

// unknownAction returns the name an unknown action is counted and logged under: its own (clipped)
// name while fewer than maxUnknownActions names are tracked, otherAction after that.
func (c *counters) unknownAction(action string) string {
	action = clipAction(action)
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.unknown[action]; ok {
		return action
	}
	if len(c.unknown) >= maxUnknownActions {
		return otherAction
	}
	c.unknown[action] = struct{}{}
	return action
}

func (c *counters) add(action, outcome string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[countKey{action, outcome}]++
}

func (c *counters) get(action, outcome string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if action != "" && outcome != "" {
		return c.m[countKey{action, outcome}]
	}
	n := 0
	for k, v := range c.m {
		if (action == "" || k.action == action) && (outcome == "" || k.outcome == outcome) {
			n += v
		}
	}
	return n
}

func (c *counters) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m = make(map[countKey]int)
	c.unknown = make(map[string]struct{})
}
