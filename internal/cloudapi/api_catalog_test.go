package cloudapi

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator"
)

// seedRegion creates n APIs deployed to RELEASE and returns their ids.
func seedRegion(t *testing.T, srv *emulator.Server, n int) []string {
	t.Helper()
	var ids []string
	var gid string
	for i := range n {
		if i%100 == 0 {
			var err error
			if gid, err = srv.SeedGroup(emulator.DefaultAccountID, "", fmt.Sprintf("catalog%03d", i/100)); err != nil {
				t.Fatal(err)
			}
		}
		id, err := srv.SeedAPI(emulator.DefaultAccountID, "", emulator.APISpec{GroupID: gid, Name: fmt.Sprintf("api_%04d", i), Path: fmt.Sprintf("/c/%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		if err := srv.SeedDeployment(emulator.DefaultAccountID, "", id, "RELEASE"); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

func TestLookupAPIPicksTheCheaperWay(t *testing.T) {
	for _, tc := range []struct {
		name                   string
		region, asked          int
		wantDescribe, wantList int
	}{
		// Few APIs: one DescribeApi each, however often each is asked for.
		{name: "few", region: 150, asked: 5, wantDescribe: 5, wantList: 0},
		// Many APIs in a small region: the first 9 one by one, then one listing (2 pages) for all.
		{name: "many in a small region", region: 150, asked: 60, wantDescribe: 9, wantList: 2},
		// A large region (12 pages) and 11 APIs: page 1 says a listing is not worth it yet.
		{name: "few in a large region", region: 1150, asked: 11, wantDescribe: 11, wantList: 1},
		// The same region and 40 APIs: the listing pays once 12 APIs were asked for.
		{name: "many in a large region", region: 1150, asked: 40, wantDescribe: 11, wantList: 12},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := emulator.New()
			t.Cleanup(func() { _ = srv.Close() })
			ids := seedRegion(t, srv, tc.region)
			c := emulatorClient(t, srv, emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret, fastPolicy(newFakeClock()))
			ctx := context.Background()
			for round := range 2 {
				// From the end of the region, so that the listing's first page does not hold them.
				for k := range tc.asked {
					i := tc.region - 1 - k
					d, err := c.LookupAPI(ctx, ids[i])
					if err != nil {
						t.Fatalf("round %d, API %d: %v", round, i, err)
					}
					if d.APIName != fmt.Sprintf("api_%04d", i) || d.Path != fmt.Sprintf("/c/%d", i) || d.Method != "GET" || !slices.Equal(d.DeployedStages, []string{"RELEASE"}) {
						t.Fatalf("API %d = %+v", i, d)
					}
				}
			}
			if got := settledCount(srv, "DescribeApi", tc.wantDescribe); got != tc.wantDescribe {
				t.Errorf("DescribeApi calls = %d, want %d", got, tc.wantDescribe)
			}
			if got := settledCount(srv, "DescribeApis", tc.wantList); got != tc.wantList {
				t.Errorf("DescribeApis calls = %d, want %d", got, tc.wantList)
			}
		})
	}
}

// settledCount reads the emulator's count of action, giving it a moment to reach want: the emulator
// counts a request once its answer is written, which a client may have read a little earlier.
func settledCount(srv *emulator.Server, action string, want int) int {
	got := srv.RequestCount(action, "")
	for deadline := time.Now().Add(2 * time.Second); got < want && time.Now().Before(deadline); got = srv.RequestCount(action, "") {
		time.Sleep(5 * time.Millisecond)
	}
	return got
}

// stableCount reads the emulator's count of action once it stops moving.
func stableCount(srv *emulator.Server, action string) int {
	got := srv.RequestCount(action, "")
	for i := 0; i < 40; i++ {
		time.Sleep(10 * time.Millisecond)
		next := srv.RequestCount(action, "")
		if next == got {
			return got
		}
		got = next
	}
	return got
}

// Concurrent lookups of one API share one call; a missing API is remembered as missing.
func TestLookupAPIConcurrentAndMissing(t *testing.T) {
	srv := emulator.New()
	t.Cleanup(func() { _ = srv.Close() })
	ids := seedRegion(t, srv, 1)
	c := emulatorClient(t, srv, emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret, fastPolicy(newFakeClock()))
	ctx := context.Background()
	var wg sync.WaitGroup
	for range 3 {
		for _, id := range []string{ids[0], "ffffffffffffffffffffffffffffffff"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := c.LookupAPI(ctx, id)
				if missing := id != ids[0]; missing != IsNotFound(err) {
					t.Errorf("LookupAPI(%s): %v", id, err)
				}
			}()
		}
	}
	wg.Wait()
	if got := srv.RequestCount("DescribeApi", ""); got > 4 {
		t.Errorf("DescribeApi calls = %d for 6 concurrent lookups of 2 APIs", got)
	}
	before := stableCount(srv, "DescribeApi")
	for _, id := range []string{ids[0], "ffffffffffffffffffffffffffffffff"} {
		_, _ = c.LookupAPI(ctx, id)
	}
	if got := stableCount(srv, "DescribeApi"); got != before {
		t.Errorf("repeated lookups made %d more calls, want 0", got-before)
	}
}

// TestLookupAPIsListsOnce: many APIs looked up at once cost one DescribeApis listing of the region,
// not one DescribeApi each; an API that does not exist is still described on its own (not found).
func TestLookupAPIsListsOnce(t *testing.T) {
	srv := emulator.New()
	t.Cleanup(func() { _ = srv.Close() })
	c := emulatorClient(t, srv, emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret, fastPolicy(newFakeClock()))
	specs := make([]emulator.APISpec, 250)
	for i := range specs {
		specs[i] = emulator.APISpec{Name: fmt.Sprintf("catalogApi%03d", i), Path: fmt.Sprintf("/c/%d", i)}
	}
	ids := seedGroupAPIs(t, srv, "catalog_group", specs...)
	missing := "0123456789abcdef0123456789abcdef"
	found, failed := c.LookupAPIs(context.Background(), append(append([]string{}, ids...), missing, ids[0]))
	if len(found) != 250 || len(failed) != 1 || !IsNotFound(failed[missing]) {
		t.Fatalf("found %d, failed %v", len(found), failed)
	}
	if n := srv.RequestCount("DescribeApis", ""); n != 3 {
		t.Fatalf("DescribeApis calls = %d, want 3 (one listing of 250 APIs)", n)
	}
	if n := srv.RequestCount("DescribeApi", ""); n != 1 {
		t.Fatalf("DescribeApi calls = %d, want 1 (the missing API)", n)
	}
}
