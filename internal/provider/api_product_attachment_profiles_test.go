package provider

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/cloudapi/terraform-provider-apigateway/internal/cloudapi"
	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator"
	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator/model"
)

// profileDelay is the visibility delay of the delay profiles. Tests that use these profiles run the
// emulator on a testClock and let the delay pass with Advance, so its length costs no time.
const profileDelay = 2 * time.Second

// behaviourProfiles are the readings of the undocumented service (model.Behaviour) the provider
// must be correct under, one per plausible answer.
var behaviourProfiles = []struct {
	name string
	bh   model.Behaviour
}{
	{"default", model.Behaviour{}},
	{"unknown_product_empty", model.Behaviour{UnknownProduct: model.UnknownProductEmpty}},
	{"unknown_product_other_code", model.Behaviour{UnknownProduct: model.UnknownProductOtherCode}},
	{"refuse_detach_unattached", model.Behaviour{RefuseDetachUnattached: true}},
	{"refuse_duplicate_attach", model.Behaviour{RefuseDuplicateAttach: true}},
	{"attach_visibility_delay", model.Behaviour{AttachVisibilityDelay: profileDelay}},
	{"detach_visibility_delay", model.Behaviour{DetachVisibilityDelay: profileDelay}},
	{"page_size_capped_at_50", model.Behaviour{CapPageSize: 50}},
	{"page_size_over_50_refused", model.Behaviour{RefusePageSizeAbove: 50}},
	{"concurrency_lock_timeout", model.Behaviour{LockTimeoutEvery: 3}},
	{"proxy_not_found", model.Behaviour{ProxyNotFoundEvery: 4}},
}

// profilesEnv selects the profiles of the Terraform-CLI matrices (the Test*_profiles tests that run
// terraform): "all" (`make test-profiles`, which CI runs), or a comma-separated list of names.
// Unset (`make test`), they run under quickProfiles only, to keep the README's test command quick;
// the protocol-level matrices always run every profile.
const profilesEnv = "APIGATEWAY_ACC_PROFILES"

// quickProfiles are the profiles that most often tell resources apart: the documented answers, an
// unknown product answered with an unforeseeable code (the ambiguity rule), and listings that lag
// behind writes (the visibility grace).
var quickProfiles = []string{"default", "unknown_product_other_code", "attach_visibility_delay"}

// skipUnlessProfileSelected skips, visibly, a Terraform-CLI matrix subtest whose profile profilesEnv
// does not select.
func skipUnlessProfileSelected(t *testing.T, name string) {
	t.Helper()
	sel := os.Getenv(profilesEnv)
	if sel == "all" {
		return
	}
	names := quickProfiles
	if sel != "" {
		names = strings.Split(sel, ",")
	}
	if !slices.Contains(names, name) {
		t.Skipf("profile %s runs with %s=all (make test-profiles)", name, profilesEnv)
	}
}

// eachProfile runs body as a parallel subtest under every behaviour profile, against the emulator
// (the profiles are its knobs). cli marks a matrix that runs terraform: its subtests run only under
// the profiles profilesEnv selects.
func eachProfile(t *testing.T, cli bool, body func(t *testing.T, bh model.Behaviour)) {
	t.Helper()
	emulatorOnly(t)
	for _, p := range behaviourProfiles {
		t.Run(p.name, func(t *testing.T) {
			if cli {
				skipUnlessProfileSelected(t, p.name)
			}
			t.Parallel()
			body(t, p.bh)
		})
	}
}

