package cloudapi

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator"
)

// grantFixture is an emulator with one API attached to product "p1" and n apps.
func grantFixture(t *testing.T, n int) (*emulator.Server, *Client, []int64) {
	t.Helper()
	srv := emulator.New()
	t.Cleanup(func() { _ = srv.Close() })
	// The real clock: batching windows must last.
	c := emulatorClient(t, srv, emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret, RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond})
	api := seedGroupAPIs(t, srv, "grant_group", emulator.APISpec{Name: "grantApi", Path: "/g"})[0]
	if err := c.AttachAPIProduct(context.Background(), "p1", []APIRef{{APIID: api, StageName: "RELEASE"}}); err != nil {
		t.Fatal(err)
	}
	return srv, c, seedApps(t, srv, "grant_app", n)
}

// TestGrantsAreBatchedAndShared: 150 concurrent grants with the same terms cost two
// SetAppsAuthToApiProduct calls (100 apps at most per call), grants with other terms go in calls of
// their own, the reads that follow share DescribeAppsByApiProduct listings, and concurrent revokes
// of one app from two products are one RemoveApiProductsAuthorities call.
func TestGrantsAreBatchedAndShared(t *testing.T) {
	srv, c, apps := grantFixture(t, 152)
	ctx := context.Background()
	if err := c.AttachAPIProduct(ctx, "p2", []APIRef{{APIID: mustFirstAPI(t, srv), StageName: "RELEASE"}}); err != nil {
		t.Fatal(err)
	}
	terms := GrantTerms{AuthValidTime: "2099-01-01T00:00:00Z", Description: "batched"}
	var wg sync.WaitGroup
	errs := make([]error, len(apps))
	for i, id := range apps[:150] {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = c.GrantApp(ctx, "p1", id, terms) }()
	}
	wg.Add(1)
	go func() { defer wg.Done(); errs[150] = c.GrantApp(ctx, "p1", apps[150], GrantTerms{}) }()
	wg.Wait()
	for i, err := range errs[:151] {
		if err != nil {
			t.Fatalf("grant %d: %v", i, err)
		}
	}
	if n := srv.RequestCount("SetAppsAuthToApiProduct", ""); n < 3 || n > 4 {
		t.Fatalf("SetAppsAuthToApiProduct calls = %d, want 3 (two of the 150 with one set of terms, one for the other) or 4 (a batch sent early)", n)
	}
	before := srv.RequestCount("DescribeAppsByApiProduct", "")
	for i, id := range apps[:151] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g, err := c.FindGrant(ctx, "p1", id, Strict)
			if err == nil && (g.AppID != id || (i < 150 && g.Description != "batched")) {
				err = fmt.Errorf("grant %+v", g)
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs[:151] {
		if err != nil {
			t.Fatalf("find %d: %v", i, err)
		}
	}
	// 151 grants are two pages; strict reads that arrive together share listings.
	if n := srv.RequestCount("DescribeAppsByApiProduct", "") - before; n > 8 {
		t.Fatalf("151 concurrent FindGrant cost %d DescribeAppsByApiProduct calls, want a few shared listings", n)
	}
	if _, err := c.FindGrant(ctx, "p1", apps[151], Strict); !IsNotFound(err) {
		t.Fatalf("FindGrant of an app never granted = %v, want not found", err)
	}
	if _, err := c.FindGrant(ctx, "nope", apps[0], Strict); !IsNotFound(err) {
		t.Fatalf("FindGrant on an unknown product = %v, want not found", err)
	}

	// Revokes of one app from two products: one call.
	if err := c.GrantApp(ctx, "p2", apps[0], GrantTerms{}); err != nil {
		t.Fatal(err)
	}
	beforeRevoke := srv.RequestCount("RemoveApiProductsAuthorities", "")
	for i, p := range []string{"p1", "p2"} {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = c.RevokeApp(ctx, p, apps[0]) }()
	}
	wg.Wait()
	if err := errors.Join(errs[0], errs[1]); err != nil {
		t.Fatal(err)
	}
	if n := srv.RequestCount("RemoveApiProductsAuthorities", "") - beforeRevoke; n != 1 {
		t.Fatalf("two concurrent revokes of one app cost %d calls, want 1", n)
	}
	// The client's own revoke is seen at once, even by a relaxed read of an older listing.
	if _, err := c.FindGrant(ctx, "p1", apps[0], AtMost(VisibilityGrace)); !IsNotFound(err) {
		t.Fatalf("revoked grant still found: %v", err)
	}
	products, err := c.ListAppProducts(ctx, apps[1])
	if err != nil || !slices.Equal(products, []string{"p1"}) {
		t.Fatalf("ListAppProducts = %v, %v", products, err)
	}
	all, err := c.ListProductApps(ctx, "p1", Strict)
	if err != nil || len(all) != 150 {
		t.Fatalf("ListProductApps = %d apps, %v; want 150", len(all), err)
	}
}

// TestGrantItemErrorsStayTheirOwn: a batch with an unknown app fails only that app's grant.
func TestGrantItemErrorsStayTheirOwn(t *testing.T) {
	_, c, apps := grantFixture(t, 3)
	ctx := context.Background()
	ids := append(slices.Clone(apps), 999999999)
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = c.GrantApp(ctx, "p1", id, GrantTerms{}) }()
	}
	wg.Wait()
	for i, err := range errs {
		if (i == len(ids)-1) != IsNotFound(err) {
			t.Fatalf("grant %d (app %d): %v", i, ids[i], err)
		}
	}
	if err := c.GrantApp(ctx, "p-missing", apps[0], GrantTerms{}); !IsNotFound(err) {
		t.Fatalf("grant on an unknown product = %v, want not found", err)
	}
}

func mustFirstAPI(t *testing.T, srv *emulator.Server) string {
	t.Helper()
	atts, ok := srv.ProductAttachments(emulator.DefaultAccountID, "", "p1")
	if !ok || len(atts) == 0 {
		t.Fatal("no API on p1")
	}
	return atts[0].APIID
}
