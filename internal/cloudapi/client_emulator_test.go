package cloudapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/alibabacloud-go/tea/dara"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator"
)

func emulatorClient(t *testing.T, srv *emulator.Server, keyID, secret string, policy RetryPolicy) *Client {
	t.Helper()
	// The scheme-bearing form exercises parseEndpoint on the way in.
	c, err := New(Config{RegionID: emulator.DefaultRegion, Endpoint: "http://" + srv.Endpoint() + "/", Credential: accessKeyCredential(t, keyID, secret), Retry: policy})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if p := dara.StringValue(c.sdkConfig().Protocol); p != ProtocolHTTP || c.Endpoint() != srv.Endpoint() {
		t.Fatalf("endpoint %q protocol %q", c.Endpoint(), p)
	}
	return c
}

// seedGroupAPIs seeds a group named group and the APIs specs in it (the emulator's default account
// and region), and returns the APIs' ids.
func seedGroupAPIs(t *testing.T, srv *emulator.Server, group string, specs ...emulator.APISpec) []string {
	t.Helper()
	g, err := srv.SeedGroup(emulator.DefaultAccountID, emulator.DefaultRegion, group)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(specs))
	for i, spec := range specs {
		spec.GroupID = g
		if ids[i], err = srv.SeedAPI(emulator.DefaultAccountID, emulator.DefaultRegion, spec); err != nil {
			t.Fatal(err)
		}
	}
	return ids
}

// seedApps seeds n apps named prefix_000, prefix_001, … (the emulator's default account and region).
func seedApps(t *testing.T, srv *emulator.Server, prefix string, n int) []int64 {
	t.Helper()
	ids := make([]int64, n)
	for i := range ids {
		var err error
		if ids[i], err = srv.SeedApp(emulator.DefaultAccountID, emulator.DefaultRegion, fmt.Sprintf("%s_%03d", prefix, i)); err != nil {
			t.Fatal(err)
		}
	}
	return ids
}

