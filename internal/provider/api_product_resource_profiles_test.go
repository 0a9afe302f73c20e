package provider

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aliyun/credentials-go/credentials"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/cloudapi/terraform-provider-apigateway/internal/cloudapi"
	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator"
	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator/model"
)

// productConfigWith is productConfig with extra lines (a timeouts block) inside the resource.
func productConfigWith(productID, extra string, refs ...cloudapi.APIRef) string {
	cfg := productConfig(productID, refs...)
	return strings.TrimSuffix(cfg, "}\n") + extra + "\n}\n"
}

// listingReader reads products as a refresh in a new Terraform command does: through a client of
// its own, which has made no writes, so its listings show only what the service lists.
type listingReader struct {
	t      *testing.T
	a      *accTarget
	client *cloudapi.Client
}

func newListingReader(t *testing.T, a *accTarget) *listingReader {
	t.Helper()
	cred, err := credentials.NewCredential(new(credentials.Config).SetType("access_key").
		SetAccessKeyId(emulator.DefaultAccessKeyID).SetAccessKeySecret(emulator.DefaultAccessKeySecret))
	if err != nil {
		t.Fatal(err)
	}
	c, err := cloudapi.New(cloudapi.Config{RegionID: a.region, Endpoint: a.srv.Endpoint(), Protocol: "HTTP", Credential: cred, Retry: fastRetry, UserAgent: "tf-testacc"})
	if err != nil {
		t.Fatal(err)
	}
	return &listingReader{t: t, a: a, client: c}
}

// waitListed waits until the product's listing shows exactly want (none: the product is unknown or
// empty): a condition, so the commands that follow never race a visibility delay.
func (l *listingReader) waitListed(product string, want ...cloudapi.APIRef) {
	l.t.Helper()
	want = slices.Clone(want)
	slices.SortFunc(want, comparePairs)
	var got []cloudapi.APIRef
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		infos, err := l.client.ListProductAPIs(context.Background(), product, cloudapi.Strict)
		if err != nil && !isGone(err) {
			continue
		}
		got = refsOfInfos(infos)
		slices.SortFunc(got, comparePairs)
		if slices.Equal(got, want) {
			return
		}
	}
	l.t.Fatalf("the listing of %s shows %v, want %v", product, got, want)
}

// waitHeld waits until the emulator's product holds exactly want, whatever its listing shows yet;
// exists false waits until the product is gone.
func waitHeld(t *testing.T, a *accTarget, product string, exists bool, want ...cloudapi.APIRef) {
	t.Helper()
	want = slices.Clone(want)
	slices.SortFunc(want, comparePairs)
	var got []cloudapi.APIRef
	var ok bool
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		got, ok, _ = a.productPairs(product)
		if ok == exists && (!exists || slices.Equal(got, want)) {
			return
		}
	}
	t.Fatalf("API product %s: exists %v holding %v, want exists %v holding %v", product, ok, got, exists, want)
}

// failingProxy stands between the provider and the emulator: while fail is set, every request for
// action after the first pass is answered with status and code. With applied set, the request is
// served by the emulator first and only its answer replaced (applied, answer lost); otherwise it
// never reaches the emulator.
type failingProxy struct {
	srv     *httptest.Server
	fail    atomic.Bool
	matched atomic.Int32
}

