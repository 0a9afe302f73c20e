package provider

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
	"github.com/zclconf/go-cty/cty"

	"github.com/cloudapi/terraform-provider-apigateway/internal/cloudapi"
	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator"
)

// seededAPI is an API created directly in the emulator for list tests.
type seededAPI struct{ ID, Name, Path string }

// seedAttachedAPIs creates n APIs in one group (directly in the emulator, no requests) and attaches
// each in stages through the client, which splits the pairs into calls of 100.
func (a *accTarget) seedAttachedAPIs(productID string, n int, stages ...string) (groupID, groupName string, apis []seededAPI) {
	a.t.Helper()
	groupName = fixturePrefix + randomSuffix()
	groupID, err := a.srv.SeedGroup(a.account, a.region, groupName)
	if err != nil {
		a.t.Fatal(err)
	}
	var refs []cloudapi.APIRef
	for i := range n {
		api := seededAPI{Name: fmt.Sprintf("list_api_%04d", i), Path: fmt.Sprintf("/list/%04d", i)}
		api.ID, err = a.srv.SeedAPI(a.account, a.region, emulator.APISpec{GroupID: groupID, Name: api.Name, Method: "POST", Path: api.Path})
		if err != nil {
			a.t.Fatal(err)
		}
		apis = append(apis, api)
		for _, s := range stages {
			refs = append(refs, cloudapi.APIRef{APIID: api.ID, StageName: s})
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := a.client.AttachAPIProduct(ctx, productID, refs); err != nil {
		a.t.Fatal(err)
	}
	return groupID, groupName, apis
}

// TestListResource_results: every (API, stage) pair of the product, in a stable order (api_id, then
// RELEASE, PRE, TEST), each with its identity and display name; the resource object only when
// asked for, with what Read would store; stage_name filters.
func TestListResource_results(t *testing.T) {
	emulatorOnly(t)
	t.Parallel()
	a := newAccTarget(t)
	product := a.newProductID()
	groupID, groupName, apis := a.seedAttachedAPIs(product, 3, "TEST", "RELEASE")
	p := a.newProtoServer()
	p.configure(a)

	sorted := slices.Clone(apis)
	slices.SortFunc(sorted, func(x, y seededAPI) int { return strings.Compare(x.ID, y.ID) })
	var want []map[string]string
	for _, api := range sorted {
		for _, s := range []string{"RELEASE", "TEST"} {
			want = append(want, map[string]string{"api_product_id": product, "api_id": api.ID, "stage_name": s})
		}
	}

	got := p.list(p.listConfig(product, ""), false, 100)
	if len(got) != len(want) {
		t.Fatalf("got %d results, want %d: %+v", len(got), len(want), got)
	}
	for i, r := range got {
		if len(r.Diags) > 0 {
			t.Errorf("result %d: unexpected diagnostics: %s", i, protoDiagText(r.Diags))
		}
		if !maps.Equal(r.Identity, want[i]) {
			t.Errorf("result %d: identity %v, want %v", i, r.Identity, want[i])
		}
		if r.Resource != nil {
			t.Errorf("result %d: resource object %v sent although include_resource was false", i, r.Resource)
		}
		api := sorted[i/2]
		if wantName := fmt.Sprintf("%s (%s) in %s", api.Name, api.ID, want[i]["stage_name"]); r.DisplayName != wantName {
			t.Errorf("result %d: display name %q, want %q", i, r.DisplayName, wantName)
		}
	}

	withResource := p.list(p.listConfig(product, "TEST"), true, 100)
	if len(withResource) != len(apis) {
		t.Fatalf("stage_name = TEST: got %d results, want %d", len(withResource), len(apis))
	}
	for i, r := range withResource {
		api := sorted[i]
		id := attachmentID{ProductID: product, APIID: api.ID, StageName: "TEST"}
		wantRes := map[string]string{
			"id": id.String(), "api_product_id": product, "api_id": api.ID, "stage_name": "TEST",
			"api_name": api.Name, "group_id": groupID, "group_name": groupName, "method": "POST", "path": api.Path,
		}
		if !maps.Equal(r.Resource, wantRes) {
			t.Errorf("result %d: resource %v, want %v", i, r.Resource, wantRes)
		}
		if r.Identity["stage_name"] != "TEST" {
			t.Errorf("result %d: identity %v outside the stage_name filter", i, r.Identity)
		}
	}

	if got := p.list(p.listConfig(product, "PRE"), false, 100); len(got) != 0 {
		t.Errorf("stage_name = PRE (nothing attached there): got %d results, want none: %+v", len(got), got)
	}
}

// TestListResource_pagesAndLimit: a product of 260 pairs takes three DescribeApiProductApis pages of
// 100; every pair is listed exactly once, and Terraform's limit is honoured.
func TestListResource_pagesAndLimit(t *testing.T) {
	emulatorOnly(t)
	t.Parallel()
	a := newAccTarget(t, emulator.WithMaxPageSize(100))
	product := a.newProductID()
	_, _, apis := a.seedAttachedAPIs(product, 130, "RELEASE", "PRE")
	p := a.newProtoServer()
	p.configure(a)

	before := a.srv.RequestCount("DescribeApiProductApis", "OK")
	got := p.list(p.listConfig(product, ""), false, 1000)
	if pages := a.srv.RequestCount("DescribeApiProductApis", "OK") - before; pages != 3 {
		t.Errorf("listing 260 pairs took %d DescribeApiProductApis pages, want 3", pages)
	}
	if len(got) != 2*len(apis) {
		t.Fatalf("got %d results, want %d", len(got), 2*len(apis))
	}
	seen := map[string]bool{}
	for _, r := range got {
		key := r.Identity["api_id"] + "/" + r.Identity["stage_name"]
		if seen[key] {
			t.Errorf("pair %s listed twice", key)
		}
		seen[key] = true
	}
	for _, api := range apis {
		for _, s := range []string{"RELEASE", "PRE"} {
			if !seen[api.ID+"/"+s] {
				t.Errorf("pair %s/%s missing from the results", api.ID, s)
			}
		}
	}

	if limited := p.list(p.listConfig(product, ""), false, 120); len(limited) != 120 {
		t.Errorf("limit 120: got %d results", len(limited))
	} else if !maps.Equal(limited[119].Identity, got[119].Identity) {
		t.Errorf("limit 120: the last result %v is not the 120th of the full listing %v", limited[119].Identity, got[119].Identity)
	}
}

// TestListResource_errors: an unknown product is an error naming the product; bad filter values
// are rejected by validation and, should a client skip it, by List itself before any request; an
// unconfigured provider says so.
func TestListResource_errors(t *testing.T) {
	emulatorOnly(t)
	t.Parallel()
	a := newAccTarget(t)
	p := a.newProtoServer()

	unconfigured := p.list(p.listConfig("p1", ""), false, 100)
	if len(unconfigured) != 1 || !hasError(unconfigured[0].Diags, "Provider not configured") {
		t.Errorf("list before ConfigureProvider: got %+v, want one \"Provider not configured\" error", unconfigured)
	}

	p.configure(a)
	missing := p.list(p.listConfig("no_such_product", ""), true, 100)
	if len(missing) != 1 || !hasError(missing[0].Diags, "API product not found") ||
		!strings.Contains(missing[0].Diags[0].Detail, `"no_such_product"`) || missing[0].Identity != nil {
		t.Errorf("unknown product: got %+v, want one \"API product not found\" error naming it and no identity", missing)
	}

	requestsBefore := a.srv.RequestCount("", "")
	for _, tc := range []struct {
		product, stage, summary, detail string
	}{
		{"a:b", "", "Invalid identifier", `contains ":"`},
		{" p1", "", "Invalid identifier", "contains whitespace"},
		{"", "", "Invalid identifier", "is empty"},
		{"p1", "release", "Invalid stage name", `did you mean "RELEASE"?`},
		{"p1", "PROD", "Invalid stage name", `"RELEASE", "PRE", "TEST"`},
	} {
		cfg := p.listConfig(tc.product, tc.stage)
		diags := p.validateList(cfg)
		if !hasError(diags, tc.summary) || !strings.Contains(protoDiagText(diags), tc.detail) {
			t.Errorf("validate api_product_id=%q stage_name=%q: got %q, want %q mentioning %q", tc.product, tc.stage, protoDiagText(diags), tc.summary, tc.detail)
		}
		res := p.list(cfg, false, 100)
		if len(res) != 1 || !hasError(res[0].Diags, tc.summary) {
			t.Errorf("list api_product_id=%q stage_name=%q: got %+v, want one %q error", tc.product, tc.stage, res, tc.summary)
		}
	}
	if n := a.srv.RequestCount("", "") - requestsBefore; n != 0 {
		t.Errorf("bad filter values sent %d requests to the emulator, want none", n)
	}
	if diags := p.validateList(p.listConfig("p1", "PRE")); len(diags) != 0 {
		t.Errorf("valid config: unexpected diagnostics %s", protoDiagText(diags))
	}
}

func hasError(diags []*tfprotov6.Diagnostic, summary string) bool {
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError && d.Summary == summary {
			return true
		}
	}
	return false
}

// TestAccAPIProductAttachment_query runs `terraform query` with the documented example
// (examples/list-resources/...) (Terraform 1.14+; skipped, visibly, by older CLIs and by OpenTofu,
// which has no query command) against attachments made by Terraform and one made outside it.
func TestAccAPIProductAttachment_query(t *testing.T) {
	a := newAccTarget(t)
	api := a.newDeployedAPI("RELEASE", "PRE")
	other := a.newAPI(api.GroupID, api.GroupName, "RELEASE")
	product := a.newProductID()
	cfg := a.config(fmt.Sprintf(`
resource "apigateway_api_product_attachment" "release" {
  api_product_id = %[1]q
  api_id         = %[2]q
  stage_name     = "RELEASE"
}

resource "apigateway_api_product_attachment" "pre" {
  api_product_id = %[1]q
  api_id         = %[2]q
  stage_name     = "PRE"
}
`, product, api.APIID))

	identity := func(apiID, stage string) map[string]knownvalue.Check {
		return map[string]knownvalue.Check{
			"api_product_id": knownvalue.StringExact(product),
			"api_id":         knownvalue.StringExact(apiID),
			"stage_name":     knownvalue.StringExact(stage),
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
		ProtoV6ProviderFactories: a.factories(),
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				// An attachment made outside Terraform: the query must find it too.
				PreConfig: func() {
					ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
					defer cancel()
					if err := a.client.AttachAPIProduct(ctx, product, []cloudapi.APIRef{{APIID: other.APIID, StageName: "RELEASE"}}); err != nil {
						t.Fatal(err)
					}
				},
				// The documented example itself, for this product. plugin-testing runs the query next
				// to the previous step's configuration, whose provider block configures the provider:
				// the query file must not repeat it.
				Query:  true,
				Config: strings.ReplaceAll(exampleQuery(t), exampleProductID, product),
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("apigateway_api_product_attachment.product", 3),
					querycheck.ExpectLength("apigateway_api_product_attachment.release", 2),
					querycheck.ExpectIdentity("apigateway_api_product_attachment.product", identity(api.APIID, "RELEASE")),
					querycheck.ExpectIdentity("apigateway_api_product_attachment.product", identity(api.APIID, "PRE")),
					querycheck.ExpectIdentity("apigateway_api_product_attachment.product", identity(other.APIID, "RELEASE")),
					querycheck.ExpectIdentity("apigateway_api_product_attachment.release", identity(other.APIID, "RELEASE")),
					querycheck.ExpectResourceKnownValues("apigateway_api_product_attachment.product",
						queryfilter.ByResourceIdentity(identity(other.APIID, "RELEASE")),
						[]querycheck.KnownValueCheck{
							{Path: tfjsonpath.New("api_name"), KnownValue: knownvalue.StringExact(other.APIName)},
							{Path: tfjsonpath.New("path"), KnownValue: knownvalue.StringExact(other.Path)},
						}),
					querycheck.ExpectResourceDisplayName("apigateway_api_product_attachment.product",
						queryfilter.ByResourceIdentity(identity(other.APIID, "RELEASE")),
						knownvalue.StringRegexp(regexp.MustCompile(regexp.QuoteMeta(other.APIName)+` \(`+other.APIID+`\) in RELEASE`))),
				},
			},
			{
				// Detach the attachment made outside Terraform, and destroy the rest, by config.
				PreConfig: func() {
					ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
					defer cancel()
					if err := a.client.DetachAPIProduct(ctx, product, []cloudapi.APIRef{{APIID: other.APIID, StageName: "RELEASE"}}); err != nil {
						t.Fatal(err)
					}
				},
				Config: a.config(""),
			},
		},
	})
}