// TestAgainstEmulator runs the real client (SDK, V3 signing, our retry loop) against the
// in-process emulator through the product life cycle. The groups and APIs it needs are made by
// the emulator directly; cloudapitest tests the fixture operations over the wire.
func TestAgainstEmulator(t *testing.T) {
	srv := emulator.New()
	t.Cleanup(func() { _ = srv.Close() })
	clock := newFakeClock()
	c := emulatorClient(t, srv, emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret, fastPolicy(clock))
	ctx := context.Background()

	const account, region = emulator.DefaultAccountID, emulator.DefaultRegion
	groupID, err := srv.SeedGroup(account, region, "tf_testacc_group")
	if err != nil {
		t.Fatalf("SeedGroup: %v", err)
	}

	const n = 250
	ids := make([]string, n)
	for i := range ids {
		ids[i], err = srv.SeedAPI(account, region, emulator.APISpec{GroupID: groupID, Name: fmt.Sprintf("tfTestacc%03d", i), Description: "fixture", Path: fmt.Sprintf("/items/%03d", i), Method: []string{"GET", "POST"}[i%2]})
		if err != nil {
			t.Fatalf("SeedAPI %d: %v", i, err)
		}
	}
	for _, stage := range []string{"RELEASE", "PRE"} {
		if err := srv.SeedDeployment(account, region, ids[0], stage); err != nil {
			t.Fatalf("SeedDeployment %s: %v", stage, err)
		}
	}

	t.Run("DescribeAPI", func(t *testing.T) {
		d, err := c.DescribeAPI(ctx, ids[0])
		if err != nil {
			t.Fatalf("DescribeAPI: %v", err)
		}
		slices.Sort(d.DeployedStages)
		if d.APIID != ids[0] || d.APIName != "tfTestacc000" || d.GroupID != groupID || d.GroupName != "tf_testacc_group" || !slices.Equal(d.DeployedStages, []string{"PRE", "RELEASE"}) {
			t.Fatalf("DescribeAPI = %+v", d)
		}
		d1, err := c.DescribeAPI(ctx, ids[1])
		if err != nil || len(d1.DeployedStages) != 0 {
			t.Fatalf("undeployed API: %+v, %v", d1, err)
		}
	})

	refs := make([]APIRef, n)
	for i, id := range ids {
		refs[i] = APIRef{APIID: id, StageName: "RELEASE"}
	}
	const product = "tf-testacc-product"
	if err := c.AttachAPIProduct(ctx, product, refs); err != nil {
		t.Fatalf("AttachAPIProduct(250): %v", err)
	}
	if got := srv.RequestCount("AttachApiProduct", "OK"); got != 3 {
		t.Fatalf("AttachApiProduct calls = %d, want 3 (100+100+50)", got)
	}

	t.Run("ListProductAPIs returns all in order", func(t *testing.T) {
		// Pages are counted from our debug log: the emulator bumps RequestCount only after a
		// large response has already reached the client, so it can lag behind.
		var logs bytes.Buffer
		got, err := c.ListProductAPIs(tflogtest.RootLogger(ctx, &logs), product, Strict)
		if err != nil {
			t.Fatalf("ListProductAPIs: %v", err)
		}
		if len(got) != n {
			t.Fatalf("got %d APIs, want %d", len(got), n)
		}
		for i, info := range got {
			want := APIInfo{APIID: ids[i], APIName: fmt.Sprintf("tfTestacc%03d", i), GroupID: groupID, GroupName: "tf_testacc_group",
				Method: []string{"GET", "POST"}[i%2], Path: fmt.Sprintf("/items/%03d", i), Description: "fixture", RegionID: emulator.DefaultRegion, StageName: "RELEASE"}
			if info != want {
				t.Fatalf("item %d = %+v, want %+v", i, info, want)
			}
		}
		entries, err := tflogtest.MultilineJSONDecode(&logs)
		if err != nil {
			t.Fatal(err)
		}
		pages := 0
		for _, e := range entries {
			if e["action"] == "DescribeApiProductApis" && e["@message"] == "CloudAPI call succeeded" {
				pages++
			}
		}
		if pages != 3 || len(entries) != 3 {
			t.Fatalf("pages = %d (log entries %d), want 3", pages, len(entries))
		}
	})

	t.Run("FindAttachment", func(t *testing.T) {
		hit, err := c.FindAttachment(ctx, product, ids[201], "RELEASE", Strict)
		if err != nil || hit.APIID != ids[201] || hit.Path != "/items/201" {
			t.Fatalf("hit: %+v, %v", hit, err)
		}
		_, err = c.FindAttachment(ctx, product, ids[201], "TEST", Strict)
		var nf *NotFoundError
		if !errors.As(err, &nf) || nf.Kind == NotFoundProduct {
			t.Fatalf("miss: %v", err)
		}
		_, err = c.FindAttachment(ctx, "no-such-product", ids[0], "RELEASE", Strict)
		if !errors.As(err, &nf) || nf.Kind != NotFoundProduct || ErrorCode(err) != "NotFoundApiProduct" || requestIDOf(err) == "" {
			t.Fatalf("unknown product: %v (code %q)", err, ErrorCode(err))
		}
	})

	t.Run("retries through injected faults", func(t *testing.T) {
		srv.InjectFault(emulator.Fault{Action: "DescribeApiProductApis", Kind: emulator.FaultThrottling, Count: 2})
		srv.InjectFault(emulator.Fault{Action: "DescribeApiProductApis", Kind: emulator.FaultServiceUnavailable, Count: 1})
		srv.InjectFault(emulator.Fault{Action: "DescribeApiProductApis", Kind: emulator.FaultInternalError, Count: 1})
		srv.InjectFault(emulator.Fault{Action: "DescribeApiProductApis", Kind: emulator.FaultDrop, Count: 1})
		t.Cleanup(srv.ClearFaults)
		sleepsBefore := len(clock.Sleeps())
		got, err := c.ListProductAPIs(ctx, product, Strict)
		if err != nil {
			t.Fatalf("ListProductAPIs under faults: %v", err)
		}
		if len(got) != n {
			t.Fatalf("got %d", len(got))
		}
		if srv.RequestCount("DescribeApiProductApis", "Throttling") != 2 || srv.RequestCount("DescribeApiProductApis", "ServiceUnavailable") != 1 || srv.RequestCount("DescribeApiProductApis", "InternalError") != 1 {
			t.Fatalf("faults not seen: throttling=%d unavailable=%d internal=%d", srv.RequestCount("DescribeApiProductApis", "Throttling"),
				srv.RequestCount("DescribeApiProductApis", "ServiceUnavailable"), srv.RequestCount("DescribeApiProductApis", "InternalError"))
		}
		if slept := len(clock.Sleeps()) - sleepsBefore; slept != 5 {
			t.Fatalf("retries = %d, want 5", slept)
		}
	})

	t.Run("detach", func(t *testing.T) {
		if err := c.DetachAPIProduct(ctx, product, refs[:10]); err != nil {
			t.Fatalf("DetachAPIProduct: %v", err)
		}
		atts, exists := srv.ProductAttachments(emulator.DefaultAccountID, emulator.DefaultRegion, product)
		if !exists || len(atts) != n-10 {
			t.Fatalf("emulator has %d attachments (exists=%v), want %d", len(atts), exists, n-10)
		}
		if _, err := c.FindAttachment(ctx, product, ids[0], "RELEASE", Strict); !IsNotFound(err) {
			t.Fatalf("detached pair still found: %v", err)
		}
		err := c.DetachAPIProduct(ctx, "no-such-product", refs[:1])
		if !IsNotFound(err) || ErrorCode(err) != "NotFoundApiProduct" {
			t.Fatalf("detach from unknown product: %v", err)
		}
	})

	t.Run("not found and validation errors", func(t *testing.T) {
		_, err := c.DescribeAPI(ctx, strings.Repeat("0", 32))
		if !IsNotFound(err) || ErrorCode(err) != "NotFoundApi" || IsRetryable(err) {
			t.Fatalf("DescribeAPI(unknown) = %v (code %q)", err, ErrorCode(err))
		}
		err = c.AttachAPIProduct(ctx, product, []APIRef{{APIID: ids[0], StageName: "PROD"}})
		if ErrorCode(err) != "InvalidParameter" || IsNotFound(err) {
			t.Fatalf("bad stage: %v", err)
		}
	})

	t.Run("cleanup", func(t *testing.T) {
		if err := c.DeleteAPIProduct(ctx, product); err != nil {
			t.Fatalf("DeleteAPIProduct: %v", err)
		}
		if _, exists := srv.ProductAttachments(emulator.DefaultAccountID, emulator.DefaultRegion, product); exists {
			t.Fatal("product still exists")
		}
		if _, err := c.DescribeAPI(ctx, ids[0]); err != nil {
			t.Fatalf("DescribeAPI after DeleteAPIProduct: %v", err)
		}
	})
}

