package cloudapi

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator"
)

// relaxed is a refresh's freshness, generous enough for any test.
var relaxed = AtMost(time.Hour)

// A refresh's reads of one product, concurrent or one after the other, share one listing.
func TestProductSnapshotsRelaxedReadsShareOneListing(t *testing.T) {
	f := newFakeAPI(t)
	f.seedProduct("p1", 250)
	c := newTestClient(t, f.endpoint(), fastPolicy(newFakeClock()))
	ctx := context.Background()

	var wg sync.WaitGroup
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.FindAttachment(ctx, "p1", fmt.Sprintf("api%04d", i*5), "RELEASE", relaxed); err != nil {
				t.Errorf("FindAttachment %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	for i := range 40 {
		if _, err := c.FindAttachment(ctx, "p1", fmt.Sprintf("api%04d", i*6), "RELEASE", relaxed); err != nil {
			t.Errorf("FindAttachment %d: %v", i, err)
		}
	}
	if n := len(f.callsFor("DescribeApiProductApis")); n != 3 {
		t.Fatalf("80 relaxed reads made %d page requests, want 3 (one listing of 250)", n)
	}
	// A strict read does not take the kept listing.
	if _, err := c.ListProductAPIs(context.Background(), "p1", Strict); err != nil {
		t.Fatal(err)
	}
	if n := len(f.callsFor("DescribeApiProductApis")); n != 6 {
		t.Fatalf("after a strict read: %d page requests, want 6", n)
	}
}

// "Not found" is an answer that relaxed reads share too.
func TestProductSnapshotsKeepUnknownProduct(t *testing.T) {
	f := newFakeAPI(t)
	c := newTestClient(t, f.endpoint(), fastPolicy(newFakeClock()))
	ctx := context.Background()
	for range 3 {
		_, err := c.FindAttachment(ctx, "nope", "api0001", "RELEASE", relaxed)
		var nf *NotFoundError
		if !errors.As(err, &nf) || nf.Kind != NotFoundProduct {
			t.Fatalf("err = %v, want the product missing", err)
		}
	}
	if n := len(f.callsFor("DescribeApiProductApis")); n != 1 {
		t.Fatalf("%d requests, want 1", n)
	}
}

// The client's own successful writes are seen by every later read, even when the service does not
// list them yet (attach) or still lists them (detach).
func TestProductSnapshotsSeeOwnWrites(t *testing.T) {
	srv := emulator.New(emulator.WithVisibilityDelay(time.Hour))
	t.Cleanup(func() { _ = srv.Close() })
	c := emulatorClient(t, srv, emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret, fastPolicy(newFakeClock()))
	ctx := context.Background()
	apiID := seedGroupAPIs(t, srv, "snapshots", emulator.APISpec{Name: "snap_api", Path: "/snap"})[0]
	// The catalog knows the API, so the fresh attachment's entry is complete.
	if _, err := c.LookupAPI(ctx, apiID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AttachAPI(ctx, "p1", APIRef{APIID: apiID, StageName: "RELEASE"}); err != nil {
		t.Fatal(err)
	}
	for _, fresh := range []Freshness{Strict, relaxed} {
		info, err := c.FindAttachment(ctx, "p1", apiID, "RELEASE", fresh)
		if err != nil || info.APIName != "snap_api" || info.Path != "/snap" || info.GroupName != "snapshots" || info.Method != "GET" {
			t.Fatalf("fresh attachment: %+v, %v", info, err)
		}
		apis, err := c.ListProductAPIs(ctx, "p1", fresh)
		if err != nil || len(apis) != 1 || apis[0].APIID != apiID {
			t.Fatalf("ListProductAPIs = %+v, %v", apis, err)
		}
	}
	// Another client, without our writes, does not see it yet: the test is meaningful.
	other := emulatorClient(t, srv, emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret, fastPolicy(newFakeClock()))
	if _, err := other.FindAttachment(ctx, "p1", apiID, "RELEASE", Strict); !IsNotFound(err) {
		t.Fatalf("another client: err = %v, want not found (visibility delay)", err)
	}

	if err := c.DetachAPI(ctx, "p1", APIRef{APIID: apiID, StageName: "RELEASE"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.FindAttachment(ctx, "p1", apiID, "RELEASE", Strict); !IsNotFound(err) {
		t.Fatalf("after detach: err = %v, want not found", err)
	}
}

// Past VisibilityGrace the listing wins over an unconfirmed write, so a change made elsewhere is
// not hidden for long; a write whose outcome is unknown is left to the listing at once.
func TestProductSnapshotsListingWinsAfterGraceOrUnknownOutcome(t *testing.T) {
	f := newFakeAPI(t)
	f.seedProduct("p1", 3)
	clock := newFakeClock()
	c := newTestClient(t, f.endpoint(), fastPolicy(clock))
	ctx := context.Background()

	// Our detach succeeded, but the service keeps listing the pair (a detach lagging, or someone
	// attaching it again).
	if err := c.DetachAPI(ctx, "p1", APIRef{APIID: "api0001", StageName: "RELEASE"}); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	f.products["p1"] = append(f.products["p1"], fakeInfo("api0001", "RELEASE"))
	f.mu.Unlock()
	if _, err := c.FindAttachment(ctx, "p1", "api0001", "RELEASE", Strict); !IsNotFound(err) {
		t.Fatalf("within the grace: err = %v, want our detach to win", err)
	}
	_ = clock.Sleep(ctx, VisibilityGrace+time.Second)
	if _, err := c.FindAttachment(ctx, "p1", "api0001", "RELEASE", Strict); err != nil {
		t.Fatalf("past the grace: err = %v, want the listing to win", err)
	}

	// A detach whose answer is lost: the listing decides (the fake never applied it).
	f.addFaults(fakeFault{Action: "DetachApiProduct", Kind: "drop"}, fakeFault{Action: "DetachApiProduct", Kind: "drop"},
		fakeFault{Action: "DetachApiProduct", Kind: "drop"}, fakeFault{Action: "DetachApiProduct", Kind: "drop"},
		fakeFault{Action: "DetachApiProduct", Kind: "drop"}, fakeFault{Action: "DetachApiProduct", Kind: "drop"},
		fakeFault{Action: "DetachApiProduct", Kind: "drop"}, fakeFault{Action: "DetachApiProduct", Kind: "drop"})
	err := c.DetachAPI(ctx, "p1", APIRef{APIID: "api0002", StageName: "RELEASE"})
	if !OutcomeUnknown(err) {
		t.Fatalf("detach: err = %v, want an unknown outcome", err)
	}
	if _, err := c.FindAttachment(ctx, "p1", "api0002", "RELEASE", Strict); err != nil {
		t.Fatalf("after an unknown outcome: err = %v, want the listing's answer (attached)", err)
	}
}
