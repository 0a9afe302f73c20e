package cloudapitest_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aliyun/credentials-go/credentials"

	"github.com/cloudapi/terraform-provider-apigateway/internal/cloudapi"
	"github.com/cloudapi/terraform-provider-apigateway/internal/cloudapitest"
	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator"
)

func newFixtures(t *testing.T, srv *emulator.Server) *cloudapitest.Fixtures {
	t.Helper()
	cred, err := credentials.NewCredential(new(credentials.Config).SetType("access_key").
		SetAccessKeyId(emulator.DefaultAccessKeyID).SetAccessKeySecret(emulator.DefaultAccessKeySecret))
	if err != nil {
		t.Fatal(err)
	}
	f, err := cloudapitest.New(cloudapi.Config{RegionID: emulator.DefaultRegion, Endpoint: srv.Endpoint(), Protocol: "HTTP",
		Credential: cred, Retry: cloudapi.RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestFixtureLifecycle creates a group and APIs, deploys, lists, abolishes and deletes them, with a
// throttled first attempt of every CreateApi to show that fixtures retry.
func TestFixtureLifecycle(t *testing.T) {
	srv := emulator.New()
	t.Cleanup(func() { _ = srv.Close() })
	f := newFixtures(t, srv)
	ctx := context.Background()

	groupID, err := f.CreateAPIGroup(ctx, "tf_testacc_group", "fixture test")
	if err != nil {
		t.Fatalf("CreateAPIGroup: %v", err)
	}
	srv.InjectFault(emulator.Fault{Action: "CreateApi", Kind: emulator.FaultThrottling, Count: 1})
	ids := make([]string, 3)
	for i := range ids {
		ids[i], err = f.CreateAPI(ctx, cloudapitest.APIInput{GroupID: groupID, Name: fmt.Sprintf("tfTestacc%03d", i), Path: fmt.Sprintf("/items/%d", i)})
		if err != nil {
			t.Fatalf("CreateAPI %d: %v", i, err)
		}
	}
	if n := srv.RequestCount("CreateApi", "Throttling"); n != 1 {
		t.Fatalf("throttled CreateApi calls = %d, want 1 (then retried)", n)
	}
	for _, stage := range []string{"RELEASE", "PRE"} {
		if err := f.DeployAPI(ctx, groupID, ids[0], stage, ""); err != nil {
			t.Fatalf("DeployAPI %s: %v", stage, err)
		}
	}
	if err := f.AbolishAPI(ctx, groupID, ids[0], "PRE"); err != nil {
		t.Fatalf("AbolishAPI: %v", err)
	}

	all, err := f.ListAPIs(ctx, groupID, "tfTestacc")
	if err != nil || len(all) != 3 {
		t.Fatalf("ListAPIs = %+v, %v", all, err)
	}
	if all[0].APIID != ids[0] || !slices.Equal(all[0].DeployedStages, []string{"RELEASE"}) || len(all[1].DeployedStages) != 0 {
		t.Fatalf("ListAPIs deployments = %+v", all)
	}
	if some, err := f.ListAPIs(ctx, "", "tfTestacc002"); err != nil || len(some) != 1 || some[0].APIID != ids[2] {
		t.Fatalf("ListAPIs(prefix) = %+v, %v", some, err)
	}

	// The service refuses to delete a published API, and a group that still has APIs.
	if err := f.DeleteAPI(ctx, groupID, ids[0]); cloudapi.ErrorCode(err) != "InvalidParameter" {
		t.Fatalf("DeleteAPI of a deployed API: %v", err)
	}
	if err := f.DeleteAPIGroup(ctx, groupID); cloudapi.ErrorCode(err) != "InvalidParameter" {
		t.Fatalf("DeleteAPIGroup of a non-empty group: %v", err)
	}
	if err := f.AbolishAPI(ctx, groupID, ids[0], "RELEASE"); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if err := f.DeleteAPI(ctx, groupID, id); err != nil {
			t.Fatalf("DeleteAPI: %v", err)
		}
	}
	if err := f.DeleteAPI(ctx, groupID, ids[0]); !cloudapi.IsNotFound(err) {
		t.Fatalf("DeleteAPI of a deleted API: %v, want not found", err)
	}
	if err := f.DeleteAPIGroup(ctx, groupID); err != nil {
		t.Fatalf("DeleteAPIGroup: %v", err)
	}
}

// TestFixtureApps creates and deletes an app over the wire.
func TestFixtureApps(t *testing.T) {
	srv := emulator.New()
	t.Cleanup(func() { _ = srv.Close() })
	f := newFixtures(t, srv)
	ctx := context.Background()
	id, err := f.CreateApp(ctx, "tf_testacc_app", "fixture")
	if err != nil || id <= 0 {
		t.Fatalf("CreateApp = %d, %v", id, err)
	}
	if err := f.DeleteApp(ctx, id); err != nil {
		t.Fatalf("DeleteApp: %v", err)
	}
	if err := f.DeleteApp(ctx, id); !cloudapi.IsNotFound(err) {
		t.Fatalf("DeleteApp of a deleted app = %v, want not found", err)
	}
}
