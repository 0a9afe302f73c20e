package provider

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/cloudapi/terraform-provider-apigateway/internal/cloudapi"
	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator"
	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator/model"
)

const attachmentAddr = resourceType + ".test"

func attachmentConfig(productID, apiID, stage, extra string) string {
	return fmt.Sprintf(`
resource "apigateway_api_product_attachment" "test" {
  api_product_id = %q
  api_id         = %q
  stage_name     = %q
%s
}
`, productID, apiID, stage, extra)
}

// TestAccAPIProductAttachment_basic: create, import with `terraform import` and with an import
// block, destroy.
func TestAccAPIProductAttachment_basic(t *testing.T) {
	testAccAttachmentLifecycle(t, newAccTarget(t))
}

// TestAccAPIProductAttachment_basicHTTPS is the same life cycle on the path real users take:
// protocol unset (HTTPS), the emulator's certificate trusted through SSL_CERT_FILE.
func TestAccAPIProductAttachment_basicHTTPS(t *testing.T) {
	emulatorOnly(t)
	testAccAttachmentLifecycle(t, newTLSAccTarget(t))
}

func testAccAttachmentLifecycle(t *testing.T, a *accTarget) {
	api, product, id, cfg := a.singleAttachment()

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: a.factories(),
		CheckDestroy:             a.checkDestroy,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(attachmentAddr, plancheck.ResourceActionCreate)},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					a.checkAttached(id),
					resource.TestCheckResourceAttr(attachmentAddr, "id", id.String()),
					resource.TestCheckResourceAttr(attachmentAddr, "api_product_id", product),
					resource.TestCheckResourceAttr(attachmentAddr, "api_id", api.APIID),
					resource.TestCheckResourceAttr(attachmentAddr, "stage_name", "RELEASE"),
					resource.TestCheckResourceAttr(attachmentAddr, "api_name", api.APIName),
					resource.TestCheckResourceAttr(attachmentAddr, "group_id", api.GroupID),
					resource.TestCheckResourceAttr(attachmentAddr, "group_name", api.GroupName),
					resource.TestCheckResourceAttr(attachmentAddr, "method", "GET"),
					resource.TestCheckResourceAttr(attachmentAddr, "path", api.Path),
				),
			},
			{
				ResourceName:      attachmentAddr,
				ImportState:       true,
				ImportStateVerify: true,
			},
			{
				ResourceName:    attachmentAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
			},
		},
	})
}

// TestAccAPIProductAttachment_stagesForEach attaches one API in all three stages with for_each and
// reads them back through the data source. The endpoint is given as a URL, whose scheme must set the
// protocol.
func TestAccAPIProductAttachment_stagesForEach(t *testing.T) {
	a := newAccTarget(t)
	api := a.newDeployedAPI("RELEASE", "PRE", "TEST")
	product := a.newProductID()

	provider := a.config("")
	if a.srv != nil {
		provider = fmt.Sprintf(`
provider "apigateway" {
  region     = %q
  access_key = %q
  secret_key = %q
  endpoints {
    apigateway = %q
  }
}
`, a.region, emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret, "http://"+a.endpoint+"/")
	}
	cfg := provider + fmt.Sprintf(`
resource "apigateway_api_product_attachment" "stage" {
  for_each       = toset(["TEST", "PRE", "RELEASE"])
  api_product_id = %q
  api_id         = %q
  stage_name     = each.key
}

data "apigateway_api_product" "p" {
  api_product_id = %q
  depends_on     = [apigateway_api_product_attachment.stage]
}
`, product, api.APIID, product)

	ds := "data.apigateway_api_product.p"
	stateChecks := []statecheck.StateCheck{
		statecheck.ExpectKnownValue(ds, tfjsonpath.New("total_count"), knownvalue.Int64Exact(3)),
		statecheck.ExpectKnownValue(ds, tfjsonpath.New("apis"), knownvalue.ListSizeExact(3)),
	}
	ids := make([]attachmentID, 0, len(validStages))
	for i, s := range validStages {
		id := attachmentID{ProductID: product, APIID: api.APIID, StageName: s}
		ids = append(ids, id)
		addr := fmt.Sprintf("%s.stage[%q]", resourceType, s)
		stateChecks = append(stateChecks,
			backendCheck(a.checkAttached(id)),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(id.String())),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("api_name"), knownvalue.StringExact(api.APIName)),
			// Stable order: by api_id, then RELEASE, PRE, TEST.
			statecheck.ExpectKnownValue(ds, tfjsonpath.New("apis").AtSliceIndex(i).AtMapKey("stage_name"), knownvalue.StringExact(s)),
			statecheck.ExpectKnownValue(ds, tfjsonpath.New("apis").AtSliceIndex(i).AtMapKey("api_id"), knownvalue.StringExact(api.APIID)),
		)
	}

	var goneChecks []statecheck.StateCheck
	for _, id := range ids {
		goneChecks = append(goneChecks, backendCheck(a.checkNotAttached(id)))
	}

	// terraform-plugin-testing's legacy state shim, used by Check, CheckDestroy and the implicit
	// final destroy, rejects for_each instances (hashicorp/terraform-plugin-sdk#536). So this test
	// uses state checks only, and destroys by removing the resources in a last step, which leaves
	// nothing for the shim to read.
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: a.factories(),
		Steps: []resource.TestStep{
			{Config: cfg, ConfigStateChecks: stateChecks},
			{Config: provider, ConfigStateChecks: goneChecks},
		},
	})
}

