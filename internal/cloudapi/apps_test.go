package cloudapi

import (
	"context"
	"sync"
	"testing"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator"
)

// TestLookupAppSharedAndMissing: concurrent look-ups of one app (present or not) share calls, and
// repeated ones cost nothing; an unknown or deleted app is IsNotFoundKind(err, NotFoundApp) (and IsNotFound is not
// needed for it); a transient failure is neither kept nor taken for "not found".
func TestLookupAppSharedAndMissing(t *testing.T) {
	srv := emulator.New()
	t.Cleanup(func() { _ = srv.Close() })
	const account, region = emulator.DefaultAccountID, emulator.DefaultRegion
	app, err := srv.SeedApp(account, region, "lookup_app")
	if err != nil {
		t.Fatal(err)
	}
	deleted, err := srv.SeedApp(account, region, "lookup_gone")
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.RemoveApp(account, region, deleted); err != nil {
		t.Fatal(err)
	}
	c := emulatorClient(t, srv, emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret, fastPolicy(newFakeClock()))
	ctx := context.Background()

	var wg sync.WaitGroup
	for range 4 {
		for _, id := range []int64{app, deleted, 987654321} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				a, err := c.LookupApp(ctx, id)
				switch {
				case id == app && (err != nil || a.AppName != "lookup_app" || a.AppID != app):
					t.Errorf("LookupApp(%d) = %+v, %v; want lookup_app", id, a, err)
				case id != app && !IsNotFoundKind(err, NotFoundApp):
					t.Errorf("LookupApp(%d) = %+v, %v; want an app-not-found error", id, a, err)
				}
			}()
		}
	}
	wg.Wait()
	if got := srv.RequestCount("DescribeAppAttributes", ""); got > 6 {
		t.Errorf("DescribeAppAttributes calls = %d for 12 concurrent look-ups of 3 apps", got)
	}
	before := stableCount(srv, "DescribeAppAttributes")
	for _, id := range []int64{app, deleted, 987654321} {
		_, _ = c.LookupApp(ctx, id)
	}
	if got := stableCount(srv, "DescribeAppAttributes"); got != before {
		t.Errorf("repeated look-ups made %d more calls, want 0", got-before)
	}

	// A failure past every retry says nothing about the app, and is asked again next time.
	other, err := srv.SeedApp(account, region, "lookup_later")
	if err != nil {
		t.Fatal(err)
	}
	srv.InjectFault(emulator.Fault{Action: "DescribeAppAttributes", Kind: emulator.FaultServiceUnavailable, Count: 100})
	if _, err := c.LookupApp(ctx, other); err == nil || IsNotFoundKind(err, NotFoundApp) {
		t.Fatalf("LookupApp under 503s = %v; want a failure that is not app-not-found", err)
	}
	srv.ClearFaults()
	if a, err := c.LookupApp(ctx, other); err != nil || a.AppName != "lookup_later" {
		t.Fatalf("LookupApp after the 503s = %+v, %v", a, err)
	}
}
