package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// TestAccAPIProductAttachment_callCounts pins what N attachments in one product cost, counted on
// the emulator's side: concurrent creates and destroys go out in batches (Terraform runs 10 at a
// time), the refresh of all of them shares one listing, and the plan-time API checks share their
// lookups instead of one DescribeApi per attachment and command.
func TestAccAPIProductAttachment_callCounts(t *testing.T) {
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

	calls := func(action string) int { return a.srv.RequestCount(action, "") }
	atMost := func(what string, got, limit int) error {
		if got > limit {
			return fmt.Errorf("%s: %d calls, want at most %d", what, got, limit)
		}
		return nil
	}
	var listingsBefore int
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: a.factories(),
		CheckDestroy: func(s *terraform.State) error {
			// Batched like the creates: unbatched, this would be n calls.
			if err := atMost("DetachApiProduct", calls("DetachApiProduct"), 8); err != nil {
				return err
			}
			return a.checkDestroy(s)
		},
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: func(*terraform.State) error {
					// One AttachApiProduct per attachment without batching.
					if err := atMost("AttachApiProduct", calls("AttachApiProduct"), 8); err != nil {
						return err
					}
					// Three commands check the n new attachments (plan, and the apply's plan and
					// apply walks): 3 × n DescribeApi unshared. Shared, each command describes a
					// few one by one and then lists the region once (one page here).
					if err := atMost("DescribeApi + DescribeApis", calls("DescribeApi")+calls("DescribeApis"), 3*10); err != nil {
						return err
					}
					// A write's success is its own confirmation: nothing is listed back.
					return atMost("DescribeApiProductApis during the apply", calls("DescribeApiProductApis"), 0)
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(resourceType+".many[39]", tfjsonpath.New("api_product_id"), knownvalue.StringExact(product)),
					statecheck.ExpectKnownValue(resourceType+".many[39]", tfjsonpath.New("path"), knownvalue.NotNull()),
				},
			},
			{
				// A plan-only step runs a plan with -refresh=false, then one (with TF_LOG set, two)
				// that refreshes all n attachments; each lists the product once (n < 100: one
				// page) for all of them, where unshared reads would make n requests.
				PreConfig: func() { listingsBefore = a.settledCount("DescribeApiProductApis") },
				Config:    cfg,
				PlanOnly:  true,
			},
			{
				PreConfig: func() {
					if got := a.settledCount("DescribeApiProductApis") - listingsBefore; got < 1 || got > 2 {
						t.Errorf("the refresh of %d attachments made %d DescribeApiProductApis requests, want 1 (2 with TF_LOG)", n, got)
					}
				},
				Config: cfg,
			},
		},
	})
}
