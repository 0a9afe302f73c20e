package cloudapi

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator"
	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator/model"
)

// profileFixture is an emulator under bh with one API, a fresh-clock client, and apps.
func profileFixture(t *testing.T, bh model.Behaviour, apps int) (*emulator.Server, *Client, string, []int64) {
	t.Helper()
	srv := emulator.New(emulator.WithBehaviour(bh))
	t.Cleanup(func() { _ = srv.Close() })
	c := emulatorClient(t, srv, emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret, fastPolicy(newFakeClock()))
	api := seedGroupAPIs(t, srv, "profile_group", emulator.APISpec{Name: "profileApi", Path: "/p"})[0]
	return srv, c, api, seedApps(t, srv, "profile_app", apps)
}

// Scenario 6 of issue 17: a service that serves 50 items per page whatever PageSize says, or that
// refuses PageSize 100; more than 100 grants in both directions are all listed.
func TestAppListingsUnderPageLimits(t *testing.T) {
	for _, tc := range []struct {
		name string
		bh   model.Behaviour
	}{
		{"pages capped at 50", model.Behaviour{CapPageSize: 50}},
		{"PageSize above 50 refused", model.Behaviour{RefusePageSizeAbove: 50}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, c, api, apps := profileFixture(t, tc.bh, 130)
			ctx := context.Background()
			if err := c.AttachAPIProduct(ctx, "p1", []APIRef{{APIID: api, StageName: "RELEASE"}}); err != nil {
				t.Fatal(err)
			}
			if err := c.SetAppsAuthToAPIProduct(ctx, "p1", apps, GrantTerms{}); err != nil {
				t.Fatal(err)
			}
			// One app on 120 products.
			var products []string
			for i := range 120 {
				p := fmt.Sprintf("many%03d", i)
				products = append(products, p)
				if err := c.AttachAPIProduct(ctx, p, []APIRef{{APIID: api, StageName: "RELEASE"}}); err != nil {
					t.Fatal(err)
				}
				if err := c.SetAppsAuthToAPIProduct(ctx, p, apps[:1], GrantTerms{}); err != nil {
					t.Fatal(err)
				}
			}
			// A fresh client first: c's own grants are laid over its listings (listing_cache.go).
			for _, client := range []*Client{emulatorClient(t, srv, emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret, fastPolicy(newFakeClock())), c} {
				got, err := client.ListProductApps(ctx, "p1", Strict)
				if err != nil || len(got) != len(apps) {
					t.Fatalf("ListProductApps: %d apps, %v; want %d", len(got), err, len(apps))
				}
				for _, id := range []int64{apps[0], apps[100], apps[129]} {
					if g, err := client.FindGrant(ctx, "p1", id, Strict); err != nil || g.AppID != id {
						t.Fatalf("FindGrant(%d): %+v, %v", id, g, err)
					}
				}
				ids, err := client.ListAppProducts(ctx, apps[0])
				slices.Sort(ids)
				want := append([]string{"p1"}, products...)
				slices.Sort(want)
				if err != nil || !slices.Equal(ids, want) {
					t.Fatalf("ListAppProducts: %d products, %v; want %d", len(ids), err, len(want))
				}
				apis, err := client.ListProductAPIs(ctx, "p1", Strict)
				if err != nil || len(apis) != 1 {
					t.Fatalf("ListProductAPIs: %v, %v", apis, err)
				}
			}
			if tc.bh.RefusePageSizeAbove > 0 {
				// Each client learnt the page size once per listing operation.
				if n := srv.RequestCount("", "InvalidParameter"); n > 2*3 {
					t.Fatalf("%d refused listings, want at most one per operation and client", n)
				}
			}
		})
	}
}

