package provider

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/cloudapi/terraform-provider-apigateway/internal/cloudapi"
	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator"
)

const authorizationAddr = "apigateway_api_product_authorization.test"

func authorizationConfig(productID string, appID int64, extra string) string {
	return fmt.Sprintf(`
resource "apigateway_api_product_authorization" "test" {
  api_product_id = %q
  app_id         = "%d"
%s
}
`, productID, appID, extra)
}

// newApp creates an app for the test (deleted when it ends on the real service).
func (a *accTarget) newApp() (id int64, name string) {
	a.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	name = "tf_testacc_" + randomSuffix()[:10]
	id, err := a.fixtures.CreateApp(ctx, name, "terraform acceptance test fixture")
	if err != nil {
		a.t.Fatalf("creating app fixture: %v", err)
	}
	a.cleanupFixture(fmt.Sprintf("app %d", id), func(ctx context.Context) error { return a.fixtures.DeleteApp(ctx, id) })
	return id, name
}

// newProduct is a product that exists: one API attached to it outside Terraform.
func (a *accTarget) newProduct() string {
	a.t.Helper()
	api := a.newDeployedAPI("RELEASE")
	product := a.newProductID()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := a.client.AttachAPIProduct(ctx, product, []cloudapi.APIRef{{APIID: api.APIID, StageName: "RELEASE"}}); err != nil {
		a.t.Fatalf("attaching an API to the product fixture: %v", err)
	}
	return product
}

// grantOf returns the app's authorization on the product as the backend has it (the emulator
// directly when there is one), or nil.
func (a *accTarget) grantOf(product string, app int64) (*cloudapi.AuthorizedApp, error) {
	if a.srv != nil {
		grants, _ := a.srv.ProductGrants(a.account, a.region, product)
		for _, g := range grants {
			if g.AppID == app {
				return &cloudapi.AuthorizedApp{AppID: g.AppID, AppName: g.AppName, AuthValidTime: g.AuthValidTime, Description: g.Description}, nil
			}
		}
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	g, err := a.client.FindGrant(ctx, product, app, cloudapi.Strict)
	if isGone(err) {
		return nil, nil
	}
	return g, err
}

// checkGranted asserts the grant exists with these terms ("-" skips a term).
func (a *accTarget) checkGranted(product string, app int64, validTime, description string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		g, err := a.grantOf(product, app)
		if err != nil {
			return err
		}
		if g == nil {
			return fmt.Errorf("app %d is not authorized on product %s", app, product)
		}
		if validTime != "-" && g.AuthValidTime != validTime {
			return fmt.Errorf("grant of app %d valid until %q, want %q", app, g.AuthValidTime, validTime)
		}
		if description != "-" && g.Description != description {
			return fmt.Errorf("grant of app %d has description %q, want %q", app, g.Description, description)
		}
		return nil
	}
}

func (a *accTarget) checkNotGranted(product string, app int64) resource.TestCheckFunc {
	return func(*terraform.State) error {
		g, err := a.grantOf(product, app)
		if err != nil {
			return err
		}
		if g != nil {
			return fmt.Errorf("app %d is still authorized on product %s", app, product)
		}
		return nil
	}
}

// checkAuthorizationsDestroyed: no authorization in the final state may still exist.
func (a *accTarget) checkAuthorizationsDestroyed(s *terraform.State) error {
	for _, rs := range s.RootModule().Resources {
		if rs.Type != "apigateway_api_product_authorization" {
			continue
		}
		id, err := parseAuthorizationID(rs.Primary.ID)
		if err != nil {
			return err
		}
		if err := a.checkNotGranted(id.ProductID, id.AppID)(s); err != nil {
			return err
		}
	}
	return nil
}

func expectAction(addr string, action plancheck.ResourceActionType) resource.ConfigPlanChecks {
	return resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, action)}}
}