// TestAccAPIProductAttachment_changeStageReplaces: stage_name forces replacement.
func TestAccAPIProductAttachment_changeStageReplaces(t *testing.T) {
	a := newAccTarget(t)
	api := a.newDeployedAPI("RELEASE", "PRE")
	product := a.newProductID()
	release := attachmentID{ProductID: product, APIID: api.APIID, StageName: "RELEASE"}
	pre := attachmentID{ProductID: product, APIID: api.APIID, StageName: "PRE"}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: a.factories(),
		CheckDestroy:             a.checkDestroy,
		Steps: []resource.TestStep{
			{
				Config: a.config(attachmentConfig(product, api.APIID, "RELEASE", "")),
				Check:  a.checkAttached(release),
			},
			{
				Config: a.config(attachmentConfig(product, api.APIID, "PRE", "")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(attachmentAddr, plancheck.ResourceActionReplace)},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					a.checkAttached(pre),
					a.checkNotAttached(release),
					resource.TestCheckResourceAttr(attachmentAddr, "id", pre.String()),
				),
			},
		},
	})
}

// TestAccAPIProductAttachment_driftRecreates: an attachment detached out of band, and then a whole
// product deleted out of band, both make the next plan non-empty and the apply re-create.
func TestAccAPIProductAttachment_driftRecreates(t *testing.T) {
	a := newAccTarget(t)
	api, product, id, cfg := a.singleAttachment()
	ctx := context.Background()
	expectCreate := resource.ConfigPlanChecks{
		PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(attachmentAddr, plancheck.ResourceActionCreate)},
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: a.factories(),
		CheckDestroy:             a.checkDestroy,
		Steps: []resource.TestStep{
			{Config: cfg, Check: a.checkAttached(id)},
			// Drift is reported once a listing has shown the attachment; until then (for
			// cloudapi.VisibilityGrace) an attachment missing from the listing may just not be
			// listed yet. The refresh step records that it was seen.
			{RefreshState: true},
			{
				PreConfig: func() {
					if err := a.client.DetachAPIProduct(ctx, product, []cloudapi.APIRef{{APIID: api.APIID, StageName: "RELEASE"}}); err != nil {
						t.Fatalf("detaching out of band: %v", err)
					}
				},
				Config:             cfg,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config:           cfg,
				ConfigPlanChecks: expectCreate,
				Check:            a.checkAttached(id),
			},
			{RefreshState: true},
			{
				PreConfig: func() {
					if err := a.client.DeleteAPIProduct(ctx, product); err != nil {
						t.Fatalf("deleting the product out of band: %v", err)
					}
				},
				Config:             cfg,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config:           cfg,
				ConfigPlanChecks: expectCreate,
				Check:            a.checkAttached(id),
			},
		},
	})
}

// TestAccAPIProductAttachment_validation: bad arguments fail at validate time with messages that
// say what is wrong, before any API call.
func TestAccAPIProductAttachment_validation(t *testing.T) {
	a := newAccTarget(t)
	step := func(product, api, stage, msg string) resource.TestStep {
		return resource.TestStep{
			Config:      a.config(attachmentConfig(product, api, stage, "")),
			PlanOnly:    true,
			ExpectError: messageRegexp(msg),
		}
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: a.factories(),
		Steps: []resource.TestStep{
			step("p1", "a1", "DEV", `Attribute stage_name must be one of "RELEASE", "PRE", "TEST", got "DEV".`),
			step("p1", "a1", "release", `Attribute stage_name must be one of "RELEASE", "PRE", "TEST", got "release"; stage names are case-sensitive, did you mean "RELEASE"?`),
			step("p1", "", "RELEASE", `Attribute api_id is empty.`),
			step("", "a1", "RELEASE", `Attribute api_product_id is empty.`),
			step("p:1", "a1", "RELEASE", `Attribute api_product_id "p:1" contains ":", which separates the parts of the attachment id <api_product_id>:<api_id>:<stage_name>.`),
			step("p1", "a 1", "RELEASE", `Attribute api_id "a 1" contains whitespace; Alibaba Cloud ids never do`),
		},
	})
	if a.srv != nil {
		// Validation must not have needed the service.
		a.wantNoCall("AttachApiProduct", "during validation-only steps")
		a.wantNoCall("DescribeApi", "during validation-only steps")
	}
}

