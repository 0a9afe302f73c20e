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

func productDataConfig(productID string) string {
	return fmt.Sprintf(`
data "apigateway_api_product" "test" {
  api_product_id = %q
}
`, productID)
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
