// Package model is the emulated API Gateway's service model: API groups, APIs and their
// deployments, API products and their attachments, apps and their authorizations, per account and
// region, with every business rule the emulator enforces. It knows nothing of HTTP, signatures or
// wire error codes: operations take typed requests and return values or typed errors
// (*ParameterError, *NotFoundError, *ProductAuthorizedError), which the emulator's protocol layer
// maps to CloudAPI answers in one place.
//
// A Backend holds every account's state; Backend.Region hands out the store of one account in
// one region (as LocalStack's stores are per account and region). Each Region owns its lock, so
// tenants do not contend, and every operation holds it for its whole duration.
package model

import (
	"crypto/rand"
	"encoding/hex"
	"sort"
	"sync"
	"sync/atomic"
)

// Backend is the state of every account and region. It is safe for concurrent use.
type Backend struct {
	mu      sync.Mutex
	regions map[regionKey]*Region
	ids     *counters
	// onChange is called after every mutation, with the mutated Region's lock held; it must not
	// block or call back into the model (the emulator uses it to schedule a state-file write).
	onChange func()
	// behaviour is set before the Backend serves anything (SetBehaviour) and read without a lock.
	behaviour Behaviour
	// writes counts the writes to each product for Behaviour.LockTimeoutEvery (not persisted).
	writesMu sync.Mutex
	writes   map[productKey]int
}

type regionKey struct{ account, region string }

// counters are shared by all regions of a Backend: seq orders creations globally (listings sort by
// it), and app ids come from one counter, which keeps them unique per account without a search.
type counters struct {
	seq       atomic.Uint64
	lastAppID atomic.Int64
}

// appIDBase is where app ids start: real AppIds are positive integers of nine or more digits
// (Alibaba's examples show 110962435), and clients store them as int64.
const appIDBase int64 = 110000000

func (c *counters) nextSeq() uint64 { return c.seq.Add(1) }

func (c *counters) nextAppID() int64 {
	for {
		last := c.lastAppID.Load()
		next := max(last, appIDBase) + 1
		if c.lastAppID.CompareAndSwap(last, next) {
			return next
		}
	}
}

// NewBackend returns an empty Backend. onChange, when not nil, is called after every mutation.
func NewBackend(onChange func()) *Backend {
	return &Backend{regions: make(map[regionKey]*Region), ids: &counters{}, onChange: onChange}
}

// SetBehaviour selects the reading of the service the model follows (see Behaviour). Call it
// before the Backend is used: it is read without locking.
func (b *Backend) SetBehaviour(bh Behaviour) { b.behaviour = bh }

// Behaviour returns the reading set by SetBehaviour.
func (b *Backend) Behaviour() Behaviour { return b.behaviour }

// Region returns the store of account in region, creating it empty on first use.
func (b *Backend) Region(account, region string) *Region {
	b.mu.Lock()
	defer b.mu.Unlock()
	k := regionKey{account, region}
	r := b.regions[k]
	if r == nil {
		r = newRegion(b, account, region)
		b.regions[k] = r
	}
	return r
}

// Lookup returns the store of account in region if it exists, else an empty stand-in that is not
// kept: reads of a region nobody created must not create it, or a client cycling through RegionId
// values would grow the backend without limit. Use Region for operations that create objects.
func (b *Backend) Lookup(account, region string) *Region {
	b.mu.Lock()
	defer b.mu.Unlock()
	if r := b.regions[regionKey{account, region}]; r != nil {
		return r
	}
	return newRegion(b, account, region)
}

// Reset drops every account's state and starts the counters over (app ids included).
func (b *Backend) Reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.regions = make(map[regionKey]*Region)
	b.ids.seq.Store(0)
	b.ids.lastAppID.Store(0)
	b.changed()
}

// Empty reports whether no account holds any group, API, product or app.
func (b *Backend) Empty() bool {
	for _, r := range b.sortedRegions() {
		if !r.empty() {
			return false
		}
	}
	return true
}

func (b *Backend) changed() {
	if b.onChange != nil {
		b.onChange()
	}
}

// sortedRegions returns the regions by account, then region name, for deterministic snapshots.
func (b *Backend) sortedRegions() []*Region {
	b.mu.Lock()
	defer b.mu.Unlock()
	keys := make([]regionKey, 0, len(b.regions))
	for k := range b.regions {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].account != keys[j].account {
			return keys[i].account < keys[j].account
		}
		return keys[i].region < keys[j].region
	})
	out := make([]*Region, len(keys))
	for i, k := range keys {
		out[i] = b.regions[k]
	}
	return out
}

// Region is everything one account owns in one region.
type Region struct {
	b       *Backend
	account string
	name    string

	mu       sync.RWMutex
	groups   map[string]*group
	apis     map[string]*api
	products map[string]*product
	apps     map[int64]*app
}

func newRegion(b *Backend, account, name string) *Region {
	return &Region{b: b, account: account, name: name, groups: make(map[string]*group), apis: make(map[string]*api),
		products: make(map[string]*product), apps: make(map[int64]*app)}
}

// Name is the region id, e.g. cn-hangzhou.
func (r *Region) Name() string { return r.name }

func (r *Region) empty() bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return len(r.groups)+len(r.apis)+len(r.products)+len(r.apps) == 0
}

// newID returns 32 lowercase hex characters, the shape of real group and API ids.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b[:])
}

// Page selects one page of a listing: Number is 1-based, Size at least 1.
type Page struct{ Number, Size int }

// window returns the [lo, hi) bounds of the page over total items.
func (p Page) window(total int) (lo, hi int) {
	lo = (p.Number - 1) * p.Size
	if lo > total || lo < 0 {
		lo = total
	}
	hi = min(lo+p.Size, total)
	return lo, hi
}

// bySeq sorts a map's values by their creation order.
func bySeq[K comparable, V any](m map[K]V, seq func(V) uint64) []V {
	out := make([]V, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return seq(out[i]) < seq(out[j]) })
	return out
}