// Scenario 5 of issue 17: under a service that answers an unknown product with a code that says
// neither "not found" nor is known in advance, an authorization whose product was removed out of
// band reads as gone (not as an error), to a client that saw it granted and to a fresh one, and its
// revoke is "not found" too, batched or not.
func TestGrantOfDeletedProductUnderOtherCode(t *testing.T) {
	srv, c, api, apps := profileFixture(t, model.Behaviour{UnknownProduct: model.UnknownProductOtherCode}, 1)
	ctx := context.Background()
	// Another client (a configuration's earlier apply) grants; the reading client saw it granted.
	other := emulatorClient(t, srv, emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret, fastPolicy(newFakeClock()))
	if err := other.AttachAPIProduct(ctx, "p1", []APIRef{{APIID: api, StageName: "RELEASE"}}); err != nil {
		t.Fatal(err)
	}
	if err := other.GrantApp(ctx, "p1", apps[0], GrantTerms{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.FindGrant(ctx, "p1", apps[0], Strict); err != nil {
		t.Fatal(err)
	}
	// Out of band: the product's grants are revoked and the product deleted.
	if err := other.RemoveAPIProductsAuthorities(ctx, apps[0], []string{"p1"}); err != nil {
		t.Fatal(err)
	}
	if err := other.DeleteAPIProduct(ctx, "p1"); err != nil {
		t.Fatal(err)
	}
	// A client that saw nothing of the product before.
	fresh, err := New(Config{RegionID: emulator.DefaultRegion, Endpoint: srv.Endpoint(), Protocol: "HTTP", Credential: other.sdkConfig().Credential,
		Retry: fastPolicy(newFakeClock())})
	if err != nil {
		t.Fatal(err)
	}
	for name, client := range map[string]*Client{"shared": c, "fresh": fresh} {
		_, err := client.FindGrant(ctx, "p1", apps[0], Strict)
		if !IsNotFoundKind(err, NotFoundProduct) || !IsNotFound(err) {
			t.Fatalf("%s: FindGrant after the product was deleted: %v, want the product not found", name, err)
		}
		if _, err := client.ListProductApps(ctx, "p1", Strict); !IsNotFound(err) {
			t.Fatalf("%s: ListProductApps: %v, want not found", name, err)
		}
		if err := client.RevokeApp(ctx, "p1", apps[0]); !IsNotFound(err) {
			t.Fatalf("%s: RevokeApp: %v, want not found", name, err)
		}
	}
}

// Scenario 7 of issue 17: revokes of one app from products A (granted) and B (unknown) go out as
// one RemoveApiProductsAuthorities call, which the service refuses for B. Each product gets its own
// answer: A is revoked, B is not found.
func TestBatchedRevokeSplitsOnOneUnknownProduct(t *testing.T) {
	srv, c, api, apps := profileFixture(t, model.Behaviour{}, 1)
	ctx := context.Background()
	if err := c.AttachAPIProduct(ctx, "pa", []APIRef{{APIID: api, StageName: "RELEASE"}}); err != nil {
		t.Fatal(err)
	}
	if err := c.SetAppsAuthToAPIProduct(ctx, "pa", apps, GrantTerms{}); err != nil {
		t.Fatal(err)
	}
	// The batch's window lasts until both revokes joined it.
	gate := newGateClock()
	c.revokes = newWriteBatcher(actionRevoke, batchPolicy{quiet: defaultBatchQuiet, maxWait: time.Minute, maxItems: maxItemsPerCall, clock: gate},
		c.revokeCall, mayBeItemError)
	res := map[string]chan error{"pa": make(chan error, 1), "pb": make(chan error, 1)}
	for p, ch := range res {
		go func() { ch <- c.RevokeApp(ctx, p, apps[0]) }()
	}
	<-gate.waiting
	waitMembers(t, c.revokes, apps[0], 2)
	gate.open()
	if err := <-res["pa"]; err != nil {
		t.Fatalf("revoke of the granted product: %v", err)
	}
	if err := <-res["pb"]; !IsNotFound(err) {
		t.Fatalf("revoke of the unknown product: %v, want not found", err)
	}
	if _, err := c.FindGrant(ctx, "pa", apps[0], Strict); !IsNotFound(err) {
		t.Fatalf("after the revoke, FindGrant: %v, want not granted", err)
	}
	if n := srv.RequestCount(actionRevoke, ""); n != 3 {
		t.Fatalf("%d RemoveApiProductsAuthorities calls, want 3 (the batch of two, then each alone)", n)
	}
}

// attachAndGrant attaches api to product p1 in every stage, one by one, and grants apps on it.
func attachAndGrant(t *testing.T, c *Client, api string, apps []int64) {
	t.Helper()
	ctx := context.Background()
	for _, stage := range []string{"RELEASE", "PRE", "TEST"} {
		if _, err := c.AttachAPI(ctx, "p1", APIRef{APIID: api, StageName: stage}); err != nil {
			t.Fatalf("attach %s: %v", stage, err)
		}
	}
	for _, id := range apps {
		if err := c.GrantApp(ctx, "p1", id, GrantTerms{}); err != nil {
			t.Fatalf("grant %d: %v", id, err)
		}
	}
}

// Writes that meet a lock timeout are retried, never reach the caller once a retry succeeds, and
// are never split into per-item calls; a proxy's codeless 404 is retried, never "not found".
func TestLockTimeoutsAndProxyNotFoundAreRetried(t *testing.T) {
	t.Run("lock timeout", func(t *testing.T) {
		srv, c, api, apps := profileFixture(t, model.Behaviour{LockTimeoutEvery: 2}, 3)
		ctx := context.Background()
		attachAndGrant(t, c, api, apps)
		for _, id := range apps {
			if err := c.RevokeApp(ctx, "p1", id); err != nil {
				t.Fatalf("revoke %d: %v", id, err)
			}
		}
		if err := c.DetachAPIProduct(ctx, "p1", []APIRef{{APIID: api, StageName: "PRE"}}); err != nil {
			t.Fatal(err)
		}
		if err := c.DeleteAPIProduct(ctx, "p1"); err != nil {
			t.Fatal(err)
		}
		if n := srv.RequestCount("", "ConcurrencyLockTimeout"); n == 0 {
			t.Fatal("no write met a lock timeout: the test proves nothing")
		}
	})
	t.Run("lock timeout after the write was applied", func(t *testing.T) {
		// The other reading: the write was applied, then the lock timeout answered. Retrying is
		// still right: a retried attach, grant, revoke or detach is a no-op; a retried delete finds
		// the product gone, which the caller takes for deleted.
		srv, c, api, apps := profileFixture(t, model.Behaviour{LockTimeoutEvery: 2, LockTimeoutAfterApply: true}, 2)
		ctx := context.Background()
		attachAndGrant(t, c, api, apps)
		if got, err := c.ListProductApps(ctx, "p1", Strict); err != nil || len(got) != 2 {
			t.Fatalf("ListProductApps: %v, %v", got, err)
		}
		for _, id := range apps {
			if err := c.RevokeApp(ctx, "p1", id); err != nil {
				t.Fatalf("revoke %d: %v", id, err)
			}
		}
		if err := c.DetachAPI(ctx, "p1", APIRef{APIID: api, StageName: "PRE"}); err != nil {
			t.Fatal(err)
		}
		if atts, _ := srv.ProductAttachments(emulator.DefaultAccountID, "", "p1"); len(atts) != 2 {
			t.Fatalf("attachments %v, want RELEASE and TEST", atts)
		}
		if err := c.DeleteAPIProduct(ctx, "p1"); err != nil {
			t.Fatalf("delete: %v", err)
		}
		if _, ok := srv.ProductAttachments(emulator.DefaultAccountID, "", "p1"); ok {
			t.Fatal("the product was not deleted")
		}
		if n := srv.RequestCount("", "ConcurrencyLockTimeout"); n == 0 {
			t.Fatal("no write met a lock timeout: the test proves nothing")
		}
	})
	t.Run("lock timeout in a batch", func(t *testing.T) {
		// A lock timeout past the retries is the call's, not an item's: never split, and unknown.
		_, c, api, _ := profileFixture(t, model.Behaviour{LockTimeoutEvery: 2}, 0)
		c.retry.MaxAttempts = 1
		ctx := context.Background()
		if err := c.AttachAPIProduct(ctx, "p1", []APIRef{{APIID: api, StageName: "RELEASE"}}); err != nil {
			t.Fatal(err)
		}
		err := c.AttachAPIProduct(ctx, "p1", []APIRef{{APIID: api, StageName: "PRE"}, {APIID: api, StageName: "TEST"}})
		if ErrorCode(err) != "ConcurrencyLockTimeout" || !OutcomeUnknown(err) || IsNotFound(err) {
			t.Fatalf("err = %v (unknown %v), want an unknown outcome", err, OutcomeUnknown(err))
		}
		if mayBeItemError(err) {
			t.Fatal("a lock timeout would be split into per-item calls")
		}
	})
	t.Run("proxy 404", func(t *testing.T) {
		srv, c, api, _ := profileFixture(t, model.Behaviour{ProxyNotFoundEvery: 2}, 0)
		ctx := context.Background()
		if err := c.AttachAPIProduct(ctx, "p1", []APIRef{{APIID: api, StageName: "RELEASE"}}); err != nil {
			t.Fatal(err)
		}
		for range 3 {
			if _, err := c.FindAttachment(ctx, "p1", api, "RELEASE", Strict); err != nil {
				t.Fatalf("FindAttachment: %v", err)
			}
		}
		if err := c.DeleteAPIProduct(ctx, "p1"); err != nil {
			t.Fatal(err)
		}
		if n := srv.RequestCount("", "ProxyNotFound"); n == 0 {
			t.Fatal("no request met the proxy: the test proves nothing")
		}
	})
	t.Run("proxy 404 past the retries", func(t *testing.T) {
		srv := emulator.New(emulator.WithFaults(emulator.Fault{Kind: emulator.FaultProxyNotFound, Rate: 1}))
		t.Cleanup(func() { _ = srv.Close() })
		c := emulatorClient(t, srv, emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret, fastPolicy(newFakeClock()))
		_, err := c.ListProductAPIs(context.Background(), "p1", Strict)
		if err == nil || IsNotFound(err) {
			t.Fatalf("listing through a proxy that answers 404: %v, want an error that is not \"not found\"", err)
		}
		err = c.DetachAPIProduct(context.Background(), "p1", []APIRef{{APIID: "a", StageName: "RELEASE"}})
		if err == nil || IsNotFound(err) || !OutcomeUnknown(err) {
			t.Fatalf("detach through a proxy that answers 404: %v, want an unknown outcome", err)
		}
		if n := srv.RequestCount("DescribeApiProductApis", "ProxyNotFound"); n != 8 {
			t.Fatalf("%d listing attempts, want 8 (every retry)", n)
		}
	})
}

// The API catalog's region listing (DescribeApis) goes through the same pager: under a page cap of
// 50, one listing of 130 APIs answers every lookup.
func TestLookupAPIsUnderPageCap(t *testing.T) {
	srv := emulator.New(emulator.WithBehaviour(model.Behaviour{CapPageSize: 50}))
	t.Cleanup(func() { _ = srv.Close() })
	c := emulatorClient(t, srv, emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret, fastPolicy(newFakeClock()))
	ids := seedRegion(t, srv, 130)
	found, failed := c.LookupAPIs(context.Background(), ids)
	if len(found) != 130 || len(failed) != 0 {
		t.Fatalf("found %d, failed %v", len(found), failed)
	}
	if n := srv.RequestCount("DescribeApis", ""); n != 3 {
		t.Fatalf("DescribeApis calls = %d, want 3 (pages of 50, 50 and 30)", n)
	}
	if n := srv.RequestCount("DescribeApi", ""); n != 0 {
		t.Fatalf("DescribeApi calls = %d, want 0", n)
	}
}
