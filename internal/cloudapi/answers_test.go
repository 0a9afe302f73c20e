package cloudapi

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
)

// However the askers of one key interleave with the call, the service is asked once: an asker that
// missed the kept answer just before the first call ended must not start a second call.
func TestSharedAnswersAskOnce(t *testing.T) {
	errGone := errors.New("gone")
	for _, answer := range []error{nil, errGone} {
		for round := range 300 {
			a := newSharedAnswers[int, int](func(err error) bool { return errors.Is(err, errGone) })
			var calls atomic.Int32
			call := func(context.Context) (*int, error) {
				calls.Add(1)
				if answer != nil {
					return nil, answer
				}
				return new(int), nil
			}
			var start, done sync.WaitGroup
			start.Add(1)
			for range 8 {
				done.Add(1)
				go func() {
					defer done.Done()
					start.Wait()
					if _, err := a.ask(context.Background(), 1, call); !errors.Is(err, answer) {
						t.Errorf("ask: %v, want %v", err, answer)
					}
				}()
			}
			start.Done()
			done.Wait()
			if n := calls.Load(); n != 1 {
				t.Fatalf("answer %v, round %d: %d calls for one key, want 1", answer, round, n)
			}
		}
	}
}