// TestAccAPIProductAttachment_importErrors: malformed import ids are rejected with the expected
// format and the received value.
func TestAccAPIProductAttachment_importErrors(t *testing.T) {
	a := newAccTarget(t)
	api := a.newDeployedAPI("RELEASE")
	product := a.newProductID()
	cfg := a.config(attachmentConfig(product, api.APIID, "RELEASE", ""))

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: a.factories(),
		CheckDestroy:             a.checkDestroy,
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				ResourceName:  attachmentAddr,
				ImportState:   true,
				ImportStateId: product + ":" + api.APIID,
				ExpectError: messageRegexp(fmt.Sprintf(`Cannot import apigateway_api_product_attachment: expected an id of the form "<api_product_id>:<api_id>:<stage_name>" (for example "117b7a64a8b3f064eaa4a47ac62aac5e:551877242a4b4f3a84a56b7c3570e4a7:RELEASE"), got %q (2 part(s) separated by ":").`,
					product+":"+api.APIID)),
			},
			{
				ResourceName:  attachmentAddr,
				ImportState:   true,
				ImportStateId: product + ":" + api.APIID + ":release",
				ExpectError:   messageRegexp(`the stage_name part must be one of "RELEASE", "PRE", "TEST", got "release"; stage names are case-sensitive, did you mean "RELEASE"?`),
			},
			{
				// A well-formed id of an attachment that does not exist.
				ResourceName:  attachmentAddr,
				ImportState:   true,
				ImportStateId: product + ":" + api.APIID + ":TEST",
				ExpectError:   regexp.MustCompile(`Cannot import non-existent remote object`),
			},
		},
	})
}

// TestAccAPIProductAttachment_apiNotFound: a missing API fails the plan, naming it.
func TestAccAPIProductAttachment_apiNotFound(t *testing.T) {
	a := newAccTarget(t)
	product := a.newProductID()
	missing := "0123456789abcdef0123456789abcdef"

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: a.factories(),
		Steps: []resource.TestStep{
			{
				Config:      a.config(attachmentConfig(product, missing, "RELEASE", "")),
				PlanOnly:    true,
				ExpectError: messageRegexp(fmt.Sprintf(`API %q does not exist in region %s (endpoint %s) for the configured credentials.`, missing, a.region, a.client.Endpoint())),
			},
		},
	})
}

// TestAccAPIProductAttachment_credentialErrors: no credentials at all, and a wrong secret.
func TestAccAPIProductAttachment_credentialErrors(t *testing.T) {
	emulatorOnly(t) // the real target's factories read the real environment
	a := newAccTarget(t)
	api := a.newDeployedAPI("RELEASE")
	product := a.newProductID()
	body := attachmentConfig(product, api.APIID, "RELEASE", "")

	noCredentials := fmt.Sprintf(`
provider "apigateway" {
  region   = %q
  protocol = "HTTP"
  endpoints {
    apigateway = %q
  }
}
`, a.region, a.endpoint)
	wrongSecret := fmt.Sprintf(`
provider "apigateway" {
  region     = %q
  access_key = %q
  secret_key = "not-the-secret"
  protocol   = "HTTP"
  endpoints {
    apigateway = %q
  }
}
`, a.region, emulator.DefaultAccessKeyID, a.endpoint)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: a.factories(),
		Steps: []resource.TestStep{
			{
				Config:      noCredentials + body,
				PlanOnly:    true,
				ExpectError: messageRegexp(`No API Gateway credentials found`),
			},
			{
				Config:   noCredentials + body,
				PlanOnly: true,
				ExpectError: messageRegexp(`access_key and secret_key in the provider block, or the environment variables ALICLOUD_ACCESS_KEY and ALICLOUD_SECRET_KEY ` +
					`(ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET also work)`),
			},
			{
				Config:      wrongSecret + body,
				PlanOnly:    true,
				ExpectError: messageRegexp(`SignatureDoesNotMatch`),
			},
			{
				Config:      wrongSecret + body,
				PlanOnly:    true,
				ExpectError: messageRegexp(`Specified signature is not matched with our calculation.`),
			},
		},
	})
	a.wantNoCall("AttachApiProduct", "bad credentials must fail at plan")
}

