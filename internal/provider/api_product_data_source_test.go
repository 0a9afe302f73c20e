package provider

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/cloudapi/terraform-provider-apigateway/internal/cloudapi"
)

const productDataAddr = "data.apigateway_api_product.test"

// dataConfig is a data source block of type typeName, named test, with one argument.
func dataConfig(typeName, attr, value string) string {
	return fmt.Sprintf("\ndata %q \"test\" {\n  %s = %q\n}\n", typeName, attr, value)
}

func productDataConfig(productID string) string {
	return dataConfig("apigateway_api_product", "api_product_id", productID)
}

// TestAccAPIProductDataSource_pagination: a product with more than one page (100) of APIs is read
// completely and in a stable order; an unknown product is a clear error.
func TestAccAPIProductDataSource_pagination(t *testing.T) {
	a := newAccTarget(t)
	const n = 120
	gid, gname := a.newGroup()
	product := a.newProductID()
	refs := make([]cloudapi.APIRef, 0, n)
	apis := make([]apiFixture, 0, n)
	for range n {
		f := a.newAPI(gid, gname)
		apis = append(apis, f)
		refs = append(refs, cloudapi.APIRef{APIID: f.APIID, StageName: "RELEASE"})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := a.client.AttachAPIProduct(ctx, product, refs); err != nil {
		t.Fatalf("attaching %d APIs: %v", n, err)
	}
	sort.Slice(apis, func(i, j int) bool { return apis[i].APIID < apis[j].APIID })
	missing := a.newProductID()

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: a.factories(),
		Steps: []resource.TestStep{
			{
				Config: a.config(productDataConfig(missing)),
				ExpectError: messageRegexp(fmt.Sprintf(`API product %q does not exist in region %s (endpoint %s).`,
					missing, a.region, a.client.Endpoint())),
			},
			{
				Config: a.config(productDataConfig(product)),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(productDataAddr, "id", product),
					resource.TestCheckResourceAttr(productDataAddr, "total_count", fmt.Sprint(n)),
					resource.TestCheckResourceAttr(productDataAddr, "apis.#", fmt.Sprint(n)),
					resource.TestCheckResourceAttr(productDataAddr, "apis.0.api_id", apis[0].APIID),
					resource.TestCheckResourceAttr(productDataAddr, "apis.0.api_name", apis[0].APIName),
					resource.TestCheckResourceAttr(productDataAddr, "apis.0.group_id", gid),
					resource.TestCheckResourceAttr(productDataAddr, "apis.0.group_name", gname),
					resource.TestCheckResourceAttr(productDataAddr, "apis.0.method", "GET"),
					resource.TestCheckResourceAttr(productDataAddr, "apis.0.path", apis[0].Path),
					resource.TestCheckResourceAttr(productDataAddr, "apis.0.stage_name", "RELEASE"),
					resource.TestCheckResourceAttr(productDataAddr, "apis.0.region_id", a.region),
					resource.TestCheckResourceAttr(productDataAddr, "apis.0.description", "terraform acceptance test fixture"),
					resource.TestCheckResourceAttr(productDataAddr, fmt.Sprintf("apis.%d.api_id", n-1), apis[n-1].APIID),
					resource.TestCheckResourceAttr(productDataAddr, "apis.100.api_id", apis[100].APIID),
				),
			},
		},
	})
}

func TestSortAPIInfos(t *testing.T) {
	t.Parallel()

	in := []cloudapi.APIInfo{
		{APIID: "b", StageName: "TEST"},
		{APIID: "a", StageName: "TEST"},
		{APIID: "b", StageName: "RELEASE"},
		{APIID: "a", StageName: "PRE"},
		{APIID: "a", StageName: "RELEASE"},
	}
	sortAPIInfos(in)
	var got []string
	for _, x := range in {
		got = append(got, x.APIID+":"+x.StageName)
	}
	want := "[a:RELEASE a:PRE a:TEST b:RELEASE b:TEST]"
	if fmt.Sprint(got) != want {
		t.Errorf("got %v, want %s", got, want)
	}
}

