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
// (the create timeout ends while SetAppsAuthToApiProduct is in flight, and the service applies it)
// and that no listing can settle is recorded in the state, tainted, and the next apply replaces it;
// so is a grant answered 503 past every retry. A re-grant (update) with an unknown outcome keeps the
// authorization in the state with its old terms, and the next apply converges. A revoke with an
// unknown outcome keeps it in the state, and the next destroy revokes it. Nothing is lost: every
// grant made is tracked, and the destroy at the end leaves none.
func TestAccAPIProductAuthorization_unknownOutcome(t *testing.T) {
	emulatorOnly(t)
	a := newAccTarget(t)
	product := a.newProduct()
	app, _ := a.newApp()
	other, _ := a.newApp()
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
			{
				Config: a.config(""),
				Check:  a.checkNotGranted(product, app),
			},
			{
				// Another app, answered 503 past every retry; the listing that follows does not show
				// it, which proves nothing about a fresh grant: recorded, tainted.
				PreConfig:   func() { failWrites(a, "SetAppsAuthToApiProduct") },
				Config:      cfg(other, ""),
				ExpectError: messageRegexp("App may have been authorized"),
			},
			{
				// The refresh keeps the recorded grant although no listing shows it (it may have been
				// granted moments ago); it is tainted, so it is replaced.
				PreConfig:        a.srv.ClearFaults,
				Config:           cfg(other, ""),
				ConfigPlanChecks: replaced,
				Check:            a.checkGranted(product, other, "", ""),
			},
			{
				// A re-grant with new terms, outcome unknown: the listing shows the old terms.
				PreConfig:   func() { failWrites(a, "SetAppsAuthToApiProduct") },
				Config:      cfg(other, `  description = "new terms"`),
				ExpectError: messageRegexp("App may have been authorized"),
			},
			{
				// The state kept the old terms: the next apply grants the new ones.
				PreConfig: a.srv.ClearFaults,
				Config:    cfg(other, `  description = "new terms"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(authorizationAddr, plancheck.ResourceActionUpdate),
				}},
				Check: a.checkGranted(product, other, "", "new terms"),
			},
			{
				// A revoke answered 503 past every retry, and the listing still shows the grant.
				PreConfig:   func() { failWrites(a, "RemoveApiProductsAuthorities") },
				Config:      a.config(""),
				ExpectError: messageRegexp("The listing that followed still shows it. The authorization stays in the state"),
			},
			{
				// Still in the state: this destroy revokes it (CheckDestroy verifies too).
				PreConfig: func() {
					a.srv.ClearFaults()
					if err := a.checkGranted(product, other, "", "new terms")(nil); err != nil {
						t.Error(err)
					}
				},
				Config: a.config(""),
				Check:  a.checkNotGranted(product, other),
			},
		},
	})
}