// TestAccAPIProductAttachment_transientErrors: throttling and 503s on every operation the resource
// uses are retried, and the apply and destroy still succeed.
func TestAccAPIProductAttachment_transientErrors(t *testing.T) {
	emulatorOnly(t)
	a := newAccTarget(t)
	api, product, id, _ := a.singleAttachment()

	inject := func() {
		a.srv.InjectFault(emulator.Fault{Action: "DescribeApi", Kind: emulator.FaultServiceUnavailable, Count: 1})
		a.srv.InjectFault(emulator.Fault{Action: "AttachApiProduct", Kind: emulator.FaultThrottling, Count: 2})
		a.srv.InjectFault(emulator.Fault{Action: "AttachApiProduct", Kind: emulator.FaultServiceUnavailable, Count: 1})
		a.srv.InjectFault(emulator.Fault{Action: "DescribeApiProductApis", Kind: emulator.FaultServiceUnavailable, Count: 2})
		a.srv.InjectFault(emulator.Fault{Action: "DetachApiProduct", Kind: emulator.FaultThrottling, Count: 2})
	}
	countAtLeast := func(action, outcome string, n int) resource.TestCheckFunc {
		return func(*terraform.State) error {
			if got := a.srv.RequestCount(action, outcome); got < n {
				return fmt.Errorf("%s answered %s %d times, want at least %d (faults not exercised)", action, outcome, got, n)
			}
			return nil
		}
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: a.factories(),
		CheckDestroy: func(s *terraform.State) error {
			if got := a.srv.RequestCount("DetachApiProduct", "Throttling"); got != 2 {
				return fmt.Errorf("DetachApiProduct throttled %d times, want 2", got)
			}
			// The apply reads nothing back; the refreshes after it met the listing's faults.
			if err := countAtLeast("DescribeApiProductApis", "ServiceUnavailable", 2)(s); err != nil {
				return err
			}
			return a.checkDestroy(s)
		},
		Steps: []resource.TestStep{
			{
				PreConfig: inject,
				Config:    a.config(attachmentConfig(product, api.APIID, "RELEASE", "")),
				Check: resource.ComposeAggregateTestCheckFunc(
					a.checkAttached(id),
					resource.TestCheckResourceAttr(attachmentAddr, "api_name", api.APIName),
					countAtLeast("AttachApiProduct", "Throttling", 2),
					countAtLeast("AttachApiProduct", "ServiceUnavailable", 1),
					countAtLeast("DescribeApi", "ServiceUnavailable", 1),
				),
			},
		},
	})
}

// TestAccAPIProductAttachment_visibilityDelay: a fresh attachment that the service does not list
// yet is confirmed by its own successful write: it is neither dropped from state by the next
// refresh nor attached twice, and its computed attributes are right.
func TestAccAPIProductAttachment_visibilityDelay(t *testing.T) {
	emulatorOnly(t)
	clock := newTestClock() // stands still: the delay never passes during the test
	a := newAccTarget(t, emulator.WithVisibilityDelay(time.Minute), emulator.WithClock(clock.Now))
	api, _, id, cfg := a.singleAttachment()

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: a.factories(),
		CheckDestroy:             a.checkDestroy,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: resource.ComposeAggregateTestCheckFunc(
					a.checkAttached(id),
					resource.TestCheckResourceAttr(attachmentAddr, "api_name", api.APIName),
					resource.TestCheckResourceAttr(attachmentAddr, "group_name", api.GroupName),
					resource.TestCheckResourceAttr(attachmentAddr, "path", api.Path),
					resource.TestCheckResourceAttr(attachmentAddr, "method", "GET"),
				),
			},
			{
				// The refresh does not see it (a minute's delay) and must keep it.
				Config:   cfg,
				PlanOnly: true,
			},
			{
				Config: cfg,
				Check: func(*terraform.State) error {
					if n := a.srv.RequestCount("AttachApiProduct", ""); n != 1 {
						return fmt.Errorf("AttachApiProduct called %d times, want 1", n)
					}
					return nil
				},
			},
		},
	})
}

// TestAccAPIProductAttachment_deleteKeepsUnlistedAttachment: an attachment made moments ago that the
// service does not list yet (attach visibility delay) is kept by the refresh; when its detach then
// fails (5xx past every retry), Delete must not take the listing's silence for "already gone": the
// pair is still attached, so the destroy fails and the resource stays in the state. The final
// destroy, once the service answers again, detaches it (CheckDestroy).
func TestAccAPIProductAttachment_deleteKeepsUnlistedAttachment(t *testing.T) {
	emulatorOnly(t)
	clock := newTestClock() // stands still: the attachment stays unlisted
	a := newAccTarget(t, emulator.WithBehaviour(model.Behaviour{AttachVisibilityDelay: time.Hour}), emulator.WithClock(clock.Now))
	_, _, id, cfg := a.singleAttachment()

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: a.factories(),
		CheckDestroy:             a.checkDestroy,
		Steps: []resource.TestStep{
			{Config: cfg, Check: a.checkAttached(id)},
			{
				PreConfig: func() {
					a.srv.InjectFault(emulator.Fault{Action: "DetachApiProduct", Kind: emulator.FaultServiceUnavailable, Count: 1000})
				},
				Config:      cfg,
				Destroy:     true,
				ExpectError: messageRegexp(`Cannot detach API from API product`),
			},
			{
				// Still in the state (the refresh keeps it, unlisted as it is) and still attached.
				PreConfig:    a.srv.ClearFaults,
				RefreshState: true,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(attachmentAddr, "id", id.String()),
					a.checkAttached(id),
				),
			},
		},
	})
}

