package provider

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator"
)

// waitGranted waits until the emulator has the grant (a request the client gave up on completes on
// its own time).
func waitGranted(t *testing.T, a *accTarget, product string, app int64) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if g, _ := a.grantOf(product, app); g != nil {
			return
		}
	}
	t.Fatalf("app %d was never authorized on %s on the emulator", app, product)
}

// failWrites makes every request of action fail (503) past the client's retries: the client cannot
// tell whether the write was applied (a 503 may come after the work was done).
func failWrites(a *accTarget, action string) {
	a.srv.InjectFault(emulator.Fault{Action: action, Kind: emulator.FaultServiceUnavailable, Count: 1000})
}

// TestAccAPIProductAuthorization_unknownOutcome (issue 17, scenario 3): a grant whose answer is lost
// (the create timeout ends while SetAppsAuthToApiProduct is in flight, and the service applies it
// afterwards) and that no listing can settle is recorded in the state, tainted, and the next apply
// replaces it; the final destroy revokes it, so nothing granted goes untracked. Grants, re-grants and
// revokes answered 503 past the retries are TestAccAPIProductAuthorization_profiles, under every
// behaviour profile.
func TestAccAPIProductAuthorization_unknownOutcome(t *testing.T) {
	emulatorOnly(t)
	a := newAccTarget(t)
	product := a.newProduct()
	app, _ := a.newApp()
	cfg := func(appID int64, extra string) string { return a.config(authorizationConfig(product, appID, extra)) }
	replaced := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(authorizationAddr, plancheck.ResourceActionReplace)}}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: a.factories(),
		CheckDestroy:             a.checkAuthorizationsDestroyed,
		Steps: []resource.TestStep{
			{
				// The answer is lost and the service applies the grant afterwards.
				PreConfig:   func() { a.loseAnswer("SetAppsAuthToApiProduct", "DescribeAppsByApiProduct") },
				Config:      cfg(app, `  timeouts { create = "1s" }`),
				ExpectError: messageRegexp("App may have been authorized"),
			},
			{
				// Replace (not create) proves the failed create was saved in the state, tainted.
				PreConfig: func() {
					a.srv.ClearFaults()
					waitGranted(t, a, product, app)
				},
				Config:           cfg(app, ""),
				ConfigPlanChecks: replaced,
				Check:            a.checkGranted(product, app, "", ""),
			},
		},
	})
}

// TestAPIProductAuthorization_deleteTrustsWhatReadTrusts: a create whose grant has an unknown outcome
// leaves a private marker; while it is recent, a listing that does not show the grant proves nothing,
// so Read keeps the authorization and a Delete whose revoke fails does not conclude "gone" from that
// listing: the authorization stays in the state. Without the marker the same listing settles Delete.
func TestAPIProductAuthorization_deleteTrustsWhatReadTrusts(t *testing.T) {
	emulatorOnly(t)
	a := newAccTarget(t)
	product := a.newProduct()
	app, _ := a.newApp()
	ps := a.newProtoServer()
	ps.configure(a)
	ctx := context.Background()
	typ := ps.schema.ResourceSchemas[authorizationType].ValueType().(tftypes.Object)
	unknown := tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
	config := objectValue(typ, map[string]tftypes.Value{
		"api_product_id": tftypes.NewValue(tftypes.String, product),
		"app_id":         tftypes.NewValue(tftypes.String, strconv.FormatInt(app, 10)),
	})
	planned := objectValue(typ, map[string]tftypes.Value{
		"api_product_id": tftypes.NewValue(tftypes.String, product),
		"app_id":         tftypes.NewValue(tftypes.String, strconv.FormatInt(app, 10)),
		"id":             unknown, "app_name": unknown, "authorized_time": unknown,
	})
	null := dynamicValue(t, typ, tftypes.NewValue(typ, nil))

	failWrites(a, "SetAppsAuthToApiProduct")
	created, err := ps.srv.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{
		TypeName: authorizationType, PriorState: null, PlannedState: dynamicValue(t, typ, planned), Config: dynamicValue(t, typ, config),
	})
	if err != nil {
		t.Fatal(err)
	}
	if !hasError(created.Diagnostics, "App may have been authorized") || len(created.Private) == 0 {
		t.Fatalf("create with an unknown outcome: %s, private %q; want the error and a marker", protoDiagText(created.Diagnostics), created.Private)
	}
	if v, err := created.NewState.Unmarshal(typ); err != nil || v.IsNull() {
		t.Fatalf("create with an unknown outcome left no state (%v)", err)
	}
	a.srv.ClearFaults()

	read, err := ps.srv.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: authorizationType, CurrentState: created.NewState, Private: created.Private})
	if err != nil {
		t.Fatal(err)
	}
	if v, err := read.NewState.Unmarshal(typ); err != nil || v.IsNull() || hasAnyError(read.Diagnostics) {
		t.Errorf("refresh right after: state %v (%v), %s; want it kept", v, err, protoDiagText(read.Diagnostics))
	}

	failWrites(a, "RemoveApiProductsAuthorities")
	destroy := func(private []byte) *tfprotov6.ApplyResourceChangeResponse {
		resp, err := ps.srv.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{
			TypeName: authorizationType, PriorState: created.NewState, PlannedState: null, Config: null, PlannedPrivate: private,
		})
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	if resp := destroy(created.Private); !hasError(resp.Diagnostics, "Cannot revoke app's authorization on API product") ||
		!strings.Contains(protoDiagText(resp.Diagnostics), "too recently for that to prove it is gone") {
		t.Errorf("delete of a recent, unlisted grant whose revoke failed: %s; want it kept", protoDiagText(resp.Diagnostics))
	}
	if resp := destroy(nil); hasAnyError(resp.Diagnostics) {
		t.Errorf("delete of an unlisted grant without the marker: %s; want the listing to settle it", protoDiagText(resp.Diagnostics))
	}
}
