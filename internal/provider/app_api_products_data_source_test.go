package provider

import (
	"fmt"
	"sort"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

func appProductsConfig(app string) string {
	return dataConfig("apigateway_app_api_products", "app_id", app)
}

// TestAccAppAPIProductsDataSource_basic: the products an app is authorized on, sorted; an app with
// none; an unknown app and a malformed id are clear errors.
func TestAccAppAPIProductsDataSource_basic(t *testing.T) {
	a := newAccTarget(t)
	p1, p2 := a.newProduct(), a.newProduct()
	app, _ := a.newApp()
	lonely, _ := a.newApp()
	want := []string{p1, p2}
	sort.Strings(want)
	const addr = "data.apigateway_app_api_products.test"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: a.factories(),
		CheckDestroy:             a.checkAuthorizationsDestroyed,
		Steps: []resource.TestStep{
			// Errors first: the final destroy runs with the last step's configuration.
			{
				Config:      a.config(appProductsConfig("999999999")),
				PlanOnly:    true,
				ExpectError: messageRegexp(fmt.Sprintf("App 999999999 does not exist in region %s", a.region)),
			},
			{
				Config:      a.config(appProductsConfig("my-app")),
				PlanOnly:    true,
				ExpectError: messageRegexp(`Attribute app_id must be the decimal digits of an app id`),
			},
			{
				Config: a.config(fmt.Sprintf(`
resource "apigateway_api_product_authorization" "p1" {
  api_product_id = %[1]q
  app_id         = "%[3]d"
}

resource "apigateway_api_product_authorization" "p2" {
  api_product_id = %[2]q
  app_id         = "%[3]d"
}
`, p1, p2, app) + fmt.Sprintf(`
data "apigateway_app_api_products" "test" {
  app_id     = "%d"
  depends_on = [apigateway_api_product_authorization.p1, apigateway_api_product_authorization.p2]
}
`, app)),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(addr, "total_count", "2"),
					resource.TestCheckResourceAttr(addr, "api_product_ids.0", want[0]),
					resource.TestCheckResourceAttr(addr, "api_product_ids.1", want[1]),
				),
			},
			{
				Config: a.config(appProductsConfig(fmt.Sprint(lonely))),
				Check:  resource.TestCheckResourceAttr(addr, "total_count", "0"),
			},
		},
	})
}
