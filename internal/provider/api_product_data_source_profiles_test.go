package provider

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/aliyun/credentials-go/credentials"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/cloudapi/terraform-provider-apigateway/internal/cloudapi"
	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator"
	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator/model"
)

// TestAccReaders_profiles: under every behaviour profile, both data sources and both list resources
// read a product with two pairs and two grants correctly, and, once the product is deleted out of
// band, the product readers say "API product not found" while the app's data source lists nothing.
func TestAccReaders_profiles(t *testing.T) {
	eachProfile(t, true, func(t *testing.T, bh model.Behaviour) {
		a := newAccTarget(t, emulator.WithBehaviour(bh))
		api := a.newDeployedAPI("RELEASE", "PRE")
		product := a.newProductID()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := a.client.AttachAPIProduct(ctx, product, []cloudapi.APIRef{{APIID: api.APIID, StageName: "RELEASE"}, {APIID: api.APIID, StageName: "PRE"}}); err != nil {
			t.Fatal(err)
		}
		waitPairsListed(t, a, product, 2)
		app, appName := a.newApp()
		other, _ := a.newApp()
		a.grantApps(product, cloudapi.GrantTerms{Description: "read me"}, app)
		a.grantApps(product, cloudapi.GrantTerms{}, other)
		appText := strconv.FormatInt(app, 10)

		// The list resources, through the protocol.
		ps := a.newProtoServer()
		ps.configure(a)
		if got := ps.list(ps.listConfig(product, ""), true, 100); len(got) != 2 || got[0].Resource["api_name"] != api.APIName {
			t.Errorf("attachment list: %+v", got)
		}
		l := a.newAuthorizationLister()
		l.p.configure(a)
		if got := l.list(l.config(product, ""), true, 100); len(got) != 2 {
			t.Errorf("authorization list by product: %+v", got)
		}
		if got := l.list(l.config("", appText), true, 100); len(got) != 1 || got[0].Resource["description"] != "read me" || got[0].Resource["app_name"] != appName {
			t.Errorf("authorization list by app: %+v", got)
		}

		cfg := a.config(fmt.Sprintf(`
data "apigateway_api_product" "test" {
  api_product_id = %q
}

data "apigateway_app_api_products" "test" {
  app_id = %q
}
`, product, appText))
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: a.factories(),
			Steps: []resource.TestStep{
				{
					Config: cfg,
					Check: resource.ComposeAggregateTestCheckFunc(
						resource.TestCheckResourceAttr("data.apigateway_api_product.test", "total_count", "2"),
						resource.TestCheckResourceAttr("data.apigateway_api_product.test", "authorized_apps.#", "2"),
						resource.TestCheckResourceAttr("data.apigateway_app_api_products.test", "api_product_ids.#", "1"),
						resource.TestCheckResourceAttr("data.apigateway_app_api_products.test", "api_product_ids.0", product),
					),
				},
				{
					// Deleted out of band (its grants first: a product with grants cannot be deleted).
					PreConfig: func() {
						ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
						defer cancel()
						for _, id := range []int64{app, other} {
							if err := a.client.RemoveAPIProductsAuthorities(ctx, id, []string{product}); err != nil {
								t.Fatal(err)
							}
						}
						if err := a.client.DeleteAPIProduct(ctx, product); err != nil {
							t.Fatal(err)
						}
					},
					Config: a.config(fmt.Sprintf(`
data "apigateway_app_api_products" "test" {
  app_id = %q
}
`, appText)),
					Check: resource.TestCheckResourceAttr("data.apigateway_app_api_products.test", "api_product_ids.#", "0"),
				},
				deletedProductStep(bh, cfg, product),
			},
		})

		for name, got := range map[string][]listed{
			"attachment list":    ps.list(ps.listConfig(product, ""), false, 100),
			"authorization list": l.list(l.config(product, ""), false, 100),
		} {
			notFound := len(got) == 1 && hasError(got[0].Diags, "API product not found")
			// A service that answers an unknown product as an empty one: nothing tells a deleted
			// product from an empty one, and an empty listing is the right answer.
			if empty := bh.UnknownProduct == model.UnknownProductEmpty && len(got) == 0; !notFound && !empty {
				t.Errorf("%s of a deleted product: %+v, want one \"API product not found\" error", name, got)
			}
		}
		if got := l.list(l.config("", appText), false, 100); len(got) != 0 {
			t.Errorf("authorization list by app after the product was deleted: %+v", got)
		}
	})
}

// waitPairsListed waits until the product's listing, as a fresh client reads it (the fixture client
// lays its own writes over listings), shows n pairs: under a visibility delay that takes a while.
func waitPairsListed(t *testing.T, a *accTarget, product string, n int) {
	t.Helper()
	cred, err := credentials.NewCredential(new(credentials.Config).SetType("access_key").
		SetAccessKeyId(emulator.DefaultAccessKeyID).SetAccessKeySecret(emulator.DefaultAccessKeySecret))
	if err != nil {
		t.Fatal(err)
	}
	c, err := cloudapi.New(cloudapi.Config{RegionID: a.region, Endpoint: a.endpoint, Protocol: "HTTP", Credential: cred, Retry: fastRetry})
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		apis, err := c.ListProductAPIs(ctx, product, cloudapi.Strict)
		cancel()
		if err == nil && len(apis) == n {
			return
		}
	}
	t.Fatalf("product %s never listed %d pairs", product, n)
}

// deletedProductStep reads a product deleted out of band: "API product not found", except from a
// service that answers an unknown product as an empty one, which reads as a product without APIs.
func deletedProductStep(bh model.Behaviour, cfg, product string) resource.TestStep {
	if bh.UnknownProduct == model.UnknownProductEmpty {
		return resource.TestStep{
			Config: cfg,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("data.apigateway_api_product.test", "total_count", "0"),
				resource.TestCheckResourceAttr("data.apigateway_api_product.test", "authorized_apps.#", "0"),
			),
		}
	}
	return resource.TestStep{Config: cfg, ExpectError: messageRegexp(fmt.Sprintf("API product %q does not exist", product))}
}
