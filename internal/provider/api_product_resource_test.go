package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/cloudapi/terraform-provider-apigateway/internal/cloudapi"
)

const productAddr = "apigateway_api_product.test"

// productConfig lists the pairs in the order Read reports them (by api_id, then RELEASE, PRE,
// TEST), so that ImportStateVerify, which compares list indexes, can compare.
func productConfig(productID string, refs ...cloudapi.APIRef) string {
	return productConfigInOrder(productID, readOrder(refs)...)
}

// readOrder sorts a copy of refs as Read reports them.
func readOrder(refs []cloudapi.APIRef) []cloudapi.APIRef {
	refs = slices.Clone(refs)
	slices.SortFunc(refs, func(a, b cloudapi.APIRef) int {
		if c := strings.Compare(a.APIID, b.APIID); c != 0 {
			return c
		}
		return stageRank(a.StageName) - stageRank(b.StageName)
	})
	return refs
}

// productConfigInOrder lists the pairs in the order given.
func productConfigInOrder(productID string, refs ...cloudapi.APIRef) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\nresource \"apigateway_api_product\" \"test\" {\n  api_product_id = %q\n  apis = [\n", productID)
	for _, r := range refs {
		fmt.Fprintf(&b, "    { api_id = %q, stage_name = %q },\n", r.APIID, r.StageName)
	}
	b.WriteString("  ]\n}\n")
	return b.String()
}

// productPairs is the backend's set of pairs of a product (the emulator directly when there is
// one), sorted; exists is false when the product does not exist.
func (a *accTarget) productPairs(product string) (pairs []cloudapi.APIRef, exists bool, err error) {
	if a.srv != nil {
		atts, ok := a.srv.ProductAttachments(a.account, a.region, product)
		for _, at := range atts {
			pairs = append(pairs, cloudapi.APIRef{APIID: at.APIID, StageName: at.StageName})
		}
		slices.SortFunc(pairs, comparePairs)
		return pairs, ok, nil
	}
	infos, err := a.client.ListProductAPIs(context.Background(), product, cloudapi.Strict)
	if isGone(err) {
		return nil, false, nil
	}
	for _, i := range infos {
		pairs = append(pairs, cloudapi.APIRef{APIID: i.APIID, StageName: i.StageName})
	}
	slices.SortFunc(pairs, comparePairs)
	return pairs, true, err
}

func comparePairs(x, y cloudapi.APIRef) int {
	return strings.Compare(x.APIID+"/"+x.StageName, y.APIID+"/"+y.StageName)
}

// checkProductPairs asserts the product holds exactly these pairs.
func (a *accTarget) checkProductPairs(product string, want ...cloudapi.APIRef) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got, exists, err := a.productPairs(product)
		if err != nil {
			return err
		}
		if !exists {
			return fmt.Errorf("API product %s does not exist", product)
		}
		want = slices.Clone(want)
		slices.SortFunc(want, comparePairs)
		if !slices.Equal(got, want) {
			return fmt.Errorf("API product %s holds %v, want %v", product, got, want)
		}
		return nil
	}
}

// checkProductsDestroyed: no product in the final state may still exist.
func (a *accTarget) checkProductsDestroyed(s *terraform.State) error {
	for _, rs := range s.RootModule().Resources {
		if rs.Type != "apigateway_api_product" {
			continue
		}
		_, exists, err := a.productPairs(rs.Primary.ID)
		if err != nil {
			return fmt.Errorf("API product %s: checking that it was destroyed: %w", rs.Primary.ID, err)
		}
		if exists {
			return fmt.Errorf("API product %s still exists after destroy", rs.Primary.ID)
		}
	}
	return a.checkAuthorizationsDestroyed(s)
}

// writeCounter counts the attach and detach calls the emulator answered since mark; against the
// real service it counts nothing and checks nothing.
type writeCounter struct{ attach, detach int }