func newFailingProxy(t *testing.T, a *accTarget, action string, pass int32, applied bool, status int, code string) *failingProxy {
	t.Helper()
	target, err := url.Parse("http://" + a.srv.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	p := &failingProxy{}
	p.fail.Store(true)
	rp := httputil.NewSingleHostReverseProxy(target)
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("x-acs-action") != action || !p.fail.Load() || p.matched.Add(1) <= pass {
			rp.ServeHTTP(w, r) // the Host header the client signed is kept
			return
		}
		if applied {
			rp.ServeHTTP(httptest.NewRecorder(), r)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"RequestId":"proxy-%d","Code":%q,"Message":"injected by the test proxy"}`, time.Now().UnixNano(), code)
	}))
	t.Cleanup(p.srv.Close)
	a.endpoint = p.srv.Listener.Addr().String()
	return p
}

// TestAccAPIProduct_createOverExisting (issue 14 §1): a product that already holds a declared pair
// and an undeclared one is taken over in one apply, with one attach (of the missing pair only) and
// one detach (of the undeclared pair); the plan after it is empty.
func TestAccAPIProduct_createOverExisting(t *testing.T) {
	emulatorOnly(t)
	a := newAccTarget(t)
	gid, gname := a.newGroup()
	x, y := a.newAPI(gid, gname, "RELEASE", "PRE"), a.newAPI(gid, gname, "RELEASE")
	product := a.newProductID()
	declared, stray, missing := cloudapi.APIRef{APIID: x.APIID, StageName: "RELEASE"}, cloudapi.APIRef{APIID: y.APIID, StageName: "RELEASE"}, cloudapi.APIRef{APIID: x.APIID, StageName: "PRE"}
	if err := a.client.AttachAPIProduct(context.Background(), product, []cloudapi.APIRef{declared, stray}); err != nil {
		t.Fatal(err)
	}
	attachBefore, detachBefore := a.settledCount("AttachApiProduct"), a.settledCount("DetachApiProduct")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: a.factories(),
		CheckDestroy:             a.checkProductsDestroyed,
		Steps: []resource.TestStep{
			{
				Config:           a.config(productConfig(product, declared, missing)),
				ConfigPlanChecks: expectAction(productAddr, plancheck.ResourceActionCreate),
				Check: resource.ComposeAggregateTestCheckFunc(
					a.checkProductPairs(product, declared, missing),
					func(*terraform.State) error {
						if n, m := a.settledCount("AttachApiProduct")-attachBefore, a.settledCount("DetachApiProduct")-detachBefore; n != 1 || m != 1 {
							return fmt.Errorf("create made %d attach and %d detach calls, want 1 and 1", n, m)
						}
						return nil
					},
				),
			},
			// terraform-plugin-testing also plans after every apply and fails on a non-empty plan.
			{Config: a.config(productConfig(product, declared, missing)), PlanOnly: true},
		},
	})
}

// TestAccAPIProduct_importAnyOrder (issue 14 §2): importing a product whose listing order differs
// from the configuration's plans no change, and so does the plan after it.
func TestAccAPIProduct_importAnyOrder(t *testing.T) {
	emulatorOnly(t)
	a := newAccTarget(t)
	gid, gname := a.newGroup()
	x, y := a.newAPI(gid, gname, "RELEASE", "PRE"), a.newAPI(gid, gname, "RELEASE")
	product := a.newProductID()
	pairs := readOrder([]cloudapi.APIRef{{APIID: x.APIID, StageName: "RELEASE"}, {APIID: x.APIID, StageName: "PRE"}, {APIID: y.APIID, StageName: "RELEASE"}})
	if err := a.client.AttachAPIProduct(context.Background(), product, pairs); err != nil {
		t.Fatal(err)
	}
	reversed := slices.Clone(pairs)
	slices.Reverse(reversed) // RELEASE after PRE: not the order Read reports
	cfg := a.config(productConfigInOrder(product, reversed...))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: a.factories(),
		CheckDestroy:             a.checkProductsDestroyed,
		Steps: []resource.TestStep{
			{
				Config: cfg + fmt.Sprintf("\nimport {\n  to = %s\n  id = %q\n}\n", productAddr, product),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(productAddr, plancheck.ResourceActionNoop),
				}},
				Check: a.checkProductPairs(product, pairs...),
			},
			{Config: cfg, PlanOnly: true},
		},
	})
}

// TestAPIProduct_identityImportPlansNothing (issue 14 §2) drives import by identity, the refresh
// and the plan through the protocol server, since the CLI imports by identity only from Terraform
// 1.12, under every behaviour profile: with the configuration listing the pairs in another order
// than the listing, the planned state is the prior state.
func TestAPIProduct_identityImportPlansNothing(t *testing.T) {
	eachProfile(t, false, func(t *testing.T, bh model.Behaviour) {
		a := newAccTarget(t, emulator.WithBehaviour(bh))
		gid, gname := a.newGroup()
		x, y := a.newAPI(gid, gname, "RELEASE", "PRE"), a.newAPI(gid, gname, "RELEASE")
		product := a.newProductID()
		pairs := readOrder([]cloudapi.APIRef{{APIID: x.APIID, StageName: "RELEASE"}, {APIID: x.APIID, StageName: "PRE"}, {APIID: y.APIID, StageName: "RELEASE"}})
		ctx := context.Background()
		if err := a.client.AttachAPIProduct(ctx, product, pairs); err != nil {
			t.Fatal(err)
		}
		newListingReader(t, a).waitListed(product, pairs...)
		p := a.newProtoServer()
		p.configure(a)
		const typeName = "apigateway_api_product"
		ids, err := p.srv.GetResourceIdentitySchemas(ctx, &tfprotov6.GetResourceIdentitySchemasRequest{})
		if err != nil {
			t.Fatal(err)
		}
		idType := ids.IdentitySchemas[typeName].ValueType().(tftypes.Object)
		identity := &tfprotov6.ResourceIdentityData{IdentityData: dynamicValue(t, idType, tftypes.NewValue(idType, map[string]tftypes.Value{
			"api_product_id": tftypes.NewValue(tftypes.String, product),
		}))}
		imported, err := p.srv.ImportResourceState(ctx, &tfprotov6.ImportResourceStateRequest{TypeName: typeName, Identity: identity})
		if err != nil {
			t.Fatal(err)
		}
		failOnErrors(t, "import by identity", imported.Diagnostics)
		read, err := p.srv.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: typeName, CurrentState: imported.ImportedResources[0].State,
			CurrentIdentity: imported.ImportedResources[0].Identity})
		if err != nil {
			t.Fatal(err)
		}
		failOnErrors(t, "read after import", read.Diagnostics)

		resType := p.schema.ResourceSchemas[typeName].ValueType().(tftypes.Object)
		apisType := resType.AttributeTypes["apis"].(tftypes.List)
		pairType := apisType.ElementType.(tftypes.Object)
		reversed := slices.Clone(pairs)
		slices.Reverse(reversed)
		var elems []tftypes.Value
		for _, r := range reversed {
			elems = append(elems, tftypes.NewValue(pairType, map[string]tftypes.Value{
				"api_id": tftypes.NewValue(tftypes.String, r.APIID), "stage_name": tftypes.NewValue(tftypes.String, r.StageName)}))
		}
		value := func(id tftypes.Value) tftypes.Value {
			return objectValue(resType, map[string]tftypes.Value{
				"id": id, "api_product_id": tftypes.NewValue(tftypes.String, product), "apis": tftypes.NewValue(apisType, elems)})
		}
		plan, err := p.srv.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
			TypeName: typeName, PriorState: read.NewState, PriorPrivate: read.Private, PriorIdentity: read.NewIdentity,
			ProposedNewState: dynamicValue(t, resType, value(tftypes.NewValue(tftypes.String, product))),
			Config:           dynamicValue(t, resType, value(tftypes.NewValue(tftypes.String, nil))),
		})
		if err != nil {
			t.Fatal(err)
		}
		failOnErrors(t, "plan", plan.Diagnostics)
		prior, err := read.NewState.Unmarshal(resType)
		if err != nil {
			t.Fatal(err)
		}
		planned, err := plan.PlannedState.Unmarshal(resType)
		if err != nil {
			t.Fatal(err)
		}
		if !planned.Equal(prior) || len(plan.RequiresReplace) > 0 {
			t.Errorf("the configuration in another order plans a change:\nprior   %v\nplanned %v", prior, planned)
		}
	})
}

// TestAccAPIProduct_createRecordsPartialFailure (issue 17 scenario 4): 150 pairs are two attach
// calls; the first succeeds and the second fails. Create saves what the product holds, so
// Terraform records it as tainted and the next apply replaces it (rather than creating it again
// over an untracked product), and destroy deletes it. A 5xx past every retry may have been
// applied, so its pairs are kept too; a refusal was not, so only the first call's are.
func TestAccAPIProduct_createRecordsPartialFailure(t *testing.T) {
	emulatorOnly(t)
	for _, tc := range []struct {
		name   string
		status int
		code   string
		held   int // pairs the failed create records
	}{
		{"503 past retries", http.StatusServiceUnavailable, "ServiceUnavailable", 150},
		{"refused", http.StatusBadRequest, "InvalidParameter", 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := newAccTarget(t)
			_, _, apis := a.seedAttachedAPIs(a.newProductID(), 75, "RELEASE")
			var pairs []cloudapi.APIRef
			for _, api := range apis {
				pairs = append(pairs, cloudapi.APIRef{APIID: api.ID, StageName: "RELEASE"}, cloudapi.APIRef{APIID: api.ID, StageName: "PRE"})
			}
			product := a.newProductID()
			proxy := newFailingProxy(t, a, "AttachApiProduct", 1, false, tc.status, tc.code)
			cfg := a.config(productConfig(product, pairs...))
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: a.factories(),
				CheckDestroy:             a.checkProductsDestroyed,
				Steps: []resource.TestStep{
					{Config: cfg, ExpectError: messageRegexp(fmt.Sprintf("the state records it, %d pairs", tc.held))},
					{
						PreConfig: func() {
							waitHeld(t, a, product, true, readOrder(pairs)[:100]...)
							proxy.fail.Store(false)
						},
						Config: cfg,
						// Replace, not create: the failed create was saved, tainted.
						ConfigPlanChecks: expectAction(productAddr, plancheck.ResourceActionReplace),
						Check:            a.checkProductPairs(product, pairs...),
					},
				},
			})
		})
	}
}

// TestAccAPIProduct_visibilityGrace (issue 17 scenario 8): while the service does not list a fresh
// attach yet, or still lists a fresh detach, the refresh right after the apply keeps what the apply
// did, so the plan is empty. The delays are shorter than cloudapi.VisibilityGrace and longer than
// the test, so every refresh here falls inside them, however loaded the machine.
func TestAccAPIProduct_visibilityGrace(t *testing.T) {
	emulatorOnly(t)
	const delay = 90 * time.Second
	for _, tc := range []struct {
		name string
		bh   model.Behaviour
	}{
		{"attach", model.Behaviour{AttachVisibilityDelay: delay}},
		{"detach", model.Behaviour{DetachVisibilityDelay: delay}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := newAccTarget(t, emulator.WithBehaviour(tc.bh))
			x := a.newDeployedAPI("RELEASE", "PRE")
			product := a.newProductID()
			both := []cloudapi.APIRef{{APIID: x.APIID, StageName: "RELEASE"}, {APIID: x.APIID, StageName: "PRE"}}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: a.factories(),
				CheckDestroy:             a.checkProductsDestroyed,
				Steps: []resource.TestStep{
					// Each apply is followed by a refresh and a plan that must be empty.
					{Config: a.config(productConfig(product, both...)), Check: a.checkProductPairs(product, both...)},
					{Config: a.config(productConfig(product, both[0])), Check: a.checkProductPairs(product, both[0])},
					{Config: a.config(productConfig(product, both[0])), PlanOnly: true},
				},
			})
		})
	}
}

// TestAccAPIProduct_profiles runs apigateway_api_product under every behaviour profile: create over
// a product that holds a declared and an undeclared pair, import by id, drift both ways, update,
// reordering, the product deleted out of band (the next apply makes it again), and destroy after
// out-of-band removal. Every apply is followed by an empty plan (terraform-plugin-testing checks).
// Waits are on the service's listing (listingReader), never on the delays.
func TestAccAPIProduct_profiles(t *testing.T) {
	eachProfile(t, true, func(t *testing.T, bh model.Behaviour) {
		a := newAccTarget(t, emulator.WithBehaviour(bh))
		l := newListingReader(t, a)
		gid, gname := a.newGroup()
		x, y := a.newAPI(gid, gname, "RELEASE", "PRE"), a.newAPI(gid, gname, "RELEASE", "PRE")
		product := a.newProductID()
		fresh, adopted := cloudapi.APIRef{APIID: x.APIID, StageName: "RELEASE"}, cloudapi.APIRef{APIID: x.APIID, StageName: "PRE"}
		stray, later := cloudapi.APIRef{APIID: y.APIID, StageName: "PRE"}, cloudapi.APIRef{APIID: y.APIID, StageName: "RELEASE"}
		first, second := []cloudapi.APIRef{fresh, adopted}, []cloudapi.APIRef{fresh, later}
		reversed := readOrder(second)
		slices.Reverse(reversed)
		ctx := context.Background()
		outOfBand := func(attach, detach []cloudapi.APIRef) {
			if len(attach) > 0 {
				if err := a.client.AttachAPIProduct(ctx, product, attach); err != nil {
					t.Fatalf("attaching out of band: %v", err)
				}
			}
			if len(detach) > 0 {
				if err := a.client.DetachAPIProduct(ctx, product, detach); err != nil {
					t.Fatalf("detaching out of band: %v", err)
				}
			}
		}
		deleteOutOfBand := func() {
			if err := a.client.DeleteAPIProduct(ctx, product); err != nil {
				t.Fatalf("deleting the product out of band: %v", err)
			}
			l.waitListed(product)
		}
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: a.factories(),
			CheckDestroy:             a.checkProductsDestroyed,
			Steps: []resource.TestStep{
				{
					// Create over existing pairs: adopted is kept as it is (a duplicate-refusing
					// service would refuse to attach it again), stray is detached.
					PreConfig: func() {
						outOfBand([]cloudapi.APIRef{adopted, stray}, nil)
						l.waitListed(product, adopted, stray)
					},
					Config:           a.config(productConfig(product, first...)),
					ConfigPlanChecks: expectAction(productAddr, plancheck.ResourceActionCreate),
					Check:            a.checkProductPairs(product, first...),
				},
				{
					PreConfig:         func() { l.waitListed(product, first...) },
					ResourceName:      productAddr,
					ImportState:       true,
					ImportStateVerify: true,
				},
				{
					// Writes are trusted over a listing that does not show them for
					// cloudapi.VisibilityGrace, or until a refresh sees them listed: from then on,
					// a change is drift.
					RefreshState: true,
				},
				{
					// Drift both ways: a declared pair detached, an undeclared one attached.
					PreConfig: func() {
						outOfBand([]cloudapi.APIRef{stray}, []cloudapi.APIRef{fresh})
						l.waitListed(product, adopted, stray)
					},
					Config:           a.config(productConfig(product, first...)),
					ConfigPlanChecks: expectAction(productAddr, plancheck.ResourceActionUpdate),
					Check:            a.checkProductPairs(product, first...),
				},
				{
					Config:           a.config(productConfig(product, second...)),
					ConfigPlanChecks: expectAction(productAddr, plancheck.ResourceActionUpdate),
					Check:            a.checkProductPairs(product, second...),
				},
				{
					Config:           a.config(productConfigInOrder(product, reversed...)),
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				},
				{
					// Once the service lists the update, a refresh confirms it: from then on
					// the listing alone is the truth.
					PreConfig:    func() { l.waitListed(product, second...) },
					RefreshState: true,
				},
				{
					// Deleted out of band: the next apply makes it again (a create, or an
					// update of an empty product where the service lists unknown products as
					// empty).
					PreConfig: deleteOutOfBand,
					Config:    a.config(productConfigInOrder(product, reversed...)),
					Check:     a.checkProductPairs(product, second...),
				},
				{
					// Removed out of band again: the final destroy ends without errors.
					PreConfig: func() {
						l.waitListed(product, second...)
						outOfBand(nil, second)
						l.waitListed(product)
					},
					RefreshState:       true,
					ExpectNonEmptyPlan: true,
				},
			},
		})
	})
}

// TestAccAPIProduct_unknownOutcomeProfiles (issue 17 scenario 4) runs, under every behaviour
// profile, an attach of a create and an attach of an update whose answers never come back (the
// calls time out; the emulator applies them when the provider hangs up, before or after the
// listing that follows, and under a visibility delay that listing does not show them), and a
// delete whose answers are all lost. Each time the state keeps what may have been applied: the
// failed create is saved, tainted, and the next apply replaces it (a duplicate-refusing service
// does not refuse it forever); the failed update keeps the pair it may have attached, so the plan
// after it shows only what is left to do; the failed delete keeps the product.
func TestAccAPIProduct_unknownOutcomeProfiles(t *testing.T) {
	const (
		// Long enough for the calls that must succeed on a loaded machine.
		timeouts = "  timeouts {\n    create = \"3s\"\n    update = \"3s\"\n    delete = \"3s\"\n  }"
		// Past the timeouts, so the answer never reaches the provider; it costs no time, since the
		// emulator stops waiting and applies the call as soon as the provider hangs up.
		late = time.Minute
	)
	eachProfile(t, true, func(t *testing.T, bh model.Behaviour) {
		a := newAccTarget(t, emulator.WithBehaviour(bh))
		l := newListingReader(t, a)
		x := a.newDeployedAPI("RELEASE", "PRE")
		y := a.newDeployedAPI("RELEASE")
		product := a.newProductID()
		first := []cloudapi.APIRef{{APIID: x.APIID, StageName: "RELEASE"}, {APIID: x.APIID, StageName: "PRE"}}
		grown := append(slices.Clone(first), cloudapi.APIRef{APIID: y.APIID, StageName: "RELEASE"})
		second := grown[1:]
		cfg := func(refs ...cloudapi.APIRef) string { return a.config(productConfigWith(product, timeouts, refs...)) }
		slow := func(action string) func() {
			return func() {
				a.srv.InjectFault(emulator.Fault{Action: action, Kind: emulator.FaultLatency, Latency: late, Count: 1})
			}
		}
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: a.factories(),
			CheckDestroy:             a.checkProductsDestroyed,
			Steps: []resource.TestStep{
				{PreConfig: slow("AttachApiProduct"), Config: cfg(first...), ExpectError: messageRegexp("API product only partly created")},
				{
					PreConfig:        func() { waitHeld(t, a, product, true, first...) },
					Config:           cfg(first...),
					ConfigPlanChecks: expectAction(productAddr, plancheck.ResourceActionReplace),
					Check:            a.checkProductPairs(product, first...),
				},
				{
					// The update attaches y, then would detach x in RELEASE: the attach never answers.
					PreConfig:   slow("AttachApiProduct"),
					Config:      cfg(second...),
					ExpectError: messageRegexp("API product only partly updated"),
				},
				{
					// y is in the state: the plan with it declared is empty.
					PreConfig: func() { waitHeld(t, a, product, true, grown...) },
					Config:    cfg(grown...),
					PlanOnly:  true,
				},
				{Config: cfg(second...), Check: a.checkProductPairs(product, second...)},
				{PreConfig: func() { l.waitListed(product, second...) }, RefreshState: true},
				{
					// Every answer to the delete is lost, and it was not applied.
					PreConfig: func() {
						a.srv.InjectFault(emulator.Fault{Action: "DeleteApiProduct", Kind: emulator.FaultDrop, Count: 100})
					},
					Config:      cfg(second...),
					Destroy:     true,
					ExpectError: messageRegexp("The product stays in the state."),
				},
				{
					// It is still in the state, as it is on the service.
					PreConfig: a.srv.ClearFaults,
					Config:    cfg(second...),
					PlanOnly:  true,
					Check:     a.checkProductPairs(product, second...),
				},
			},
		})
	})
}

// TestAccAPIProduct_deleteAnswerLost: the delete is applied but every answer to it is lost (a 503
// past every retry). A listing settles it: the product is gone, so destroy succeeds instead of
// keeping a product that no longer exists.
func TestAccAPIProduct_deleteAnswerLost(t *testing.T) {
	emulatorOnly(t)
	a := newAccTarget(t)
	x := a.newDeployedAPI("RELEASE")
	product := a.newProductID()
	proxy := newFailingProxy(t, a, "DeleteApiProduct", 0, true, http.StatusServiceUnavailable, "ServiceUnavailable")
	proxy.fail.Store(false)
	cfg := a.config(productConfig(product, cloudapi.APIRef{APIID: x.APIID, StageName: "RELEASE"}))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: a.factories(),
		CheckDestroy:             a.checkProductsDestroyed,
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig: func() { proxy.fail.Store(true) },
				Config:    cfg,
				Destroy:   true,
				Check: func(*terraform.State) error {
					if _, exists, _ := a.productPairs(product); exists {
						return fmt.Errorf("API product %s still exists", product)
					}
					if proxy.matched.Load() == 0 {
						return fmt.Errorf("the proxy saw no DeleteApiProduct")
					}
					return nil
				},
			},
		},
	})
}

// TestAccAPIProduct_createRefusedRecordsNothing: a create whose only attach is refused leaves
// nothing to track; nothing is saved, and the next apply creates the product.
func TestAccAPIProduct_createRefusedRecordsNothing(t *testing.T) {
	emulatorOnly(t)
	a := newAccTarget(t)
	x := a.newDeployedAPI("RELEASE")
	product := a.newProductID()
	pairs := []cloudapi.APIRef{{APIID: x.APIID, StageName: "RELEASE"}}
	proxy := newFailingProxy(t, a, "AttachApiProduct", 0, false, http.StatusBadRequest, "InvalidParameter")
	cfg := a.config(productConfig(product, pairs...))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: a.factories(),
		CheckDestroy:             a.checkProductsDestroyed,
		Steps: []resource.TestStep{
			{Config: cfg, ExpectError: messageRegexp("shows that nothing was applied")},
			{
				PreConfig:        func() { proxy.fail.Store(false) },
				Config:           cfg,
				ConfigPlanChecks: expectAction(productAddr, plancheck.ResourceActionCreate),
				Check:            a.checkProductPairs(product, pairs...),
			},
		},
	})
}

// TestAPIProduct_updateRetriesRefusedWrite: an update planned from a state that is out of date (a
// pair attached, or detached, out of band since the refresh, as with -refresh=false) is refused by
// a service that refuses duplicate attaches, or detaches of unattached pairs. The update lists
// the product and converges from what it holds, in the same apply.
func TestAPIProduct_updateRetriesRefusedWrite(t *testing.T) {
	emulatorOnly(t)
	for _, tc := range []struct {
		name        string
		bh          model.Behaviour
		before      int // pairs in the prior state
		outOfBand   func(ctx context.Context, a *accTarget, product string, pairs []cloudapi.APIRef) error
		want, after int // pairs planned, and pairs attached at the end
	}{
		{"duplicate attach", model.Behaviour{RefuseDuplicateAttach: true}, 1,
			func(ctx context.Context, a *accTarget, product string, pairs []cloudapi.APIRef) error {
				return a.client.AttachAPIProduct(ctx, product, pairs[1:2])
			}, 2, 2},
		{"detach of an unattached pair", model.Behaviour{RefuseDetachUnattached: true}, 2,
			func(ctx context.Context, a *accTarget, product string, pairs []cloudapi.APIRef) error {
				return a.client.DetachAPIProduct(ctx, product, pairs[1:2])
			}, 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := newAccTarget(t, emulator.WithBehaviour(tc.bh))
			x := a.newDeployedAPI("RELEASE", "PRE")
			product := a.newProductID()
			pairs := []cloudapi.APIRef{{APIID: x.APIID, StageName: "RELEASE"}, {APIID: x.APIID, StageName: "PRE"}}
			ctx := context.Background()
			if err := a.client.AttachAPIProduct(ctx, product, pairs[:tc.before]); err != nil {
				t.Fatal(err)
			}
			p := a.newProtoServer()
			p.configure(a)
			const typeName = "apigateway_api_product"
			imported, err := p.srv.ImportResourceState(ctx, &tfprotov6.ImportResourceStateRequest{TypeName: typeName, ID: product})
			if err != nil {
				t.Fatal(err)
			}
			failOnErrors(t, "import", imported.Diagnostics)
			read, err := p.srv.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: typeName, CurrentState: imported.ImportedResources[0].State})
			if err != nil {
				t.Fatal(err)
			}
			failOnErrors(t, "read", read.Diagnostics)
			if err := tc.outOfBand(ctx, a, product, pairs); err != nil {
				t.Fatal(err)
			}

			resType := p.schema.ResourceSchemas[typeName].ValueType().(tftypes.Object)
			apisType := resType.AttributeTypes["apis"].(tftypes.List)
			pairType := apisType.ElementType.(tftypes.Object)
			var elems []tftypes.Value
			for _, r := range pairs[:tc.want] {
				elems = append(elems, tftypes.NewValue(pairType, map[string]tftypes.Value{
					"api_id": tftypes.NewValue(tftypes.String, r.APIID), "stage_name": tftypes.NewValue(tftypes.String, r.StageName)}))
			}
			value := func(id tftypes.Value) *tfprotov6.DynamicValue {
				return dynamicValue(t, resType, objectValue(resType, map[string]tftypes.Value{
					"id": id, "api_product_id": tftypes.NewValue(tftypes.String, product), "apis": tftypes.NewValue(apisType, elems)}))
			}
			config := value(tftypes.NewValue(tftypes.String, nil))
			plan, err := p.srv.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
				TypeName: typeName, PriorState: read.NewState, PriorPrivate: read.Private,
				ProposedNewState: value(tftypes.NewValue(tftypes.String, product)), Config: config,
			})
			if err != nil {
				t.Fatal(err)
			}
			failOnErrors(t, "plan", plan.Diagnostics)
			applied, err := p.srv.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{
				TypeName: typeName, PriorState: read.NewState, PlannedState: plan.PlannedState, PlannedPrivate: plan.PlannedPrivate, Config: config,
			})
			if err != nil {
				t.Fatal(err)
			}
			failOnErrors(t, "apply", applied.Diagnostics)
			if err := a.checkProductPairs(product, pairs[:tc.after]...)(nil); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestAccAPIProduct_empty: apis = [] means a product with no pairs. Over an existing product, the
// create detaches every pair; for a product that does not exist, nothing is sent and the refresh
// keeps the resource (an unknown product holds no pairs); the plan after each apply is empty, and
// destroy deletes what exists.
func TestAccAPIProduct_empty(t *testing.T) {
	emulatorOnly(t)
	a := newAccTarget(t)
	x := a.newDeployedAPI("RELEASE", "PRE")
	emptied, never := a.newProductID(), a.newProductID()
	pairs := []cloudapi.APIRef{{APIID: x.APIID, StageName: "RELEASE"}, {APIID: x.APIID, StageName: "PRE"}}
	if err := a.client.AttachAPIProduct(context.Background(), emptied, pairs); err != nil {
		t.Fatal(err)
	}
	never1 := fmt.Sprintf("\nresource \"apigateway_api_product\" \"never\" {\n  api_product_id = %q\n  apis           = []\n}\n", never)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: a.factories(),
		CheckDestroy:             a.checkProductsDestroyed,
		Steps: []resource.TestStep{
			{
				Config: a.config(productConfig(emptied) + never1),
				Check: resource.ComposeAggregateTestCheckFunc(
					a.checkProductPairs(emptied),
					resource.TestCheckResourceAttr(productAddr, "apis.#", "0"),
					resource.TestCheckResourceAttr("apigateway_api_product.never", "apis.#", "0"),
					func(*terraform.State) error {
						if _, exists, _ := a.productPairs(never); exists {
							return fmt.Errorf("API product %s was created", never)
						}
						return nil
					},
				),
			},
			{
				Config:           a.config(productConfig(emptied, pairs[0]) + never1),
				ConfigPlanChecks: expectAction(productAddr, plancheck.ResourceActionUpdate),
				Check:            a.checkProductPairs(emptied, pairs[0]),
			},
			{
				Config:           a.config(productConfig(emptied) + never1),
				ConfigPlanChecks: expectAction(productAddr, plancheck.ResourceActionUpdate),
				Check:            a.checkProductPairs(emptied),
			},
		},
	})
}