// TestAccAPIProductAuthorization_basic: create with terms, import with `terraform import` and an
// import block, update both terms in place, clear the expiry, change the app (replace), destroy.
func TestAccAPIProductAuthorization_basic(t *testing.T) {
	a := newAccTarget(t)
	product := a.newProduct()
	app, appName := a.newApp()
	other, _ := a.newApp()
	valid := time.Now().Add(90 * 24 * time.Hour).UTC().Truncate(time.Second)
	validZ := valid.Format(authValidTimeLayout)
	// The same instant written with an offset: the service reports it in UTC, the state keeps the spelling.
	validOffset := valid.Add(time.Hour).In(time.FixedZone("", 3600)).Format(time.RFC3339)
	validOffsetZ := valid.Add(time.Hour).Format(authValidTimeLayout)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: a.factories(),
		CheckDestroy:             a.checkAuthorizationsDestroyed,
		Steps: []resource.TestStep{
			{
				Config:           a.config(authorizationConfig(product, app, fmt.Sprintf("auth_valid_time = %q\ndescription = \"first\"", validZ))),
				ConfigPlanChecks: expectAction(authorizationAddr, plancheck.ResourceActionCreate),
				Check: resource.ComposeAggregateTestCheckFunc(
					a.checkGranted(product, app, validZ, "first"),
					resource.TestCheckResourceAttr(authorizationAddr, "id", product+":"+strconv.FormatInt(app, 10)),
					resource.TestCheckResourceAttr(authorizationAddr, "app_name", appName),
					resource.TestMatchResourceAttr(authorizationAddr, "authorized_time", regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)),
					resource.TestCheckResourceAttr(authorizationAddr, "auth_valid_time", validZ),
				),
			},
			{ResourceName: authorizationAddr, ImportState: true, ImportStateVerify: true},
			{ResourceName: authorizationAddr, ImportState: true, ImportStateKind: resource.ImportBlockWithID},
			{
				Config:           a.config(authorizationConfig(product, app, fmt.Sprintf("auth_valid_time = %q\ndescription = \"second\"", validOffset))),
				ConfigPlanChecks: expectAction(authorizationAddr, plancheck.ResourceActionUpdate),
				Check: resource.ComposeAggregateTestCheckFunc(
					a.checkGranted(product, app, validOffsetZ, "second"),
					resource.TestCheckResourceAttr(authorizationAddr, "auth_valid_time", validOffset),
					resource.TestCheckResourceAttr(authorizationAddr, "app_name", appName),
				),
			},
			{
				// The spelling with an offset is stable: no change at the next plan.
				Config:   a.config(authorizationConfig(product, app, fmt.Sprintf("auth_valid_time = %q\ndescription = \"second\"", validOffset))),
				PlanOnly: true,
			},
			{
				Config:           a.config(authorizationConfig(product, app, "")),
				ConfigPlanChecks: expectAction(authorizationAddr, plancheck.ResourceActionUpdate),
				Check: resource.ComposeAggregateTestCheckFunc(
					a.checkGranted(product, app, "", ""),
					resource.TestCheckNoResourceAttr(authorizationAddr, "auth_valid_time"),
					resource.TestCheckNoResourceAttr(authorizationAddr, "description"),
				),
			},
			{
				Config:           a.config(authorizationConfig(product, other, "")),
				ConfigPlanChecks: expectAction(authorizationAddr, plancheck.ResourceActionReplace),
				Check: resource.ComposeAggregateTestCheckFunc(
					a.checkGranted(product, other, "", ""),
					a.checkNotGranted(product, app),
				),
			},
		},
	})
}

// TestAccAPIProductAuthorization_drift: a grant revoked out of band is granted again; terms changed
// out of band show as an in-place update; a deleted app is removed from state with a warning, and
// granting it again fails naming the app.
func TestAccAPIProductAuthorization_drift(t *testing.T) {
	a := newAccTarget(t)
	product := a.newProduct()
	app, _ := a.newApp()
	ctx := context.Background()
	cfg := a.config(authorizationConfig(product, app, `description = "managed"`))

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: a.factories(),
		CheckDestroy:             a.checkAuthorizationsDestroyed,
		Steps: []resource.TestStep{
			{Config: cfg, Check: a.checkGranted(product, app, "", "managed")},
			{
				PreConfig: func() {
					if err := a.client.RemoveAPIProductsAuthorities(ctx, app, []string{product}); err != nil {
						t.Fatalf("revoking out of band: %v", err)
					}
				},
				Config:           cfg,
				ConfigPlanChecks: expectAction(authorizationAddr, plancheck.ResourceActionCreate),
				Check:            a.checkGranted(product, app, "", "managed"),
			},
			{
				PreConfig: func() {
					if err := a.client.SetAppsAuthToAPIProduct(ctx, product, []int64{app}, cloudapi.GrantTerms{Description: "changed by hand"}); err != nil {
						t.Fatalf("re-granting out of band: %v", err)
					}
				},
				Config:           cfg,
				ConfigPlanChecks: expectAction(authorizationAddr, plancheck.ResourceActionUpdate),
				Check:            a.checkGranted(product, app, "", "managed"),
			},
			{
				PreConfig: func() {
					if err := a.fixtures.DeleteApp(ctx, app); err != nil {
						t.Fatalf("deleting the app out of band: %v", err)
					}
				},
				Config:      cfg,
				ExpectError: messageRegexp(fmt.Sprintf("App %d does not exist in region %s", app, a.region)),
			},
			{
				// The refresh removed the authorization from the state: nothing is left to destroy.
				Config: a.config(""),
			},
		},
	})
}