func (c *writeCounter) mark(a *accTarget) {
	if a.srv != nil {
		c.attach, c.detach = a.srv.RequestCount("AttachApiProduct", ""), a.srv.RequestCount("DetachApiProduct", "")
	}
}

// want checks that what made attach attach calls and detach detach calls since mark.
func (c *writeCounter) want(a *accTarget, what string, attach, detach int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if a.srv == nil {
			return nil
		}
		if n, m := a.srv.RequestCount("AttachApiProduct", "")-c.attach, a.srv.RequestCount("DetachApiProduct", "")-c.detach; n != attach || m != detach {
			return fmt.Errorf("%s made %d attach and %d detach calls, want %d and %d", what, n, m, attach, detach)
		}
		return nil
	}
}

// TestAccAPIProduct_basic: create, import both ways, update (one attach and one detach call),
// destroy (DeleteApiProduct).
func TestAccAPIProduct_basic(t *testing.T) {
	a := newAccTarget(t)
	gid, gname := a.newGroup()
	x, y, z := a.newAPI(gid, gname, "RELEASE", "PRE"), a.newAPI(gid, gname, "RELEASE"), a.newAPI(gid, gname, "RELEASE")
	product := a.newProductID()
	first := []cloudapi.APIRef{{APIID: x.APIID, StageName: "RELEASE"}, {APIID: x.APIID, StageName: "PRE"}, {APIID: y.APIID, StageName: "RELEASE"}}
	second := []cloudapi.APIRef{{APIID: x.APIID, StageName: "RELEASE"}, {APIID: x.APIID, StageName: "PRE"}, {APIID: z.APIID, StageName: "RELEASE"}}
	var writes writeCounter
	reversed := readOrder(second) // the reverse of the order the state has after the update
	slices.Reverse(reversed)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: a.factories(),
		CheckDestroy:             a.checkProductsDestroyed,
		Steps: []resource.TestStep{
			{
				Config:           a.config(productConfig(product, first...)),
				ConfigPlanChecks: expectAction(productAddr, plancheck.ResourceActionCreate),
				Check: resource.ComposeAggregateTestCheckFunc(
					a.checkProductPairs(product, first...),
					resource.TestCheckResourceAttr(productAddr, "id", product),
					resource.TestCheckResourceAttr(productAddr, "apis.#", "3"),
				),
			},
			{ResourceName: productAddr, ImportState: true, ImportStateVerify: true},
			{ResourceName: productAddr, ImportState: true, ImportStateKind: resource.ImportBlockWithID},
			{
				PreConfig:        func() { writes.mark(a) },
				Config:           a.config(productConfig(product, second...)),
				ConfigPlanChecks: expectAction(productAddr, plancheck.ResourceActionUpdate),
				Check:            resource.ComposeAggregateTestCheckFunc(a.checkProductPairs(product, second...), writes.want(a, "the update", 1, 1)),
			},
			{
				// Reordering apis plans nothing: the plan keeps the prior value, and no call is made.
				PreConfig:        func() { writes.mark(a) },
				Config:           a.config(productConfigInOrder(product, reversed...)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            resource.ComposeAggregateTestCheckFunc(a.checkProductPairs(product, second...), writes.want(a, "reordering", 0, 0)),
			},
			{Config: a.config(productConfigInOrder(product, reversed...)), PlanOnly: true},
		},
	})
}

