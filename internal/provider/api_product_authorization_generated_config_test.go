package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/cloudapi/terraform-provider-apigateway/internal/cloudapi"
)

// everyChangeIsCleanImport is a plan check: the plan imports exactly the resources in want, and
// every one of them is a no-op import: nothing to add, change or destroy.
type everyChangeIsCleanImport struct{ want []string }

func (c everyChangeIsCleanImport) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	var problems, got []string
	for _, rc := range req.Plan.ResourceChanges {
		got = append(got, rc.Address)
		switch {
		case rc.Change == nil || rc.Change.Importing == nil:
			problems = append(problems, fmt.Sprintf("%s: %v, not an import", rc.Address, actionsOf(rc)))
		case !rc.Change.Actions.NoOp():
			problems = append(problems, fmt.Sprintf("%s: imported, then %v", rc.Address, rc.Change.Actions))
		}
	}
	for _, w := range c.want {
		if !containsString(got, w) {
			problems = append(problems, w+": not in the plan")
		}
	}
	if len(problems) > 0 {
		resp.Error = fmt.Errorf("the plan of the generated configuration is not a clean import:\n%s", strings.Join(problems, "\n"))
	}
}

func actionsOf(rc *tfjson.ResourceChange) tfjson.Actions {
	if rc.Change == nil {
		return nil
	}
	return rc.Change.Actions
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// TestAccGeneratedConfig_importBlocks: a product, an authorization with terms, and the attachments
// of another product, all made outside Terraform, are adopted with `import` blocks alone: `plan
// -generate-config-out` writes their resource blocks, and the plan of that configuration imports
// all of them with nothing to add, change or destroy. Terraform 1.5+ and OpenTofu 1.6+.
func TestAccGeneratedConfig_importBlocks(t *testing.T) {
	a := newAccTarget(t)
	api := a.newDeployedAPI("RELEASE", "PRE")
	product, attached := a.newProductID(), a.newProductID()
	app, _ := a.newApp()
	plain, _ := a.newApp() // authorized without terms: null, not "", in the generated configuration
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pairs := []cloudapi.APIRef{{APIID: api.APIID, StageName: "RELEASE"}, {APIID: api.APIID, StageName: "PRE"}}
	for _, p := range []string{product, attached} {
		if err := a.client.AttachAPIProduct(ctx, p, pairs); err != nil {
			t.Fatal(err)
		}
	}
	later := time.Now().Add(90 * 24 * time.Hour).UTC().Truncate(time.Second).Format(time.RFC3339)
	if err := a.client.SetAppsAuthToAPIProduct(ctx, product, []int64{app}, cloudapi.GrantTerms{AuthValidTime: later, Description: "adopted"}); err != nil {
		t.Fatal(err)
	}
	if err := a.client.SetAppsAuthToAPIProduct(ctx, product, []int64{plain}, cloudapi.GrantTerms{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		for _, id := range []int64{app, plain} {
			_ = a.client.RemoveAPIProductsAuthorities(ctx, id, []string{product})
		}
	})

	imports := a.config(fmt.Sprintf(`
import {
  to = apigateway_api_product.generated
  id = %[1]q
}

import {
  to = apigateway_api_product_authorization.adopted
  id = "%[1]s:%[2]d"
}

import {
  to = apigateway_api_product_authorization.plain
  id = "%[1]s:%[5]d"
}

import {
  to = apigateway_api_product_attachment.release
  id = "%[3]s:%[4]s:RELEASE"
}

import {
  to = apigateway_api_product_attachment.pre
  id = "%[3]s:%[4]s:PRE"
}
`, product, app, attached, api.APIID, plain))
	resource.ParallelTest(t, resource.TestCase{
		// Import blocks need Terraform 1.5 (OpenTofu 1.6), which every supported CLI has.
		ProtoV6ProviderFactories: a.factories(),
		Steps: []resource.TestStep{
			// An empty configuration first: the import step below runs in a working directory
			// that an earlier step has initialised.
			{Config: a.config("")},
			{
				// plugin-testing's GenerateConfig import: `plan -generate-config-out` with these
				// import blocks and no resource blocks; the plan is of the generated configuration.
				ResourceName:           "apigateway_api_product.test", // named .generated from step 2 on
				ImportState:            true,
				ImportStateKind:        resource.ImportBlockWithID,
				ImportStateId:          product,
				ImportStateConfigExact: true,
				GenerateConfig:         true,
				Config:                 imports,
				ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
					everyChangeIsCleanImport{want: []string{
						"apigateway_api_product.generated", "apigateway_api_product_authorization.adopted", "apigateway_api_product_authorization.plain",
						"apigateway_api_product_attachment.release", "apigateway_api_product_attachment.pre",
					}},
				}},
			},
		},
	})
}
