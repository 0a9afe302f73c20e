package cloudapi

import (
	"context"
	"fmt"
	"sync"

	"golang.org/x/sync/singleflight"
)

// sharedAnswers keeps the answers of a look-up within the client (API details, apps): what exists,
// and the service's answers that something does not (gone); other failures are not kept, and the
// next caller asks again. Concurrent askers of one key wait for the same call.
type sharedAnswers[K comparable, V any] struct {
	gone   func(error) bool
	flight singleflight.Group

	mu      sync.Mutex
	known   map[K]*V
	missing map[K]error
}

func newSharedAnswers[K comparable, V any](gone func(error) bool) *sharedAnswers[K, V] {
	return &sharedAnswers[K, V]{gone: gone, known: map[K]*V{}, missing: map[K]error{}}
}

// kept returns the answer kept for k, if there is one.
func (a *sharedAnswers[K, V]) kept(k K) (*V, error, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if v, ok := a.known[k]; ok {
		return v, nil, true
	}
	err, ok := a.missing[k]
	return nil, err, ok
}

// ask returns the answer kept for k, or call's. The call outlives a caller that gives up (Ctrl-C of
// one plan walker) so that the others waiting for it still get an answer, within the caller's
// deadline. The answer is kept inside the flight, and looked for again there: a caller that missed
// it just before a flight ended must not start a second call.
func (a *sharedAnswers[K, V]) ask(ctx context.Context, k K, call func(context.Context) (*V, error)) (*V, error) {
	if v, err, ok := a.kept(k); ok {
		return v, err
	}
	v, err, _ := a.flight.Do(fmt.Sprint(k), func() (any, error) {
		if v, err, ok := a.kept(k); ok {
			return v, err
		}
		lctx, cancel := detachedWithDeadline(ctx)
		defer cancel()
		v, err := call(lctx)
		a.keep(k, v, err)
		return v, err
	})
	if err != nil {
		return nil, err
	}
	return v.(*V), nil
}

// keep keeps call's answer for k: what exists, and an answer that it does not.
func (a *sharedAnswers[K, V]) keep(k K, v *V, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	switch {
	case err == nil:
		a.known[k] = v
	case a.gone(err):
		a.missing[k] = err
	}
}

// add keeps v as k's answer (found in a listing), replacing a not-found answer.
func (a *sharedAnswers[K, V]) add(k K, v *V) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.known[k] = v
	delete(a.missing, k)
}