// TestAccAPIProduct_drift: a pair attached outside Terraform is detached by the next apply, one
// detached outside Terraform is attached again, and a product deleted outside Terraform is created
// again.
func TestAccAPIProduct_drift(t *testing.T) {
	a := newAccTarget(t)
	gid, gname := a.newGroup()
	x, y := a.newAPI(gid, gname, "RELEASE"), a.newAPI(gid, gname, "RELEASE")
	product := a.newProductID()
	pairs := []cloudapi.APIRef{{APIID: x.APIID, StageName: "RELEASE"}}
	extra := cloudapi.APIRef{APIID: y.APIID, StageName: "RELEASE"}
	cfg := a.config(productConfig(product, pairs...))
	ctx := context.Background()

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: a.factories(),
		CheckDestroy:             a.checkProductsDestroyed,
		Steps: []resource.TestStep{
			{Config: cfg, Check: a.checkProductPairs(product, pairs...)},
			{
				PreConfig: func() {
					if err := a.client.AttachAPIProduct(ctx, product, []cloudapi.APIRef{extra}); err != nil {
						t.Fatal(err)
					}
				},
				Config:           cfg,
				ConfigPlanChecks: expectAction(productAddr, plancheck.ResourceActionUpdate),
				Check:            a.checkProductPairs(product, pairs...),
			},
			{
				PreConfig: func() {
					if err := a.client.DetachAPIProduct(ctx, product, pairs); err != nil {
						t.Fatal(err)
					}
				},
				Config:           cfg,
				ConfigPlanChecks: expectAction(productAddr, plancheck.ResourceActionUpdate),
				Check:            a.checkProductPairs(product, pairs...),
			},
			// The provider trusts its own writes over a listing that does not show them for
			// cloudapi.VisibilityGrace, or until a refresh has seen them listed.
			{RefreshState: true},
			{
				PreConfig: func() {
					if err := a.client.DeleteAPIProduct(ctx, product); err != nil {
						t.Fatal(err)
					}
				},
				Config:           cfg,
				ConfigPlanChecks: expectAction(productAddr, plancheck.ResourceActionCreate),
				Check:            a.checkProductPairs(product, pairs...),
			},
		},
	})
}

// TestAccAPIProduct_replace: a new api_product_id replaces the product.
func TestAccAPIProduct_replace(t *testing.T) {
	a := newAccTarget(t)
	x := a.newDeployedAPI("RELEASE")
	p1, p2 := a.newProductID(), a.newProductID()
	pairs := []cloudapi.APIRef{{APIID: x.APIID, StageName: "RELEASE"}}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: a.factories(),
		CheckDestroy:             a.checkProductsDestroyed,
		Steps: []resource.TestStep{
			{Config: a.config(productConfig(p1, pairs...)), Check: a.checkProductPairs(p1, pairs...)},
			{
				Config:           a.config(productConfig(p2, pairs...)),
				ConfigPlanChecks: expectAction(productAddr, plancheck.ResourceActionReplace),
				Check: resource.ComposeAggregateTestCheckFunc(
					a.checkProductPairs(p2, pairs...),
					func(*terraform.State) error {
						if _, exists, _ := a.productPairs(p1); exists {
							return fmt.Errorf("the replaced product %s still exists", p1)
						}
						return nil
					},
				),
			},
		},
	})
}

