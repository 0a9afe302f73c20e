package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/cloudapi/terraform-provider-apigateway/internal/cloudapi"
	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator"
)

const authorizationType = "apigateway_api_product_authorization"

// authorizationLister drives the authorization list resource through the protocol server.
type authorizationLister struct {
	p        *protoServer
	identity tftypes.Type
}

func (a *accTarget) newAuthorizationLister() *authorizationLister {
	a.t.Helper()
	p := a.newProtoServer()
	ids, err := p.srv.GetResourceIdentitySchemas(context.Background(), &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil {
		a.t.Fatal(err)
	}
	if ids.IdentitySchemas[authorizationType] == nil || p.schema.ListResourceSchemas[authorizationType] == nil {
		a.t.Fatalf("%s has no identity schema or no list resource", authorizationType)
	}
	return &authorizationLister{p: p, identity: ids.IdentitySchemas[authorizationType].ValueType()}
}

// config is a list block's config; "" leaves an attribute null.
func (l *authorizationLister) config(productID, appID string) *tfprotov6.DynamicValue {
	typ := l.p.schema.ListResourceSchemas[authorizationType].ValueType().(tftypes.Object)
	vals := map[string]tftypes.Value{}
	if productID != "" {
		vals["api_product_id"] = tftypes.NewValue(tftypes.String, productID)
	}
	if appID != "" {
		vals["app_id"] = tftypes.NewValue(tftypes.String, appID)
	}
	return dynamicValue(l.p.t, typ, objectValue(typ, vals))
}

func (l *authorizationLister) list(config *tfprotov6.DynamicValue, includeResource bool, limit int64) []listed {
	t := l.p.t
	t.Helper()
	stream, err := l.p.srv.ListResource(context.Background(), &tfprotov6.ListResourceRequest{
		TypeName: authorizationType, Config: config, IncludeResource: includeResource, Limit: limit,
	})
	if err != nil {
		t.Fatal(err)
	}
	var out []listed
	for r := range stream.Results {
		e := listed{DisplayName: r.DisplayName, Diags: r.Diagnostics}
		if r.Identity != nil && r.Identity.IdentityData != nil {
			e.Identity = stringAttrs(t, l.identity, r.Identity.IdentityData)
		}
		if r.Resource != nil {
			e.Resource = stringAttrs(t, l.p.schema.ResourceSchemas[authorizationType].ValueType(), r.Resource)
		}
		out = append(out, e)
	}
	return out
}

func (l *authorizationLister) validate(config *tfprotov6.DynamicValue) []*tfprotov6.Diagnostic {
	resp, err := l.p.srv.ValidateListResourceConfig(context.Background(), &tfprotov6.ValidateListResourceConfigRequest{TypeName: authorizationType, Config: config})
	if err != nil {
		l.p.t.Fatal(err)
	}
	return resp.Diagnostics
}

// grantApps authorizes apps on the product outside Terraform, with terms.
func (a *accTarget) grantApps(product string, terms cloudapi.GrantTerms, apps ...int64) {
	a.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := a.client.SetAppsAuthToAPIProduct(ctx, product, apps, terms); err != nil {
		a.t.Fatal(err)
	}
}

func identities(rs []listed) []string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		out = append(out, r.Identity["api_product_id"]+":"+r.Identity["app_id"])
	}
	return out
}