// TestAccAPIProductAuthorization_expired: an authorization whose auth_valid_time has passed is
// drift: the refresh removes it, and the plan fails saying to extend it; extending it grants again.
func TestAccAPIProductAuthorization_expired(t *testing.T) {
	emulatorOnly(t) // moves the emulator's clock
	var mu sync.Mutex
	now := time.Now().UTC().Truncate(time.Second)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	a := newAccTarget(t, emulator.WithClock(clock))
	product := a.newProduct()
	app, _ := a.newApp()
	// Within the emulator's 15-minute signature window, so requests stay valid after the jump.
	soon := now.Add(2 * time.Minute).Format(authValidTimeLayout)
	later := now.Add(30 * 24 * time.Hour).Format(authValidTimeLayout)
	factories := a.factories(func(p *apigatewayProvider) { p.now = clock })

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             a.checkAuthorizationsDestroyed,
		Steps: []resource.TestStep{
			{
				Config: a.config(authorizationConfig(product, app, fmt.Sprintf("auth_valid_time = %q", soon))),
				Check:  a.checkGranted(product, app, soon, ""),
			},
			{
				PreConfig: func() {
					mu.Lock()
					now = now.Add(3 * time.Minute)
					mu.Unlock()
				},
				Config:      a.config(authorizationConfig(product, app, fmt.Sprintf("auth_valid_time = %q", soon))),
				PlanOnly:    true,
				ExpectError: messageRegexp(fmt.Sprintf("auth_valid_time %s is in the past, so granting app %d access to API product %q would expire at once.", soon, app, product)),
			},
			{
				Config:           a.config(authorizationConfig(product, app, fmt.Sprintf("auth_valid_time = %q", later))),
				ConfigPlanChecks: expectAction(authorizationAddr, plancheck.ResourceActionCreate),
				Check:            a.checkGranted(product, app, later, ""),
			},
		},
	})
}

// TestAccAPIProductAuthorization_validation: bad arguments fail at validate time, before any call.
func TestAccAPIProductAuthorization_validation(t *testing.T) {
	a := newAccTarget(t)
	step := func(product, app, extra, msg string) resource.TestStep {
		return resource.TestStep{
			Config: a.config(fmt.Sprintf(`
resource "apigateway_api_product_authorization" "test" {
  api_product_id = %q
  app_id         = %q
  %s
}
`, product, app, extra)),
			PlanOnly:    true,
			ExpectError: messageRegexp(msg),
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: a.factories(),
		Steps: []resource.TestStep{
			step("p1", "app-1", "", `Attribute app_id must be the decimal digits of an app id, such as "110982419", got "app-1".`),
			step("p1", "0", "", `Attribute app_id must be a positive app id without leading zeros that fits in 64 bits, got "0".`),
			step("p1", "", "", `Attribute app_id is empty.`),
			step("p:1", "1", "", `Attribute api_product_id "p:1" contains ":", which separates the parts of the authorization id <api_product_id>:<app_id>.`),
			step("p1", "1", `auth_valid_time = "tomorrow"`, `Attribute auth_valid_time must be an RFC 3339 time such as "2030-06-30T16:00:00Z" or "2030-07-01T00:00:00+08:00", got "tomorrow".`),
			step("p1", "1", `auth_valid_time = "2030-01-01T00:00:00.5Z"`, `Attribute auth_valid_time must be in whole seconds (the service keeps no fractions), got "2030-01-01T00:00:00.5Z".`),
			step("p1", "1", `auth_valid_time = "2001-01-01T00:00:00Z"`, `auth_valid_time 2001-01-01T00:00:00Z is in the past`),
		},
	})
	if a.srv != nil {
		a.wantNoCall("SetAppsAuthToApiProduct", "during validation-only steps")
		a.wantNoCall("DescribeAppsByApiProduct", "during validation-only steps")
	}
}

