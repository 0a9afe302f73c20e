package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// TestAccAPIProductAttachment_refreshSharesListings: the refresh of many attachments in one
// product shares listings (Read uses refreshMaxStaleness) instead of paging the product once per
// attachment. Counted on the emulator's side, so emulator only.
func TestAccAPIProductAttachment_refreshSharesListings(t *testing.T) {
	emulatorOnly(t)
	a := newAccTarget(t)
	const n = 40
	gid, gname := a.newGroup()
	product := a.newProductID()
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("%q", a.newAPI(gid, gname).APIID)
	}
	cfg := a.config(fmt.Sprintf(`
resource "apigateway_api_product_attachment" "many" {
  count          = %d
  api_product_id = %q
  api_id         = [%s][count.index]
  stage_name     = "RELEASE"
}
`, n, product, strings.Join(ids, ", ")))

	var before int
	describes := func() int { return a.srv.RequestCount("DescribeApiProductApis", "") }
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: a.factories(),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(resourceType+".many[39]", tfjsonpath.New("api_product_id"), knownvalue.StringExact(product)),
				},
			},
			{
				// A plan-only step runs a plan with -refresh=false, then one that refreshes all n
				// attachments.
				PreConfig: func() { before = describes() },
				Config:    cfg,
				PlanOnly:  true,
			},
			{
				PreConfig: func() {
					// Each listing is one request here (n < 100). Unshared, the refresh would
					// cost n requests; with strict coalescing (no staleness) it measured 17.
					if got := describes() - before; got < 1 || got > 2 {
						t.Errorf("a refresh of %d attachments made %d DescribeApiProductApis requests, want 1 or 2", n, got)
					}
				},
				Config: a.config(""),
			},
		},
	})
}