// TestAccAPIProductAttachment_unknownOutcomeIsTainted: when the attach's answer is lost and the
// listing that should decide fails too, nobody knows whether the API is attached: the resource
// is still saved (tainted), and the next apply replaces it.
func TestAccAPIProductAttachment_unknownOutcomeIsTainted(t *testing.T) {
	emulatorOnly(t)
	a := newAccTarget(t)
	api, product, id, cfg := a.singleAttachment()

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: a.factories(),
		CheckDestroy:             a.checkDestroy,
		Steps: []resource.TestStep{
			{
				// The attach is applied after the provider gave up on its answer (the emulator
				// carries on once the client hangs up).
				PreConfig:   func() { a.loseAnswer("AttachApiProduct", "DescribeApiProductApis") },
				Config:      a.config(attachmentConfig(product, api.APIID, "RELEASE", `  timeouts { create = "1s" }`)),
				ExpectError: messageRegexp(`API may have been attached`),
			},
			{
				PreConfig: func() {
					a.srv.ClearFaults()
					waitAttached(t, a, id)
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					// Replace (not create) proves the failed create was saved in the state, tainted.
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(attachmentAddr, plancheck.ResourceActionReplace)},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					a.checkAttached(id),
					resource.TestCheckResourceAttr(attachmentAddr, "api_name", api.APIName),
				),
			},
		},
	})
}

// TestAccAPIProductAttachment_unknownProviderConfig: a provider attribute only known after apply
// must not fail the plan.
func TestAccAPIProductAttachment_unknownProviderConfig(t *testing.T) {
	emulatorOnly(t)
	a := newAccTarget(t)
	api, product, id, _ := a.singleAttachment()

	cfg := fmt.Sprintf(`
resource "terraform_data" "region" {
  input = %q
}

provider "apigateway" {
  region     = terraform_data.region.output
  access_key = %q
  secret_key = %q
  protocol   = "HTTP"
  endpoints {
    apigateway = %q
  }
}
`, a.region, emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret, a.endpoint) + attachmentConfig(product, api.APIID, "RELEASE", "")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: a.factories(),
		CheckDestroy:             a.checkDestroy,
		Steps: []resource.TestStep{
			{Config: cfg, Check: a.checkAttached(id)},
			{
				// A data source that could be read during plan cannot be, with the provider
				// unconfigured; the error must say why and what to do.
				// Replacing terraform_data makes its output, and so the region, unknown again.
				Config: strings.Replace(cfg, `resource "terraform_data" "region" {`, `resource "terraform_data" "region" {
  triggers_replace = ["again"]`, 1) + fmt.Sprintf(`
data "apigateway_api_product" "p" {
  api_product_id = %q
}
`, product),
				ExpectError: messageRegexp(`this data source cannot be read during plan. Apply the resources the provider configuration depends on first`),
			},
		},
	})
}

// TestCheckAPIForAttachment covers the plan-time check directly, including the warning for an
// API that is not deployed to the stage (warnings cannot be asserted through terraform-plugin-testing).
func TestCheckAPIForAttachment(t *testing.T) {
	t.Parallel()
	if realTarget() {
		t.Skip("uses the emulator directly")
	}
	a := newAccTarget(t)
	api := a.newDeployedAPI("PRE")
	data := &providerData{client: a.client, region: a.region, endpoint: a.client.Endpoint()}
	ctx := context.Background()

	if d := checkAPIForAttachment(ctx, data, api.APIID, "PRE"); len(d) != 0 {
		t.Errorf("deployed stage: unexpected diagnostics: %s", diagText(d))
	}
	if d := checkAPIForAttachment(ctx, data, api.APIID, ""); len(d) != 0 {
		t.Errorf("unknown stage: unexpected diagnostics: %s", diagText(d))
	}

	d := checkAPIForAttachment(ctx, data, api.APIID, "RELEASE")
	if d.HasError() || d.WarningsCount() != 1 {
		t.Fatalf("undeployed stage: want one warning, got %s", diagText(d))
	}
	want := fmt.Sprintf(`API %q (%s) is not deployed to stage RELEASE; it is deployed to "PRE".`, api.APIName, api.APIID)
	if !strings.Contains(d[0].Detail(), want) || d[0].Summary() != "API not deployed to this stage" {
		t.Errorf("warning = %s, want it to contain %q", diagText(d), want)
	}

	d = checkAPIForAttachment(ctx, data, "ffffffffffffffffffffffffffffffff", "RELEASE")
	if d.ErrorsCount() != 1 || d[0].Summary() != "API not found" {
		t.Fatalf("missing API: want one error, got %s", diagText(d))
	}

	// A transient failure that outlasts the retries only warns: the apply may still work.
	a.srv.InjectFault(emulator.Fault{Action: "DescribeApi", Kind: emulator.FaultInternalError, Count: 100})
	short, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	// A client of its own: the first one keeps what it learnt about the API.
	fresh := &providerData{client: clientWithKey(t, a, emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret), region: a.region, endpoint: a.endpoint}
	d = checkAPIForAttachment(short, fresh, api.APIID, "PRE")
	if d.HasError() || d.WarningsCount() != 1 || d[0].Summary() != "Could not check the API" {
		t.Errorf("service error: want one warning, got %s", diagText(d))
	}
	a.srv.ClearFaults()

	// Credential errors are errors, never "not found".
	bad := badSecretClient(t, a)
	d = checkAPIForAttachment(ctx, &providerData{client: bad, region: a.region, endpoint: a.endpoint}, api.APIID, "PRE")
	if d.ErrorsCount() != 1 || d[0].Summary() != "API Gateway rejected the credentials" || !strings.Contains(d[0].Detail(), "SignatureDoesNotMatch") {
		t.Errorf("bad secret: got %s", diagText(d))
	}
}