// TestAuthorizationListResource_results: by product (apps in app id order), by app (products in id
// order), by both (the one grant); identities always, the resource object (what Read would store)
// only when asked for; the limit honoured.
func TestAuthorizationListResource_results(t *testing.T) {
	emulatorOnly(t)
	t.Parallel()
	a := newAccTarget(t)
	p1, p2 := a.newProduct(), a.newProduct()
	var apps []int64
	names := map[int64]string{}
	for range 3 {
		id, name := a.newApp()
		apps = append(apps, id)
		names[id] = name
	}
	later := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second).Format(time.RFC3339)
	a.grantApps(p1, cloudapi.GrantTerms{}, apps[2], apps[0])
	a.grantApps(p1, cloudapi.GrantTerms{AuthValidTime: later, Description: "listed"}, apps[1])
	a.grantApps(p2, cloudapi.GrantTerms{}, apps[1])
	l := a.newAuthorizationLister()
	l.p.configure(a)

	key := func(p string, app int64) string { return p + ":" + strconv.FormatInt(app, 10) }
	byProduct := l.list(l.config(p1, ""), false, 100)
	if want := []string{key(p1, apps[0]), key(p1, apps[1]), key(p1, apps[2])}; !slices.Equal(identities(byProduct), want) {
		t.Errorf("by product: %v, want %v", identities(byProduct), want)
	}
	for _, r := range byProduct {
		if r.Resource != nil || len(r.Diags) != 0 {
			t.Errorf("without include_resource: resource %v, diagnostics %s", r.Resource, protoDiagText(r.Diags))
		}
	}
	full := l.list(l.config(p1, ""), true, 100)
	want := map[string]string{
		"id": key(p1, apps[1]), "api_product_id": p1, "app_id": strconv.FormatInt(apps[1], 10),
		"auth_valid_time": later, "description": "listed", "app_name": names[apps[1]],
	}
	got := full[1].Resource
	delete(got, "authorized_time")
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("resource object:\n got %v\nwant %v", got, want)
	}
	if full[0].Resource["description"] != "" || full[0].Resource["auth_valid_time"] != "" {
		t.Errorf("a grant without terms has terms in its result: %v", full[0].Resource)
	}
	if wantName := fmt.Sprintf("%s (%d) on %s", names[apps[1]], apps[1], p1); full[1].DisplayName != wantName {
		t.Errorf("display name %q, want %q", full[1].DisplayName, wantName)
	}

	byApp := l.list(l.config("", strconv.FormatInt(apps[1], 10)), true, 100)
	wantApp := []string{key(p1, apps[1]), key(p2, apps[1])}
	if p2 < p1 {
		wantApp = []string{key(p2, apps[1]), key(p1, apps[1])}
	}
	if !slices.Equal(identities(byApp), wantApp) {
		t.Errorf("by app: %v, want %v", identities(byApp), wantApp)
	}
	for _, r := range byApp {
		if r.Identity["api_product_id"] == p1 && r.Resource["description"] != "listed" {
			t.Errorf("by app, full: the grant on %s lacks its terms: %v", p1, r.Resource)
		}
	}
	if ids := identities(l.list(l.config("", strconv.FormatInt(apps[1], 10)), false, 100)); !slices.Equal(ids, wantApp) {
		t.Errorf("by app, identities only: %v", ids)
	}

	both := l.list(l.config(p2, strconv.FormatInt(apps[0], 10)), false, 100)
	if len(both) != 0 {
		t.Errorf("app %d is not authorized on %s, yet listed: %v", apps[0], p2, identities(both))
	}
	if ids := identities(l.list(l.config(p1, strconv.FormatInt(apps[2], 10)), false, 100)); !slices.Equal(ids, []string{key(p1, apps[2])}) {
		t.Errorf("product and app: %v", ids)
	}
	if limited := l.list(l.config(p1, ""), false, 2); !slices.Equal(identities(limited), identities(byProduct)[:2]) {
		t.Errorf("limit 2: %v", identities(limited))
	}
}

// TestAuthorizationListResource_pages: 130 apps on one product take two DescribeAppsByApiProduct
// pages; each is listed once.
func TestAuthorizationListResource_pages(t *testing.T) {
	emulatorOnly(t)
	t.Parallel()
	a := newAccTarget(t, emulator.WithMaxPageSize(100))
	product := a.newProduct()
	var apps []int64
	for i := range 130 {
		id, err := a.srv.SeedApp(a.account, a.region, fmt.Sprintf("list_app_%04d", i))
		if err != nil {
			t.Fatal(err)
		}
		apps = append(apps, id)
	}
	a.grantApps(product, cloudapi.GrantTerms{}, apps...)
	l := a.newAuthorizationLister()
	l.p.configure(a)
	got := l.list(l.config(product, ""), false, 1000)
	seen := map[string]bool{}
	for _, r := range got {
		seen[r.Identity["app_id"]] = true
	}
	if len(got) != len(apps) || len(seen) != len(apps) {
		t.Errorf("got %d results (%d distinct), want %d", len(got), len(seen), len(apps))
	}
}

// TestAuthorizationListResource_errors: a filter is required; an unknown product or app is an error
// naming it; malformed ids are refused by validation and, should a client skip it, by List before
// any request.
func TestAuthorizationListResource_errors(t *testing.T) {
	emulatorOnly(t)
	t.Parallel()
	a := newAccTarget(t)
	l := a.newAuthorizationLister()
	if r := l.list(l.config("p1", ""), false, 100); len(r) != 1 || !hasError(r[0].Diags, "Provider not configured") {
		t.Errorf("unconfigured: %+v", r)
	}
	l.p.configure(a)

	if r := l.list(l.config("no_such_product", ""), false, 100); len(r) != 1 || !hasError(r[0].Diags, "API product not found") ||
		!strings.Contains(r[0].Diags[0].Detail, `"no_such_product"`) {
		t.Errorf("unknown product: %+v", r)
	}
	if r := l.list(l.config("", "987654321"), false, 100); len(r) != 1 || !hasError(r[0].Diags, "App not found") ||
		!strings.Contains(r[0].Diags[0].Detail, "987654321") {
		t.Errorf("unknown app: %+v", r)
	}

	before := a.srv.RequestCount("", "")
	for _, tc := range []struct{ product, app, summary string }{
		{"", "", "Missing filter"},
		{"a:b", "", "Invalid identifier"},
		{"", "x1", "Invalid app id"},
		{"p1", "0", "Invalid app id"},
	} {
		cfg := l.config(tc.product, tc.app)
		if d := l.validate(cfg); !hasError(d, tc.summary) {
			t.Errorf("validate product=%q app=%q: %s, want %q", tc.product, tc.app, protoDiagText(d), tc.summary)
		}
		if r := l.list(cfg, false, 100); len(r) != 1 || !hasError(r[0].Diags, tc.summary) {
			t.Errorf("list product=%q app=%q: %+v, want %q", tc.product, tc.app, r, tc.summary)
		}
	}
	if n := a.srv.RequestCount("", "") - before; n != 0 {
		t.Errorf("bad filters sent %d requests", n)
	}
	if d := l.validate(l.config("p1", "")); len(d) != 0 {
		t.Errorf("valid config: %s", protoDiagText(d))
	}
}