// TestAccAPIProduct_validation: bad input fails at plan time; a missing API is named; an API not
// deployed to its stage only warns.
func TestAccAPIProduct_validation(t *testing.T) {
	a := newAccTarget(t)
	x := a.newDeployedAPI("RELEASE")
	missing := "0123456789abcdef0123456789abcdef"
	step := func(body, msg string) resource.TestStep {
		return resource.TestStep{Config: a.config(body), PlanOnly: true, ExpectError: messageRegexp(msg)}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: a.factories(),
		Steps: []resource.TestStep{
			step(productConfig("p1", cloudapi.APIRef{APIID: x.APIID, StageName: "release"}), `stage names are case-sensitive, did you mean "RELEASE"?`),
			step(productConfig("p:1", cloudapi.APIRef{APIID: x.APIID, StageName: "RELEASE"}), `Attribute api_product_id "p:1" contains ":"`),
			step(productConfig("p1", cloudapi.APIRef{APIID: "a 1", StageName: "RELEASE"}), `contains whitespace`),
			step(productConfig("p1", cloudapi.APIRef{APIID: x.APIID, StageName: "RELEASE"}, cloudapi.APIRef{APIID: x.APIID, StageName: "RELEASE"}),
				fmt.Sprintf("Attribute apis lists API %q in stage RELEASE more than once; each pair may appear only once.", x.APIID)),
			step(productConfig("p1", cloudapi.APIRef{APIID: x.APIID, StageName: "RELEASE"}, cloudapi.APIRef{APIID: missing, StageName: "PRE"}),
				fmt.Sprintf("API %q in apis does not exist in region %s", missing, a.region)),
			{
				// Not deployed to PRE: a warning, the plan goes ahead.
				Config:             a.config(productConfig(a.newProductID(), cloudapi.APIRef{APIID: x.APIID, StageName: "PRE"})),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

// TestAccAPIProduct_appsAuthorizedOnDelete: destroy fails while an app is authorized, naming the app
// and what to do; once it is revoked, destroy succeeds. Managed together with the authorization in
// one configuration, destroy revokes first and then deletes.
func TestAccAPIProduct_appsAuthorizedOnDelete(t *testing.T) {
	a := newAccTarget(t)
	x := a.newDeployedAPI("RELEASE")
	product := a.newProductID()
	app, appName := a.newApp()
	pairs := []cloudapi.APIRef{{APIID: x.APIID, StageName: "RELEASE"}}
	ctx := context.Background()
	together := a.config(productConfig(product, pairs...) + fmt.Sprintf(`
resource "apigateway_api_product_authorization" "test" {
  api_product_id = apigateway_api_product.test.api_product_id
  app_id         = "%d"
}
`, app))

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: a.factories(),
		CheckDestroy:             a.checkProductsDestroyed,
		Steps: []resource.TestStep{
			{Config: together, Check: a.checkGranted(product, app, "", "")},
			{
				// Destroying both works: the authorization depends on the product, so it goes first.
				Config:  together,
				Destroy: true,
				Check:   a.checkNotGranted(product, app),
			},
			{
				Config: a.config(productConfig(product, pairs...)),
				PreConfig: func() {
					// Nothing to do: the product is created again below.
				},
			},
			{
				PreConfig: func() {
					if err := a.client.SetAppsAuthToAPIProduct(ctx, product, []int64{app}, cloudapi.GrantTerms{}); err != nil {
						t.Fatal(err)
					}
				},
				Config:  a.config(productConfig(product, pairs...)),
				Destroy: true,
				ExpectError: messageRegexp(fmt.Sprintf("API product %q cannot be deleted while apps are authorized on it: %s (%d). Revoke them first",
					product, appName, app)),
			},
			{
				PreConfig: func() {
					if err := a.client.RemoveAPIProductsAuthorities(ctx, app, []string{product}); err != nil {
						t.Fatal(err)
					}
				},
				Config: a.config(productConfig(product, pairs...)),
			},
		},
	})
}

// TestAccAPIProduct_manyPairs: 202 pairs are three attach calls, and a plan with no changes reads
// three pages.
func TestAccAPIProduct_manyPairs(t *testing.T) {
	emulatorOnly(t)
	a := newAccTarget(t)
	_, _, apis := a.seedAttachedAPIs(a.newProductID(), 101, "RELEASE") // 101 APIs (attached to a throwaway product; not deployed: warnings only)
	product := a.newProductID()
	var pairs []cloudapi.APIRef
	for _, api := range apis {
		pairs = append(pairs, cloudapi.APIRef{APIID: api.ID, StageName: "RELEASE"}, cloudapi.APIRef{APIID: api.ID, StageName: "PRE"})
	}
	cfg := a.config(productConfig(product, pairs...))
	var before int
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: a.factories(),
		CheckDestroy:             a.checkProductsDestroyed,
		Steps: []resource.TestStep{
			{
				PreConfig: func() { before = a.srv.RequestCount("AttachApiProduct", "") },
				Config:    cfg,
				Check: resource.ComposeAggregateTestCheckFunc(
					a.checkProductPairs(product, pairs...),
					func(*terraform.State) error {
						if n := a.srv.RequestCount("AttachApiProduct", "") - before; n != 3 {
							return fmt.Errorf("202 pairs took %d AttachApiProduct calls, want 3", n)
						}
						if n := a.srv.RequestCount("DescribeApi", ""); n > 20 {
							return fmt.Errorf("the plan-time checks made %d DescribeApi calls, want them shared", n)
						}
						return nil
					},
				),
			},
			{Config: cfg, PlanOnly: true},
		},
	})
}