// TestIsGoneExcludesCredentialErrors: Read must not drop state because of a bad access key.
func TestIsGoneExcludesCredentialErrors(t *testing.T) {
	t.Parallel()
	if realTarget() {
		t.Skip("uses the emulator directly")
	}
	a := newAccTarget(t)
	ctx := context.Background()

	c := clientWithKey(t, a, "LTAI-unknown-key", "whatever")
	_, err := c.FindAttachment(ctx, "p", "a", "RELEASE", cloudapi.Strict)
	if err == nil || isGone(err) || !isCredentialError(err) {
		t.Errorf("unknown access key: err = %v, isGone = %v, want a credential error", err, isGone(err))
	}
	_, err = a.client.FindAttachment(ctx, "no-such-product", "a", "RELEASE", cloudapi.Strict)
	if !isGone(err) {
		t.Errorf("unknown product: err = %v, want isGone", err)
	}
}

func badSecretClient(t *testing.T, a *accTarget) *cloudapi.Client {
	return clientWithKey(t, a, emulator.DefaultAccessKeyID, "not-the-secret")
}

func clientWithKey(t *testing.T, a *accTarget, ak, sk string) *cloudapi.Client {
	t.Helper()
	r := configResolver{getenv: func(string) string { return "" }, homeDir: func() (string, error) { return "", nil }}
	rc, diags := r.resolve(configInput{AccessKey: ak, SecretKey: sk, Region: a.region, Endpoint: a.endpoint, Protocol: "HTTP"})
	if diags.HasError() {
		t.Fatal(diagText(diags))
	}
	c, err := cloudapi.New(cloudapi.Config{RegionID: rc.Region, Endpoint: rc.Endpoint, Protocol: rc.Protocol, Credential: rc.Credential, Retry: fastRetry})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// waitAttached waits until the emulator holds the attachment.
func waitAttached(t *testing.T, a *accTarget, id attachmentID) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		atts, _ := a.srv.ProductAttachments(emulator.DefaultAccountID, a.region, id.ProductID)
		for _, att := range atts {
			if att.APIID == id.APIID && att.StageName == id.StageName {
				return
			}
		}
	}
	t.Fatalf("%s was never attached on the emulator", id)
}

// singleAttachment makes a deployed API and a product id for one test, and the configuration that
// attaches the API in RELEASE.
func (a *accTarget) singleAttachment() (api apiFixture, product string, id attachmentID, cfg string) {
	api = a.newDeployedAPI("RELEASE")
	product = a.newProductID()
	id = attachmentID{ProductID: product, APIID: api.APIID, StageName: "RELEASE"}
	return api, product, id, a.config(attachmentConfig(product, api.APIID, "RELEASE", ""))
}

// backendCheck runs a backend assertion as a state check, for steps that cannot use Check.
func backendCheck(f resource.TestCheckFunc) statecheck.StateCheck { return backendStateCheck{f} }

type backendStateCheck struct{ f resource.TestCheckFunc }

// CheckState implements statecheck.StateCheck.
func (c backendStateCheck) CheckState(_ context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = c.f(nil)
}

// TestAccAPIProductAttachment_identity: create stores the identity, an import block with that
// identity (Terraform 1.12+, OpenTofu 1.12+) imports the attachment. Skipped, visibly, on older CLIs;
// TestAPIProductAttachment_identityRPC covers the same provider code on every CLI.
func TestAccAPIProductAttachment_identity(t *testing.T) {
	a := newAccTarget(t)
	api := a.newDeployedAPI("PRE")
	product := a.newProductID()
	cfg := a.config(attachmentConfig(product, api.APIID, "PRE", ""))

	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		ProtoV6ProviderFactories: a.factories(),
		CheckDestroy:             a.checkDestroy,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(attachmentAddr, map[string]knownvalue.Check{
						"api_product_id": knownvalue.StringExact(product),
						"api_id":         knownvalue.StringExact(api.APIID),
						"stage_name":     knownvalue.StringExact("PRE"),
					}),
					statecheck.ExpectIdentityValueMatchesState(attachmentAddr, tfjsonpath.New("api_product_id")),
					statecheck.ExpectIdentityValueMatchesState(attachmentAddr, tfjsonpath.New("api_id")),
					statecheck.ExpectIdentityValueMatchesState(attachmentAddr, tfjsonpath.New("stage_name")),
				},
			},
			{
				ResourceName:    attachmentAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
			},
			{
				// The string id keeps working next to the identity.
				ResourceName:    attachmentAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
			},
		},
	})
}