// exampleAuthorizationQuery is the documented .tfquery.hcl of the authorization list resource, with
// its placeholder ids replaced.
func exampleAuthorizationQuery(t *testing.T, product string, app int64) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "examples", "list-resources", authorizationType, "list-resource.tfquery.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.NewReplacer(exampleProductID, product, "110982419", strconv.FormatInt(app, 10)).Replace(string(raw))
}

// TestAccAPIProductAuthorization_query runs `terraform query` with the documented example
// (Terraform 1.14+; skipped, visibly, by older CLIs and by OpenTofu, which has no query command)
// against an authorization made by Terraform and one made outside it.
func TestAccAPIProductAuthorization_query(t *testing.T) {
	a := newAccTarget(t)
	product := a.newProduct()
	app, appName := a.newApp()
	other, _ := a.newApp()
	appText, otherText := strconv.FormatInt(app, 10), strconv.FormatInt(other, 10)
	identity := func(appID string) map[string]knownvalue.Check {
		return map[string]knownvalue.Check{"api_product_id": knownvalue.StringExact(product), "app_id": knownvalue.StringExact(appID)}
	}
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
		ProtoV6ProviderFactories: a.factories(),
		CheckDestroy:             a.checkAuthorizationsDestroyed,
		Steps: []resource.TestStep{
			{Config: a.config(authorizationConfig(product, app, `  description = "by terraform"`))},
			{
				PreConfig: func() { a.grantApps(product, cloudapi.GrantTerms{Description: "by hand"}, other) },
				Query:     true,
				Config:    exampleAuthorizationQuery(t, product, app),
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("apigateway_api_product_authorization.product", 2),
					querycheck.ExpectIdentity("apigateway_api_product_authorization.product", identity(appText)),
					querycheck.ExpectIdentity("apigateway_api_product_authorization.product", identity(otherText)),
					querycheck.ExpectLength("apigateway_api_product_authorization.app", 1),
					querycheck.ExpectIdentity("apigateway_api_product_authorization.app", identity(appText)),
					querycheck.ExpectResourceKnownValues("apigateway_api_product_authorization.product",
						queryfilter.ByResourceIdentity(identity(otherText)),
						[]querycheck.KnownValueCheck{{Path: tfjsonpath.New("description"), KnownValue: knownvalue.StringExact("by hand")}}),
					querycheck.ExpectResourceDisplayName("apigateway_api_product_authorization.product",
						queryfilter.ByResourceIdentity(identity(appText)),
						knownvalue.StringRegexp(regexp.MustCompile(regexp.QuoteMeta(appName)+` \(`+appText+`\) on `+product))),
				},
			},
			{
				PreConfig: func() {
					ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
					defer cancel()
					if err := a.client.RemoveAPIProductsAuthorities(ctx, other, []string{product}); err != nil {
						t.Fatal(err)
					}
				},
				Config: a.config(""),
			},
		},
	})
}

// TestAuthorizationListResource_limitByApp: listing an app's authorizations with full objects reads
// the grants of the first limit products only.
func TestAuthorizationListResource_limitByApp(t *testing.T) {
	emulatorOnly(t)
	t.Parallel()
	a := newAccTarget(t)
	app, _ := a.newApp()
	for range 4 {
		a.grantApps(a.newProduct(), cloudapi.GrantTerms{}, app)
	}
	l := a.newAuthorizationLister()
	l.p.configure(a)
	before := a.srv.RequestCount("DescribeAppsByApiProduct", "")
	got := l.list(l.config("", strconv.FormatInt(app, 10)), true, 2)
	if len(got) != 2 || got[0].Resource == nil || got[1].Resource == nil {
		t.Fatalf("limit 2, full: %+v", got)
	}
	if n := a.srv.RequestCount("DescribeAppsByApiProduct", "") - before; n != 2 {
		t.Errorf("limit 2 read %d products' apps, want 2", n)
	}
}
