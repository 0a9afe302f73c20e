package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator"
)

// TestAccAPIProductAuthorization_unknownAppFailsPlan: authorizations naming an app that does not
// exist fail the plan, before any grant, with the app named; three of them (on three products) ask
// the service about the app once per command, not once each. A failure of the look-up itself only
// warns, and the apply goes on.
func TestAccAPIProductAuthorization_unknownAppFailsPlan(t *testing.T) {
	emulatorOnly(t)
	a := newAccTarget(t)
	products := []string{a.newProduct(), a.newProduct(), a.newProduct()}
	app, _ := a.newApp()
	gone, _ := a.newApp()
	if err := a.srv.RemoveApp(a.account, a.region, gone); err != nil {
		t.Fatal(err)
	}
	three := func(appID int64) string {
		return a.config(fmt.Sprintf(`
variable "products" {
  type    = list(string)
  default = [%q, %q, %q]
}

resource "apigateway_api_product_authorization" "test" {
  count          = 3
  api_product_id = var.products[count.index]
  app_id         = "%d"
}
`, products[0], products[1], products[2], appID))
	}
	var lookups int
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: a.factories(),
		CheckDestroy:             a.checkAuthorizationsDestroyed,
		Steps: []resource.TestStep{
			{
				PreConfig:   func() { lookups = a.settledCount("DescribeAppAttributes") },
				Config:      three(gone),
				PlanOnly:    true,
				ExpectError: messageRegexp(fmt.Sprintf("App %d does not exist in region %s", gone, a.region)),
			},
			{
				PreConfig: func() {
					a.wantNoCall("SetAppsAuthToApiProduct", "an unknown app must fail the plan")
					// One plan: one look-up for the three authorizations.
					if n := a.settledCount("DescribeAppAttributes") - lookups; n != 1 {
						t.Errorf("planning 3 authorizations of one app took %d DescribeAppAttributes calls, want 1", n)
					}
					// The look-up fails past every retry: the plan warns and the grant goes ahead.
					a.srv.InjectFault(emulator.Fault{Action: "DescribeAppAttributes", Kind: emulator.FaultServiceUnavailable, Count: 1000})
				},
				Config: three(app),
				Check: resource.ComposeAggregateTestCheckFunc(
					a.checkGranted(products[0], app, "", ""),
					a.checkGranted(products[2], app, "", ""),
				),
			},
			{
				// Existing authorizations are not checked again: the app's look-up is for new grants.
				PreConfig: func() {
					a.srv.ClearFaults()
					lookups = a.settledCount("DescribeAppAttributes")
				},
				Config: three(app),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
					planCheckFunc(func() error {
						if n := a.settledCount("DescribeAppAttributes") - lookups; n != 0 {
							return fmt.Errorf("planning unchanged authorizations took %d DescribeAppAttributes calls, want 0", n)
						}
						return nil
					}),
				}},
			},
		},
	})
}