// TestAccAPIProductAuthorization_importAndErrors: malformed import ids, an authorization that
// does not exist, and a product that does not exist.
func TestAccAPIProductAuthorization_importAndErrors(t *testing.T) {
	a := newAccTarget(t)
	product := a.newProduct()
	app, _ := a.newApp()
	missing := a.newProductID()

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: a.factories(),
		CheckDestroy:             a.checkAuthorizationsDestroyed,
		Steps: []resource.TestStep{
			{
				Config:      a.config(authorizationConfig(missing, app, "")),
				ExpectError: messageRegexp(fmt.Sprintf("API product %q does not exist in region %s", missing, a.region)),
			},
			{Config: a.config(authorizationConfig(product, app, ""))},
			{
				ResourceName:  authorizationAddr,
				ImportState:   true,
				ImportStateId: product,
				ExpectError:   messageRegexp(fmt.Sprintf(`Cannot import apigateway_api_product_authorization: expected an id of the form "<api_product_id>:<app_id>" (for example "117b7a64a8b3f064eaa4a47ac62aac5e:110982419"), got %q (1 part(s) separated by ":").`, product)),
			},
			{
				ResourceName:  authorizationAddr,
				ImportState:   true,
				ImportStateId: product + ":x1",
				ExpectError:   messageRegexp(`the app_id part must be the decimal digits of an app id`),
			},
			{
				ResourceName:  authorizationAddr,
				ImportState:   true,
				ImportStateId: product + ":999999999",
				ExpectError:   regexp.MustCompile(`Cannot import non-existent remote object`),
			},
		},
	})
}

// TestAccAPIProductAuthorization_identity: the identity is stored and imports (Terraform 1.12+).
func TestAccAPIProductAuthorization_identity(t *testing.T) {
	a := newAccTarget(t)
	product := a.newProduct()
	app, _ := a.newApp()
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		ProtoV6ProviderFactories: a.factories(),
		CheckDestroy:             a.checkAuthorizationsDestroyed,
		Steps: []resource.TestStep{
			{
				Config: a.config(authorizationConfig(product, app, "")),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(authorizationAddr, map[string]knownvalue.Check{
						"api_product_id": knownvalue.StringExact(product),
						"app_id":         knownvalue.StringExact(strconv.FormatInt(app, 10)),
					}),
					statecheck.ExpectIdentityValueMatchesState(authorizationAddr, tfjsonpath.New("app_id")),
				},
			},
			{ResourceName: authorizationAddr, ImportState: true, ImportStateKind: resource.ImportBlockWithResourceIdentity},
		},
	})
}

// TestAccAPIProductAuthorization_batchedAndShared: 20 authorizations of one product with the same
// terms are granted in a few SetAppsAuthToApiProduct calls (not 20), a refresh of all of them reads
// the product's apps once, and destroy revokes each app (one call per app: revokes are batched per app).
func TestAccAPIProductAuthorization_batchedAndShared(t *testing.T) {
	emulatorOnly(t)
	a := newAccTarget(t)
	product := a.newProduct()
	const n = 20
	apps := make([]string, n)
	for i := range apps {
		id, _ := a.newApp()
		apps[i] = strconv.FormatInt(id, 10)
	}
	cfg := a.config(fmt.Sprintf(`
variable "apps" {
  type    = list(string)
  default = ["%s"]
}

resource "apigateway_api_product_authorization" "test" {
  count          = length(var.apps)
  api_product_id = %q
  app_id         = var.apps[count.index]
  description    = "batched"
}
`, strings.Join(apps, `", "`), product))
	var grants, listings int
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: a.factories(),
		CheckDestroy:             a.checkAuthorizationsDestroyed,
		Steps: []resource.TestStep{
			{
				PreConfig: func() { grants = a.settledCount("SetAppsAuthToApiProduct") },
				Config:    cfg,
				Check: func(*terraform.State) error {
					if got, _ := a.srv.ProductGrants(a.account, a.region, product); len(got) != n {
						return fmt.Errorf("%d apps authorized, want %d", len(got), n)
					}
					calls := a.srv.RequestCount("SetAppsAuthToApiProduct", "") - grants
					t.Logf("%d grants took %d SetAppsAuthToApiProduct calls", n, calls)
					if calls > n/4 {
						return fmt.Errorf("%d grants took %d SetAppsAuthToApiProduct calls, want them batched", n, calls)
					}
					return nil
				},
			},
			{
				// The plan (with its refresh) is checked before anything else runs.
				PreConfig: func() { listings = a.settledCount("DescribeAppsByApiProduct") },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
					planCheckFunc(func() error {
						if calls := a.settledCount("DescribeAppsByApiProduct") - listings; calls < 1 || calls > 2 {
							return fmt.Errorf("refreshing %d authorizations took %d DescribeAppsByApiProduct calls, want 1", n, calls)
						}
						return nil
					}),
				}},
			},
		},
	})
}

// planCheckFunc is a plan check that runs f (to look at the backend when the plan is made).
type planCheckFunc func() error

func (f planCheckFunc) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = f()
}