func TestEmulatorAuthErrorsAreNotNotFound(t *testing.T) {
	srv := emulator.New()
	t.Cleanup(func() { _ = srv.Close() })
	ctx := context.Background()

	wrong := emulatorClient(t, srv, emulator.DefaultAccessKeyID, "not-the-secret", fastPolicy(newFakeClock()))
	_, err := wrong.FindAttachment(ctx, "p", "a", "RELEASE", Strict)
	var nf *NotFoundError
	if ErrorCode(err) != "SignatureDoesNotMatch" || IsNotFound(err) || errors.As(err, &nf) || IsRetryable(err) {
		t.Fatalf("wrong secret: %v", err)
	}
	if strings.Contains(err.Error(), "not-the-secret") {
		t.Fatalf("secret in error: %v", err)
	}
	if got := srv.RequestCount("DescribeApiProductApis", "SignatureDoesNotMatch"); got != 1 {
		t.Fatalf("wrong secret retried: %d requests", got)
	}

	unknown := emulatorClient(t, srv, "LTAI5tNoSuchKeyAnywhere", "x", fastPolicy(newFakeClock()))
	_, err = unknown.FindAttachment(ctx, "p", "a", "RELEASE", Strict)
	if ErrorCode(err) != "InvalidAccessKeyId.NotFound" || IsNotFound(err) || errors.As(err, &nf) {
		t.Fatalf("unknown key: %v", err)
	}
}

func TestEmulatorThrottlingTimeLeftWithRealClock(t *testing.T) {
	srv := emulator.New(emulator.WithQPSLimit(20, 1))
	t.Cleanup(func() { _ = srv.Close() })
	// Real clock: the emulator's bucket refills in real time, so waiting on TimeLeft is what
	// lets these calls through; a 30s deadline only guards against hanging.
	c := emulatorClient(t, srv, emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret,
		RetryPolicy{MaxAttempts: 20, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond})
	var logs bytes.Buffer
	ctx, cancel := context.WithTimeout(tflogtest.RootLogger(context.Background(), &logs), 30*time.Second)
	defer cancel()
	for i := 0; i < 6; i++ {
		if _, err := c.FindAttachment(ctx, "p", "a", "RELEASE", Strict); !IsNotFound(err) {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if srv.RequestCount("DescribeApiProductApis", "Throttling.User") == 0 {
		t.Fatal("the QPS limit never throttled; the test proves nothing")
	}
	entries, err := tflogtest.MultilineJSONDecode(&logs)
	if err != nil {
		t.Fatal(err)
	}
	hinted := 0
	for _, e := range entries {
		if e["error_code"] != "Throttling.User" {
			continue
		}
		left, _ := e["time_left_ms"].(float64)
		wait, _ := e["retry_in_ms"].(float64)
		if left <= 0 || wait < left {
			t.Fatalf("throttled attempt without an honoured TimeLeft hint: %v", e)
		}
		hinted++
	}
	if hinted == 0 {
		t.Fatal("no throttled attempt logged")
	}
}
