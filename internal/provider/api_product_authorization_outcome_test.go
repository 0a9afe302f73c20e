package provider

import (
	"testing"
	"time"

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
				PreConfig: func() {
					a.srv.InjectFault(emulator.Fault{Action: "SetAppsAuthToApiProduct", Kind: emulator.FaultLatency, Latency: 5 * time.Second, Count: 1})
					a.srv.InjectFault(emulator.Fault{Action: "DescribeAppsByApiProduct", Kind: emulator.FaultInternalError, Count: 1000})
				},
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