// TestAccAPIProductDataSource_authorizedApps: the data source lists the apps authorized on the
// product, granted in the same run by apigateway_api_product_authorization (so the read happens
// after the grants), with their terms, ordered by app id; an expired or revoked grant is not listed.
func TestAccAPIProductDataSource_authorizedApps(t *testing.T) {
	a := newAccTarget(t)
	product := a.newProduct()
	first, firstName := a.newApp()
	second, secondName := a.newApp()
	valid := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second).Format(authValidTimeLayout)
	cfg := a.config(fmt.Sprintf(`
resource "apigateway_api_product_authorization" "first" {
  api_product_id  = %[1]q
  app_id          = "%[2]d"
  auth_valid_time = %[4]q
  description     = "first app"
}

resource "apigateway_api_product_authorization" "second" {
  api_product_id = %[1]q
  app_id         = "%[3]d"
}

data "apigateway_api_product" "test" {
  api_product_id = %[1]q
  depends_on     = [apigateway_api_product_authorization.first, apigateway_api_product_authorization.second]
}
`, product, first, second, valid))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: a.factories(),
		CheckDestroy:             a.checkAuthorizationsDestroyed,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(productDataAddr, "authorized_apps.#", "2"),
					resource.TestCheckResourceAttr(productDataAddr, "authorized_apps.0.app_id", fmt.Sprint(first)),
					resource.TestCheckResourceAttr(productDataAddr, "authorized_apps.0.app_name", firstName),
					resource.TestCheckResourceAttr(productDataAddr, "authorized_apps.0.auth_valid_time", valid),
					resource.TestCheckResourceAttr(productDataAddr, "authorized_apps.0.description", "first app"),
					resource.TestCheckResourceAttrSet(productDataAddr, "authorized_apps.0.authorized_time"),
					resource.TestCheckResourceAttr(productDataAddr, "authorized_apps.1.app_id", fmt.Sprint(second)),
					resource.TestCheckResourceAttr(productDataAddr, "authorized_apps.1.app_name", secondName),
					resource.TestCheckNoResourceAttr(productDataAddr, "authorized_apps.1.auth_valid_time"),
					resource.TestCheckNoResourceAttr(productDataAddr, "authorized_apps.1.description"),
					resource.TestCheckResourceAttr(productDataAddr, "total_count", "1"),
				),
			},
			{
				PreConfig: func() {
					if err := a.client.RemoveAPIProductsAuthorities(context.Background(), second, []string{product}); err != nil {
						t.Fatal(err)
					}
				},
				// The data source is read at plan time, after the out-of-band revoke and before
				// Terraform revokes (again) the authorization that left the configuration.
				Config: a.config(fmt.Sprintf(`
resource "apigateway_api_product_authorization" "first" {
  api_product_id  = %[1]q
  app_id          = "%[2]d"
  auth_valid_time = %[3]q
  description     = "first app"
}
`, product, first, valid) + productDataConfig(product)),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(productDataAddr, "authorized_apps.#", "1"),
					resource.TestCheckResourceAttr(productDataAddr, "authorized_apps.0.app_id", fmt.Sprint(first)),
				),
			},
		},
	})
}

// TestAuthorizedAppModels: ordering by app id as a number, and expired grants left out.
func TestAuthorizedAppModels(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	got := authorizedAppModels([]cloudapi.AuthorizedApp{
		{AppID: 100, AuthValidTime: "2031-01-01T00:00:00Z"},
		{AppID: 9, AuthValidTime: ""},
		{AppID: 50, AuthValidTime: "2029-12-31T23:59:59Z"},
	}, now)
	if len(got) != 2 || got[0].AppID.ValueString() != "9" || got[1].AppID.ValueString() != "100" || !got[0].AuthValidTime.IsNull() {
		t.Fatalf("authorizedAppModels = %+v", got)
	}
}