// TestAccAPIProduct_identity: the identity is stored and imports (Terraform 1.12+).
func TestAccAPIProduct_identity(t *testing.T) {
	a := newAccTarget(t)
	x := a.newDeployedAPI("RELEASE")
	product := a.newProductID()
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		ProtoV6ProviderFactories: a.factories(),
		CheckDestroy:             a.checkProductsDestroyed,
		Steps: []resource.TestStep{
			{
				Config: a.config(productConfig(product, cloudapi.APIRef{APIID: x.APIID, StageName: "RELEASE"})),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(productAddr, map[string]knownvalue.Check{"api_product_id": knownvalue.StringExact(product)}),
				},
			},
			{ResourceName: productAddr, ImportState: true, ImportStateKind: resource.ImportBlockWithResourceIdentity},
		},
	})
}

// TestAccAPIProduct_importErrors: an import id that is not a product id, and a product that does
// not exist.
func TestAccAPIProduct_importErrors(t *testing.T) {
	a := newAccTarget(t)
	x := a.newDeployedAPI("RELEASE")
	product := a.newProductID()
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: a.factories(),
		CheckDestroy:             a.checkProductsDestroyed,
		Steps: []resource.TestStep{
			{Config: a.config(productConfig(product, cloudapi.APIRef{APIID: x.APIID, StageName: "RELEASE"}))},
			{
				ResourceName:  productAddr,
				ImportState:   true,
				ImportStateId: product + ":" + x.APIID,
				ExpectError:   messageRegexp(`Cannot import apigateway_api_product: the id must be the API product id`),
			},
			{
				ResourceName:  productAddr,
				ImportState:   true,
				ImportStateId: a.newProductID(),
				ExpectError:   regexp.MustCompile(`Cannot import non-existent remote object`),
			},
		},
	})
}

// TestAccAPIProduct_productOrAttachmentsExample runs examples/product-or-attachments: one product
// managed whole, another by attachments, side by side; a second plan is empty and removing the
// configuration deletes the first product and detaches the second's pairs.
func TestAccAPIProduct_productOrAttachmentsExample(t *testing.T) {
	emulatorOnly(t) // the example's product ids are fixed
	a := newAccTarget(t)
	gid, gname := a.newGroup()
	x, y := a.newAPI(gid, gname, "RELEASE", "PRE"), a.newAPI(gid, gname, "RELEASE", "PRE")
	cfg := exampleConfig(t, a, "product-or-attachments/main.tf")
	vars := config.Variables{"api_ids": config.ListVariable(config.StringVariable(x.APIID), config.StringVariable(y.APIID))}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: a.factories(),
		Steps: []resource.TestStep{
			{
				Config:          cfg,
				ConfigVariables: vars,
				ConfigStateChecks: []statecheck.StateCheck{
					backendCheck(a.checkProductPairs("payments_product", cloudapi.APIRef{APIID: x.APIID, StageName: "RELEASE"}, cloudapi.APIRef{APIID: y.APIID, StageName: "RELEASE"})),
					backendCheck(a.checkProductPairs("partner_product", cloudapi.APIRef{APIID: x.APIID, StageName: "PRE"}, cloudapi.APIRef{APIID: y.APIID, StageName: "PRE"})),
				},
			},
			{
				Config:           cfg,
				ConfigVariables:  vars,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				Config: a.config(""),
				ConfigStateChecks: []statecheck.StateCheck{
					backendCheck(func(*terraform.State) error {
						if _, exists, _ := a.productPairs("payments_product"); exists {
							return fmt.Errorf("payments_product still exists")
						}
						return a.checkProductPairs("partner_product")(nil)
					}),
				},
			},
		},
	})
}