// TestAccAPIProductAttachment_profiles runs, under every behaviour profile: create (a fresh pair, and
// a pair attached out of band before, which a duplicate-refusing service refuses), import,
// read-after-drift (detached out of band: the plan re-creates it), and destroy after the whole
// product was removed out of band (the refresh drops both, whatever the service answers for an
// unknown product). Delete of pairs that are no longer attached is TestAPIProductAttachment_deleteProfiles.
func TestAccAPIProductAttachment_profiles(t *testing.T) {
	eachProfile(t, true, func(t *testing.T, bh model.Behaviour) {
		clock := newTestClock()
		a := newAccTarget(t, emulator.WithBehaviour(bh), emulator.WithClock(clock.Now))
		api := a.newDeployedAPI("RELEASE", "PRE")
		product := a.newProductID()
		fresh := attachmentID{ProductID: product, APIID: api.APIID, StageName: "RELEASE"}
		adopted := attachmentID{ProductID: product, APIID: api.APIID, StageName: "PRE"}
		freshAddr, adoptedAddr := resourceType+".fresh", resourceType+".adopted"
		cfg := a.config(fmt.Sprintf(`
resource "apigateway_api_product_attachment" "fresh" {
  api_product_id = %q
  api_id         = %q
  stage_name     = "RELEASE"
}
resource "apigateway_api_product_attachment" "adopted" {
  api_product_id = %q
  api_id         = %q
  stage_name     = "PRE"
}
`, product, api.APIID, product, api.APIID))
		ctx := context.Background()
		detach := func(id attachmentID) {
			if err := a.client.DetachAPIProduct(ctx, id.ProductID, []cloudapi.APIRef{{APIID: id.APIID, StageName: id.StageName}}); err != nil {
				t.Fatalf("detaching %s out of band: %v", id, err)
			}
		}

		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: a.factories(),
			CheckDestroy:             a.checkDestroy,
			Steps: []resource.TestStep{
				{
					PreConfig: func() {
						if err := a.client.AttachAPIProduct(ctx, product, []cloudapi.APIRef{{APIID: api.APIID, StageName: "PRE"}}); err != nil {
							t.Fatalf("attaching out of band: %v", err)
						}
					},
					Config: cfg,
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(freshAddr, plancheck.ResourceActionCreate),
						plancheck.ExpectResourceAction(adoptedAddr, plancheck.ResourceActionCreate),
					}},
					Check: resource.ComposeAggregateTestCheckFunc(
						a.checkAttached(fresh), a.checkAttached(adopted),
						resource.TestCheckResourceAttr(freshAddr, "id", fresh.String()),
						resource.TestCheckResourceAttr(adoptedAddr, "id", adopted.String()),
					),
				},
				{
					// Once listed, an attachment is confirmed, and its disappearance is drift.
					PreConfig:    func() { clock.Advance(bh.AttachVisibilityDelay) },
					RefreshState: true,
				},
				{ResourceName: freshAddr, ImportState: true, ImportStateVerify: true},
				{
					PreConfig: func() {
						detach(fresh)
						clock.Advance(bh.DetachVisibilityDelay)
					},
					Config:             cfg,
					PlanOnly:           true,
					ExpectNonEmptyPlan: true,
				},
				{
					Config: cfg,
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(freshAddr, plancheck.ResourceActionCreate),
						plancheck.ExpectResourceAction(adoptedAddr, plancheck.ResourceActionNoop),
					}},
					Check: resource.ComposeAggregateTestCheckFunc(a.checkAttached(fresh), a.checkAttached(adopted)),
				},
				{
					PreConfig:    func() { clock.Advance(bh.AttachVisibilityDelay) },
					RefreshState: true,
				},
				{
					PreConfig: func() {
						if err := a.client.DeleteAPIProduct(ctx, product); err != nil {
							t.Fatalf("deleting the product out of band: %v", err)
						}
					},
					Config: cfg,
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(freshAddr, plancheck.ResourceActionCreate),
						plancheck.ExpectResourceAction(adoptedAddr, plancheck.ResourceActionCreate),
					}},
					Check: resource.ComposeAggregateTestCheckFunc(a.checkAttached(fresh), a.checkAttached(adopted)),
				},
				{
					// Removed out of band again: the final destroy (and its refresh) must end
					// without errors and leave nothing attached.
					PreConfig: func() {
						detach(fresh)
						detach(adopted)
						clock.Advance(bh.DetachVisibilityDelay / 2)
					},
					RefreshState: true,
				},
			},
		})
	})
}

// TestAPIProductAttachment_deleteProfiles: Delete of an attachment that is no longer there (the pair
// was detached out of band, or the whole product deleted) ends without an error under every
// profile, and Delete of an attached pair detaches it. The refresh that normally comes first would
// drop such attachments, so this calls the provider as Terraform does for a destroy with
// -refresh=false or a removal that raced with the refresh.
func TestAPIProductAttachment_deleteProfiles(t *testing.T) {
	eachProfile(t, false, func(t *testing.T, bh model.Behaviour) {
		a := newAccTarget(t, emulator.WithBehaviour(bh))
		api := a.newDeployedAPI("RELEASE")
		ctx := context.Background()
		ps := a.newProtoServer()
		ps.configure(a)

		for _, tc := range []struct {
			name  string
			setup func(product string)
		}{
			{"attached", func(string) {}},
			{"detached out of band", func(product string) {
				if err := a.client.DetachAPIProduct(ctx, product, []cloudapi.APIRef{{APIID: api.APIID, StageName: "RELEASE"}}); err != nil {
					t.Fatal(err)
				}
			}},
			{"product deleted out of band", func(product string) {
				if err := a.client.DeleteAPIProduct(ctx, product); err != nil {
					t.Fatal(err)
				}
			}},
			{"product never existed", nil},
		} {
			product := a.newProductID()
			id := attachmentID{ProductID: product, APIID: api.APIID, StageName: "RELEASE"}
			if tc.setup != nil {
				if err := a.client.AttachAPIProduct(ctx, product, []cloudapi.APIRef{{APIID: api.APIID, StageName: "RELEASE"}}); err != nil {
					t.Fatal(err)
				}
				tc.setup(product)
			}
			ps.importThenDelete(resourceType, id.String(), tc.name)
			if exists, _ := a.attachmentExists(id); exists {
				t.Errorf("%s: still attached after delete", tc.name)
			}
		}
	})
}

func hasAnyError(diags []*tfprotov6.Diagnostic) bool {
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			return true
		}
	}
	return false
}