// TestAPIProductAttachment_identityRPC drives ImportResourceState and ReadResource through the
// protocol server, so that import by identity and identity on read are tested whatever the CLI:
// import by identity and by id give the same state and identity, a bad identity is refused before
// any request, and Read fills in the identity of a state that has none (made by Terraform < 1.12 or
// an earlier provider version).
func TestAPIProductAttachment_identityRPC(t *testing.T) {
	emulatorOnly(t)
	t.Parallel()
	a := newAccTarget(t)
	api, product, id, _ := a.singleAttachment()
	ctx := context.Background()
	if err := a.client.AttachAPIProduct(ctx, product, []cloudapi.APIRef{{APIID: api.APIID, StageName: "RELEASE"}}); err != nil {
		t.Fatal(err)
	}
	p := a.newProtoServer()
	p.configure(a)
	idType := p.identity.ValueType().(tftypes.Object)
	resType := p.schema.ResourceSchemas[resourceType].ValueType()
	identityData := func(product, apiID, stage string) *tfprotov6.ResourceIdentityData {
		return &tfprotov6.ResourceIdentityData{IdentityData: dynamicValue(t, idType, tftypes.NewValue(idType, map[string]tftypes.Value{
			"api_product_id": tftypes.NewValue(tftypes.String, product),
			"api_id":         tftypes.NewValue(tftypes.String, apiID),
			"stage_name":     tftypes.NewValue(tftypes.String, stage),
		}))}
	}
	wantIdentity := map[string]string{"api_product_id": product, "api_id": api.APIID, "stage_name": "RELEASE"}
	wantState := map[string]string{"id": id.String(), "api_product_id": product, "api_id": api.APIID, "stage_name": "RELEASE"}

	for name, req := range map[string]*tfprotov6.ImportResourceStateRequest{
		"identity": {TypeName: resourceType, Identity: identityData(product, api.APIID, "RELEASE")},
		"id":       {TypeName: resourceType, ID: id.String()},
	} {
		resp, err := p.srv.ImportResourceState(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		failOnErrors(t, "ImportResourceState by "+name, resp.Diagnostics)
		if len(resp.ImportedResources) != 1 {
			t.Fatalf("import by %s: %d imported resources, want 1", name, len(resp.ImportedResources))
		}
		imported := resp.ImportedResources[0]
		if got := stringAttrs(t, resType, imported.State); !maps.Equal(got, wantState) {
			t.Errorf("import by %s: state %v, want %v", name, got, wantState)
		}
		if imported.Identity == nil {
			t.Fatalf("import by %s: no identity", name)
		}
		if got := stringAttrs(t, idType, imported.Identity.IdentityData); !maps.Equal(got, wantIdentity) {
			t.Errorf("import by %s: identity %v, want %v", name, got, wantIdentity)
		}

		// A state without identity, as an older CLI or provider version leaves it.
		read, err := p.srv.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: resourceType, CurrentState: imported.State})
		if err != nil {
			t.Fatal(err)
		}
		failOnErrors(t, "ReadResource after import by "+name, read.Diagnostics)
		if read.NewIdentity == nil {
			t.Fatalf("read after import by %s: no identity", name)
		}
		if got := stringAttrs(t, idType, read.NewIdentity.IdentityData); !maps.Equal(got, wantIdentity) {
			t.Errorf("read after import by %s: identity %v, want %v", name, got, wantIdentity)
		}
		if got := stringAttrs(t, resType, read.NewState); got["api_name"] != api.APIName {
			t.Errorf("read after import by %s: api_name %q, want %q", name, got["api_name"], api.APIName)
		}
	}

	// The framework rejects a Read that ends without an identity, so the paths that keep or drop the
	// state without a refresh must set it too: an unconfigured provider (unknown provider config)...
	importResp, err := p.srv.ImportResourceState(ctx, &tfprotov6.ImportResourceStateRequest{TypeName: resourceType, ID: id.String()})
	if err != nil {
		t.Fatal(err)
	}
	state := importResp.ImportedResources[0].State
	unconfigured := a.newProtoServer()
	read, err := unconfigured.srv.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: resourceType, CurrentState: state})
	if err != nil {
		t.Fatal(err)
	}
	failOnErrors(t, "ReadResource with an unconfigured provider", read.Diagnostics)
	if read.NewIdentity == nil || !maps.Equal(stringAttrs(t, idType, read.NewIdentity.IdentityData), wantIdentity) {
		t.Errorf("read with an unconfigured provider: identity %+v, want %v", read.NewIdentity, wantIdentity)
	}
	// ...and an attachment that disappeared, which Read removes from the state. A new provider
	// instance: p's client answers from the listing it already has (refresh_max_staleness).
	if err := a.client.DetachAPIProduct(ctx, product, []cloudapi.APIRef{{APIID: api.APIID, StageName: "RELEASE"}}); err != nil {
		t.Fatal(err)
	}
	fresh := a.newProtoServer()
	fresh.configure(a)
	read, err = fresh.srv.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: resourceType, CurrentState: state})
	if err != nil {
		t.Fatal(err)
	}
	failOnErrors(t, "ReadResource of a detached attachment", read.Diagnostics)
	if gone, err := read.NewState.Unmarshal(resType); err != nil || !gone.IsNull() {
		t.Errorf("read of a detached attachment: state %v (%v), want null", gone, err)
	}

	requestsBefore := a.srv.RequestCount("", "")
	for _, tc := range []struct{ product, apiID, stage, detail string }{
		{product, api.APIID, "release", `identity attribute stage_name must be one of "RELEASE", "PRE", "TEST", got "release"; stage names are case-sensitive, did you mean "RELEASE"?`},
		{product, "a:b", "RELEASE", `identity attribute api_id "a:b" contains ":"`},
		{"", api.APIID, "RELEASE", "identity attribute api_product_id is empty"},
	} {
		resp, err := p.srv.ImportResourceState(ctx, &tfprotov6.ImportResourceStateRequest{TypeName: resourceType, Identity: identityData(tc.product, tc.apiID, tc.stage)})
		if err != nil {
			t.Fatal(err)
		}
		if !hasError(resp.Diagnostics, "Invalid import identity") || !strings.Contains(protoDiagText(resp.Diagnostics), tc.detail) {
			t.Errorf("import by identity (%q, %q, %q): got %q, want \"Invalid import identity\" with %q", tc.product, tc.apiID, tc.stage, protoDiagText(resp.Diagnostics), tc.detail)
		}
	}
	if n := a.srv.RequestCount("", "") - requestsBefore; n != 0 {
		t.Errorf("invalid identities sent %d requests, want none", n)
	}
}

