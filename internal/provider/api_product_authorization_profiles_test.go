package provider

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/cloudapi/terraform-provider-apigateway/internal/cloudapi"
	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator"
	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator/model"
)

// TestAccAPIProductAuthorization_profiles runs, under every behaviour profile: create with an unknown
// outcome (503 past the retries: recorded, tainted, replaced by the next apply), create over a grant
// made out of band, import, drift both ways (revoked out of band: granted again; terms changed out
// of band: granted again with the configured terms), update, an update and a destroy with unknown
// outcomes (kept in the state, finished by the next apply), and the product deleted out of band (the
// refresh drops the authorization).
func TestAccAPIProductAuthorization_profiles(t *testing.T) {
	eachProfile(t, true, func(t *testing.T, bh model.Behaviour) {
		a := newAccTarget(t, emulator.WithBehaviour(bh))
		product := a.newProduct()
		waitPairsListed(t, a, product, 1)
		fresh, _ := a.newApp()
		adopted, _ := a.newApp()
		freshAddr, adoptedAddr := authorizationType+".fresh", authorizationType+".adopted"
		cfg := func(freshDesc string, withFresh bool) string {
			body := fmt.Sprintf(`
resource "apigateway_api_product_authorization" "adopted" {
  api_product_id = %q
  app_id         = "%d"
  description    = "adopted"
}
`, product, adopted)
			if withFresh {
				body += fmt.Sprintf(`
resource "apigateway_api_product_authorization" "fresh" {
  api_product_id = %q
  app_id         = "%d"
  description    = %q
}
`, product, fresh, freshDesc)
			}
			return a.config(body)
		}
		actions := func(fa, aa plancheck.ResourceActionType) resource.ConfigPlanChecks {
			return resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(freshAddr, fa), plancheck.ExpectResourceAction(adoptedAddr, aa),
			}}
		}
		ctx := context.Background()
		outOfBand := func(f func(context.Context) error) {
			ctx, cancel := context.WithTimeout(ctx, time.Minute)
			defer cancel()
			if err := f(ctx); err != nil {
				t.Fatalf("out of band: %v", err)
			}
		}
		grant := func(app int64, desc string) {
			outOfBand(func(ctx context.Context) error {
				return a.client.SetAppsAuthToAPIProduct(ctx, product, []int64{app}, cloudapi.GrantTerms{Description: desc})
			})
		}
		revoke := func(app int64) {
			outOfBand(func(ctx context.Context) error {
				return a.client.RemoveAPIProductsAuthorities(ctx, app, []string{product})
			})
		}

		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: a.factories(),
			CheckDestroy:             a.checkAuthorizationsDestroyed,
			Steps: []resource.TestStep{
				{
					// adopted is granted out of band first; the grants are answered 503 past the
					// retries.
					PreConfig: func() {
						grant(adopted, "out of band")
						failWrites(a, "SetAppsAuthToApiProduct")
					},
					Config:      cfg("fresh", true),
					ExpectError: messageRegexp("App may have been authorized"),
				},
				{
					PreConfig:        a.srv.ClearFaults,
					Config:           cfg("fresh", true),
					ConfigPlanChecks: actions(plancheck.ResourceActionReplace, plancheck.ResourceActionReplace),
					Check: resource.ComposeAggregateTestCheckFunc(
						a.checkGranted(product, fresh, "", "fresh"), a.checkGranted(product, adopted, "", "adopted"),
						resource.TestCheckResourceAttr(freshAddr, "id", product+":"+strconv.FormatInt(fresh, 10)),
					),
				},
				{ResourceName: freshAddr, ImportState: true, ImportStateVerify: true},
				{
					PreConfig: func() {
						revoke(fresh)
						grant(adopted, "changed elsewhere")
					},
					Config:           cfg("fresh", true),
					ConfigPlanChecks: actions(plancheck.ResourceActionCreate, plancheck.ResourceActionUpdate),
					Check:            resource.ComposeAggregateTestCheckFunc(a.checkGranted(product, fresh, "", "fresh"), a.checkGranted(product, adopted, "", "adopted")),
				},
				{
					// An update (new terms) with an unknown outcome; the next apply updates again.
					PreConfig:   func() { failWrites(a, "SetAppsAuthToApiProduct") },
					Config:      cfg("again", true),
					ExpectError: messageRegexp("App may have been authorized"),
				},
				{
					PreConfig:        a.srv.ClearFaults,
					Config:           cfg("again", true),
					ConfigPlanChecks: actions(plancheck.ResourceActionUpdate, plancheck.ResourceActionNoop),
					Check:            a.checkGranted(product, fresh, "", "again"),
				},
				{
					PreConfig:   func() { failWrites(a, "RemoveApiProductsAuthorities") },
					Config:      cfg("again", false),
					ExpectError: messageRegexp("The authorization stays in the state"),
				},
				{
					PreConfig: func() {
						a.srv.ClearFaults()
						if err := a.checkGranted(product, fresh, "", "again")(nil); err != nil {
							t.Error(err)
						}
					},
					Config: cfg("again", false),
					Check:  a.checkNotGranted(product, fresh),
				},
				{
					// The product is deleted out of band (its grants first: the service refuses
					// to delete a product with grants): the refresh drops the authorization, so
					// removing it from the configuration plans nothing (not a revoke).
					PreConfig: func() {
						revoke(adopted)
						outOfBand(func(ctx context.Context) error { return a.client.DeleteAPIProduct(ctx, product) })
					},
					Config:           a.config(""),
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				},
			},
		})
	})
}

// TestAPIProductAuthorization_deleteProfiles: Delete of an authorization that is no longer there
// (revoked out of band, app deleted, product deleted) ends without an error under every profile, and
// Delete of a grant revokes it. The refresh that normally comes first would drop such
// authorizations, so this calls the provider as Terraform does for a destroy with -refresh=false.
func TestAPIProductAuthorization_deleteProfiles(t *testing.T) {
	eachProfile(t, false, func(t *testing.T, bh model.Behaviour) {
		a := newAccTarget(t, emulator.WithBehaviour(bh))
		ctx := context.Background()
		ps := a.newProtoServer()
		ps.configure(a)
		for _, tc := range []struct {
			name  string
			setup func(product string, app int64)
		}{
			{"granted", func(string, int64) {}},
			{"revoked out of band", func(product string, app int64) {
				if err := a.client.RemoveAPIProductsAuthorities(ctx, app, []string{product}); err != nil {
					t.Fatal(err)
				}
			}},
			{"app deleted out of band", func(_ string, app int64) {
				if err := a.srv.RemoveApp(a.account, a.region, app); err != nil {
					t.Fatal(err)
				}
			}},
			{"product deleted out of band", func(product string, app int64) {
				if err := a.client.RemoveAPIProductsAuthorities(ctx, app, []string{product}); err != nil {
					t.Fatal(err)
				}
				if err := a.client.DeleteAPIProduct(ctx, product); err != nil {
					t.Fatal(err)
				}
			}},
		} {
			product := a.newProduct()
			waitPairsListed(t, a, product, 1)
			app, _ := a.newApp()
			a.grantApps(product, cloudapi.GrantTerms{}, app)
			tc.setup(product, app)
			id := authorizationID{ProductID: product, AppID: app}
			ps.importThenDelete(authorizationType, id.String(), tc.name)
			if g, _ := a.grantOf(product, app); g != nil {
				t.Errorf("%s: still granted after delete", tc.name)
			}
		}
	})
}
