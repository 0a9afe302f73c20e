package cloudapi

import (
	"context"
	"testing"
	"testing/synctest"
	"time"
)

// terraformLike sends n one-item writes to wb the way Terraform's apply does at -parallelism=p: at
// most p in progress, each started after a stretch of serial work (gaps, in turn) that no write
// can overlap. It runs in a synctest bubble, on its fake clock, and returns the calls' sizes.
func terraformLike(t *testing.T, p, n int, gaps []time.Duration) []int {
	t.Helper()
	var sizes []int
	synctest.Test(t, func(t *testing.T) {
		s := &recordingSender{}
		wb := newWriteBatcher(actionAttach, batchPolicy{quiet: defaultBatchQuiet, maxWait: defaultBatchMaxWait, maxItems: 100, clock: realClock{}},
			s.send, mayBeItemError)
		slots := make(chan struct{}, p)
		done := make(chan error, n)
		for i := range n {
			slots <- struct{}{}
			time.Sleep(gaps[i%len(gaps)])
			go func() {
				defer func() { <-slots }()
				done <- wb.do(context.Background(), "p1", ref(i))
			}()
		}
		for range n {
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		}
		sizes = s.callSizes()
	})
	return sizes
}

// The batch size does not depend on the machine's speed: joins slower than the base quiet period,
// and irregular, still gather every write Terraform runs at once, once the batcher has seen them.
func TestWriteBatcherBatchSizeIndependentOfGaps(t *testing.T) {
	const p, n = 10, 300
	for _, tc := range []struct {
		name string
		gaps []time.Duration
	}{
		{"fast", []time.Duration{5 * time.Millisecond, 20 * time.Millisecond, 8 * time.Millisecond}},
		{"slow and irregular", []time.Duration{
			110 * time.Millisecond, 40 * time.Millisecond, 180 * time.Millisecond, 130 * time.Millisecond,
			60 * time.Millisecond, 150 * time.Millisecond, 20 * time.Millisecond, 170 * time.Millisecond,
			120 * time.Millisecond,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sizes := terraformLike(t, p, n, tc.gaps)
			// Learning may cost a few small calls at the start; after that every call but the
			// last carries p.
			const learning = 5
			if len(sizes) > n/p+learning {
				t.Fatalf("%d calls for %d writes at parallelism %d, want at most %d: %v", len(sizes), n, p, n/p+learning, sizes)
			}
			for i, size := range sizes[learning : len(sizes)-1] {
				if size != p {
					t.Fatalf("call %d carried %d items, want %d: %v", learning+i, size, p, sizes)
				}
			}
		})
	}
}

// With -parallelism=1 every write goes out as soon as the first one has shown that nobody joins.
func TestWriteBatcherParallelismOne(t *testing.T) {
	sizes := terraformLike(t, 1, 20, []time.Duration{30 * time.Millisecond})
	if len(sizes) != 20 {
		t.Fatalf("calls = %v, want 20 of one item", sizes)
	}
}

// Config.MaxBatchSize bounds every write call; at 1, one-item writes go out at once, on their own
// (the gate clock would hold any batch that waited).
func TestMaxBatchSize(t *testing.T) {
	f := newFakeAPI(t)
	clock := newGateClock()
	c, err := New(Config{RegionID: "cn-hangzhou", Endpoint: f.endpoint(), Protocol: "HTTP", Credential: testCredential(t),
		Retry: fastPolicy(newFakeClock()), MaxBatchSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	c.attaches.policy.clock = clock
	ctx := context.Background()
	errs := make(chan error, 5)
	for i := range 5 {
		go func() {
			_, err := c.AttachAPI(ctx, "p1", ref(i))
			errs <- err
		}()
	}
	for range 5 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if n := len(f.callsFor("AttachApiProduct")); n != 5 {
		t.Fatalf("%d AttachApiProduct calls, want 5", n)
	}
	apis := make([]APIRef, 7)
	for i := range apis {
		apis[i] = ref(10 + i)
	}
	if err := c.DetachAPIProduct(ctx, "p1", apis); err != nil {
		t.Fatal(err)
	}
	if n := len(f.callsFor("DetachApiProduct")); n != 7 {
		t.Fatalf("%d DetachApiProduct calls for 7 APIs, want 7", n)
	}
	for _, size := range []int{-1, 101} {
		if _, err := New(Config{RegionID: "cn-hangzhou", Credential: testCredential(t), MaxBatchSize: size}); err == nil {
			t.Errorf("MaxBatchSize %d accepted", size)
		}
	}
}