// exampleConfig reads an example configuration under examples/ and drops its terraform and provider
// blocks, which the test supplies (in-process provider, emulator endpoint).
func exampleConfig(t *testing.T, a *accTarget, file string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "examples", file))
	if err != nil {
		t.Fatal(err)
	}
	// Both blocks are top-level and closed by a "}" at the start of a line.
	body := regexp.MustCompile(`(?ms)^(terraform|provider "apigateway") \{\n.*?^\}\n`).ReplaceAllString(string(raw), "")
	if strings.Contains(body, "required_providers") || strings.Contains(body, `provider "apigateway"`) {
		t.Fatalf("examples/%s: could not strip its terraform/provider blocks", file)
	}
	return a.config(body)
}

// TestAccAPIProductAttachment_adoptExistingProduct runs examples/adopt-api-product (import blocks with
// for_each over the data source, Terraform 1.7+ / OpenTofu 1.7+) against a product made outside
// Terraform: every pair is imported, none created, a second plan is empty, and removing the
// configuration detaches them.
func TestAccAPIProductAttachment_adoptExistingProduct(t *testing.T) {
	a := newAccTarget(t)
	api1 := a.newDeployedAPI("RELEASE", "PRE")
	api2 := a.newAPI(api1.GroupID, api1.GroupName, "RELEASE")
	product := a.newProductID()
	pairs := []attachmentID{
		{ProductID: product, APIID: api1.APIID, StageName: "RELEASE"},
		{ProductID: product, APIID: api1.APIID, StageName: "PRE"},
		{ProductID: product, APIID: api2.APIID, StageName: "RELEASE"},
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, p := range pairs {
		if err := a.client.AttachAPIProduct(ctx, product, []cloudapi.APIRef{{APIID: p.APIID, StageName: p.StageName}}); err != nil {
			t.Fatal(err)
		}
	}
	cfg := exampleConfig(t, a, "adopt-api-product/main.tf")
	vars := config.Variables{"api_product_id": config.StringVariable(product)}

	var stateChecks, goneChecks []statecheck.StateCheck
	var noops []plancheck.PlanCheck
	for _, p := range pairs {
		addr := fmt.Sprintf("%s.adopted[%q]", resourceType, p.APIID+"/"+p.StageName)
		noops = append(noops, plancheck.ExpectResourceAction(addr, plancheck.ResourceActionNoop))
		stateChecks = append(stateChecks,
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(p.String())),
			backendCheck(a.checkAttached(p)),
		)
		goneChecks = append(goneChecks, backendCheck(a.checkNotAttached(p)))
	}
	stateChecks = append(stateChecks, statecheck.ExpectKnownValue(fmt.Sprintf("%s.adopted[%q]", resourceType, api2.APIID+"/RELEASE"),
		tfjsonpath.New("api_name"), knownvalue.StringExact(api2.APIName)))

	// State checks only, and a last step that removes everything: see stagesForEach for why.
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_7_0)},
		ProtoV6ProviderFactories: a.factories(),
		Steps: []resource.TestStep{
			{
				Config:            cfg,
				ConfigVariables:   vars,
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: noops},
				ConfigStateChecks: stateChecks,
			},
			{
				Config:           cfg,
				ConfigVariables:  vars,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{Config: a.config(""), ConfigStateChecks: goneChecks},
		},
	})
}