// exampleListResource is the documented list block example; exampleProductID is the product id it
// uses, replaced by tests.
const (
	exampleListResource = "list-resources/apigateway_api_product_attachment/list-resource.tfquery.hcl"
	exampleProductID    = "117b7a64a8b3f064eaa4a47ac62aac5e"
)

func exampleQuery(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "examples", exampleListResource))
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// TestListResourceExampleMatchesSchema checks the documented .tfquery.hcl examples against the list
// resources' schemas on every CLI, since neither terraform 1.11 nor OpenTofu can validate query
// files: each list block names its list resource and the provider, and its config block has the
// required attributes, no unknown ones, and values the validators accept.
func TestListResourceExampleMatchesSchema(t *testing.T) {
	a := newAccTarget(t)
	p := a.newProtoServer()
	for _, tc := range []struct {
		typeName string
		// check validates the literal config values of one list block.
		check func(values map[string]string) []string
	}{
		{resourceType, func(values map[string]string) (problems []string) {
			if problem := identifierProblem(values["api_product_id"]); problem != "" {
				problems = append(problems, "api_product_id "+problem)
			}
			if stage, ok := values["stage_name"]; ok && stageProblem(stage) != "" {
				problems = append(problems, "stage_name "+stageProblem(stage))
			}
			return problems
		}},
		{authorizationType, func(values map[string]string) (problems []string) {
			product, hasProduct := values["api_product_id"]
			app, hasApp := values["app_id"]
			if !hasProduct && !hasApp {
				problems = append(problems, authorizationListNeedsFilter)
			}
			if hasProduct && identifierProblem(product) != "" {
				problems = append(problems, "api_product_id "+identifierProblem(product))
			}
			if hasApp && appIDProblem(app) != "" {
				problems = append(problems, "app_id "+appIDProblem(app))
			}
			return problems
		}},
	} {
		t.Run(tc.typeName, func(t *testing.T) {
			file := filepath.Join("list-resources", tc.typeName, "list-resource.tfquery.hcl")
			raw, err := os.ReadFile(filepath.Join("..", "..", "examples", file))
			if err != nil {
				t.Fatal(err)
			}
			attrs := map[string]*tfprotov6.SchemaAttribute{}
			for _, at := range p.schema.ListResourceSchemas[tc.typeName].Block.Attributes {
				attrs[at.Name] = at
			}
			parsed, diags := hclparse.NewParser().ParseHCL(raw, file)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			content, diags := parsed.Body.Content(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "list", LabelNames: []string{"type", "name"}}}})
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			if len(content.Blocks) == 0 {
				t.Fatal("the example has no list block")
			}
			for _, b := range content.Blocks {
				if b.Labels[0] != tc.typeName {
					t.Errorf("list %q %q: not %s", b.Labels[0], b.Labels[1], tc.typeName)
				}
				inner, diags := b.Body.Content(&hcl.BodySchema{
					Attributes: []hcl.AttributeSchema{{Name: "provider", Required: true}, {Name: "include_resource"}, {Name: "limit"}},
					Blocks:     []hcl.BlockHeaderSchema{{Type: "config"}},
				})
				if diags.HasErrors() {
					t.Errorf("list %q: %s", b.Labels[1], diags.Error())
					continue
				}
				if len(inner.Blocks) != 1 {
					t.Errorf("list %q: %d config blocks, want 1", b.Labels[1], len(inner.Blocks))
					continue
				}
				cfg, diags := inner.Blocks[0].Body.JustAttributes()
				if diags.HasErrors() {
					t.Errorf("list %q config: %s", b.Labels[1], diags.Error())
					continue
				}
				for name, at := range attrs {
					if _, ok := cfg[name]; at.Required && !ok {
						t.Errorf("list %q config: required attribute %s missing", b.Labels[1], name)
					}
				}
				values := map[string]string{}
				for name, at := range cfg {
					if attrs[name] == nil {
						t.Errorf("list %q config: unknown attribute %s", b.Labels[1], name)
						continue
					}
					v, diags := at.Expr.Value(nil)
					if diags.HasErrors() || !v.Type().Equals(cty.String) {
						t.Errorf("list %q config: %s is not a literal string", b.Labels[1], name)
						continue
					}
					values[name] = v.AsString()
				}
				for _, problem := range tc.check(values) {
					t.Errorf("list %q config: %s", b.Labels[1], problem)
				}
			}
		})
	}
}
