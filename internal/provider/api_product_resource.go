package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/cloudapi/terraform-provider-apigateway/internal/cloudapi"
)

var (
	_ resource.Resource                = (*apiProductResource)(nil)
	_ resource.ResourceWithConfigure   = (*apiProductResource)(nil)
	_ resource.ResourceWithImportState = (*apiProductResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*apiProductResource)(nil)
	_ resource.ResourceWithIdentity    = (*apiProductResource)(nil)
)

// NewAPIProductResource returns the apigateway_api_product resource.
func NewAPIProductResource() resource.Resource {
	return &apiProductResource{}
}

// apiProductResource manages a whole API product: exactly the set of (API, stage) pairs in apis.
type apiProductResource struct {
	data *providerData
}

type apiProductModel struct {
	ID           types.String   `tfsdk:"id"`
	APIProductID types.String   `tfsdk:"api_product_id"`
	APIs         apiPairsValue  `tfsdk:"apis"`
	Timeouts     timeouts.Value `tfsdk:"timeouts"`
}

type apiProductIdentityModel struct {
	APIProductID types.String `tfsdk:"api_product_id"`
}

// apis is a list attribute of objects, with set semantics (api_pairs_type.go), rather than a set
// of nested attributes: the framework walks nested attributes element by element, and compares sets
// element against element, so 1,000 pairs cost tens of seconds per plan. apiPairsValidator checks
// the elements.

// apiRefAttrTypes is the object type of one element of apis.
var apiRefAttrTypes = map[string]attr.Type{"api_id": types.StringType, "stage_name": types.StringType}

// refsOf reads apis, in their order; ok is false while it or an element is unknown.
func refsOf(v apiPairsValue) (refs []cloudapi.APIRef, ok bool) {
	if v.IsNull() || v.IsUnknown() {
		return nil, false
	}
	for _, e := range v.Elements() {
		r, ok := pairOf(e)
		if !ok {
			return nil, false
		}
		refs = append(refs, r)
	}
	return refs, true
}

// listOf renders pairs as apis, in a stable order (the framework keeps the prior order when the
// pairs are the same).
func listOf(refs []cloudapi.APIRef, diags *diag.Diagnostics) apiPairsValue {
	refs = slices.Clone(refs)
	slices.SortFunc(refs, comparePairRefs)
	elems := make([]attr.Value, 0, len(refs))
	for _, r := range refs {
		o, d := types.ObjectValue(apiRefAttrTypes, map[string]attr.Value{
			"api_id": types.StringValue(r.APIID), "stage_name": types.StringValue(r.StageName),
		})
		diags.Append(d...)
		elems = append(elems, o)
	}
	l, d := types.ListValue(apiPairObjectType, elems)
	diags.Append(d...)
	return apiPairsValue{ListValue: l}
}

// difference is the pairs of a not in b.
func difference(a, b []cloudapi.APIRef) []cloudapi.APIRef {
	in := make(map[cloudapi.APIRef]bool, len(b))
	for _, r := range b {
		in[r] = true
	}
	var out []cloudapi.APIRef
	for _, r := range a {
		if !in[r] {
			out = append(out, r)
		}
	}
	return out
}

func setProductIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, productID string, diags *diag.Diagnostics) {
	if identity != nil {
		diags.Append(identity.Set(ctx, apiProductIdentityModel{APIProductID: types.StringValue(productID)})...)
	}
}

// Metadata implements resource.Resource.
func (r *apiProductResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_api_product"
}

// Schema implements resource.Resource.
func (r *apiProductResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages a whole API Gateway **API product**, authoritatively: the resource owns every (API, stage) pair of the product, " +
			"and after an apply the product holds exactly the pairs in `apis`. " +
			"Create reads the product once (`DescribeApiProductApis`): a product that exists already is taken over, its declared pairs kept as they are, " +
			"the missing ones attached (`AttachApiProduct`, 100 pairs per call, which also creates the product) and the undeclared ones detached (`DetachApiProduct`). " +
			"An update attaches what was added and detaches what was removed in as few calls as possible, " +
			"a refresh reads the product's real set (every page), so a pair attached outside Terraform shows " +
			"as a change that detaches it, and destroy deletes the product (`DeleteApiProduct`).\n\n" +
			"A product is managed either by this resource or by `apigateway_api_product_attachment` resources, never both: each would " +
			"undo the other's pairs at every apply. Apps are authorized on the product with `apigateway_api_product_authorization`; " +
			"the product cannot be deleted while any app is authorized on it.\n\n" +
			"When pairs are about to be attached, the plan checks that their APIs exist (an error otherwise) and are deployed to the " +
			"stage (a warning otherwise), with one shared lookup for all of them (one `DescribeApis` listing of the region when that is cheaper).",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "Same as `api_product_id`; also the import id.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"api_product_id": schema.StringAttribute{
				MarkdownDescription: "ID of the API product, chosen by you: the product is created by its first attach. Changing it replaces the product.",
				Required:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:          []validator.String{identifierValidator{}},
			},
			"apis": schema.ListAttribute{
				MarkdownDescription: "Every (API, stage) pair of the product, as objects `{ api_id = \"...\", stage_name = \"RELEASE\" }`: " +
					"`api_id` is the ID of the API, `stage_name` the stage it is attached in, `RELEASE`, `PRE` or `TEST` (case-sensitive). " +
					"A set in all but syntax: a pair may appear only once, and the order does not matter: reordering the list, or importing a product " +
					"that lists its pairs in another order, plans no change. " +
					"An empty list means a product with no pairs: every pair is detached, and the product stays (only destroy deletes it). Updated in place.",
				Required:      true,
				CustomType:    newAPIPairsType(),
				Validators:    []validator.List{apiPairsValidator{}},
				PlanModifiers: []planmodifier.List{samePairsAsPrior{}},
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{
				Create: true, Read: true, Update: true, Delete: true,
				CreateDescription: "How long the attach calls may take, as a Go duration such as `30s` or `10m`. Default " + defaultCreateTimeout.String() + ".",
				ReadDescription:   "How long a refresh may take, as a Go duration. Default " + defaultReadTimeout.String() + ".",
				UpdateDescription: "How long the attach and detach calls of an update may take, as a Go duration. Default " + defaultCreateTimeout.String() + ".",
				DeleteDescription: "How long deleting the product may take, as a Go duration. Default " + defaultDeleteTimeout.String() + ".",
			}),
		},
	}
}

// IdentitySchema implements resource.ResourceWithIdentity.
func (r *apiProductResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"api_product_id": identityschema.StringAttribute{Description: "ID of the API product.", RequiredForImport: true},
		},
	}
}

// Configure implements resource.ResourceWithConfigure.
func (r *apiProductResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if data := configuredData(req.ProviderData, &resp.Diagnostics); data != nil {
		r.data = data
	}
}

// ModifyPlan implements resource.ResourceWithModifyPlan: the pairs about to be attached are checked,
// all APIs in one shared lookup.
func (r *apiProductResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil {
		return
	}
	var plan, state apiProductModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	planned, ok := refsOf(plan.APIs)
	if !ok || resp.Diagnostics.HasError() {
		return
	}
	var current []cloudapi.APIRef
	if !req.State.Raw.IsNull() {
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		current, _ = refsOf(state.APIs)
	}
	added := difference(planned, current)
	if len(added) == 0 {
		return
	}
	timeout, d := plan.Timeouts.Read(ctx, defaultReadTimeout)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	resp.Diagnostics.Append(checkAPIsForProduct(ctx, r.data, added)...)
}

// checkAPIsForProduct is the plan-time check of pairs to attach: every API must exist (one error per
// missing API) and should be deployed to its stage (one warning for all pairs that are not).
// Lookups that fail for other reasons warn, as in checkAPIForAttachment.
func checkAPIsForProduct(ctx context.Context, data *providerData, refs []cloudapi.APIRef) diag.Diagnostics {
	var diags diag.Diagnostics
	var ids []string
	for _, r := range refs {
		if !slices.Contains(ids, r.APIID) {
			ids = append(ids, r.APIID)
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	found, failed := data.client.LookupAPIs(ctx, ids)
	var unchecked, undeployed []string
	for _, id := range ids {
		err, bad := failed[id]
		switch {
		case !bad:
		case isGone(err):
			diags.AddAttributeError(path.Root("apis"), "API not found",
				fmt.Sprintf("API %q in apis does not exist in region %s (endpoint %s) for the configured credentials. Check the api_id, and that region and credentials point at the account that owns the API.",
					id, data.region, data.endpoint))
		case isCredentialError(err):
			diags.AddError("API Gateway rejected the credentials", fmt.Sprintf("Checking API %q failed: %s", id, describeError(err)))
			return diags
		default:
			unchecked = append(unchecked, id)
		}
	}
	for _, r := range refs {
		if d := found[r.APIID]; d != nil && !slices.Contains(d.DeployedStages, r.StageName) {
			undeployed = append(undeployed, fmt.Sprintf("%s (%s) in %s", d.APIName, r.APIID, r.StageName))
		}
	}
	if len(unchecked) > 0 {
		diags.AddAttributeWarning(path.Root("apis"), "Could not check some APIs",
			fmt.Sprintf("Looking up %d API(s) failed, so the plan cannot confirm they exist and are deployed: %s", len(unchecked), listSome(unchecked, 10)))
	}
	if len(undeployed) > 0 {
		slices.Sort(undeployed)
		diags.AddAttributeWarning(path.Root("apis"), "APIs not deployed to their stage",
			fmt.Sprintf("%d pair(s) name a stage the API is not deployed to: %s. They will be attached, but consumers of the API product cannot call those APIs in those stages until they are deployed there.",
				len(undeployed), listSome(undeployed, 10)))
	}
	return diags
}

// listSome joins up to max items and says how many more there are.
func listSome(items []string, max int) string {
	if len(items) <= max {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:max], ", ") + fmt.Sprintf(" and %d more", len(items)-max)
}

// begin loads the model, checks the provider is configured and bounds ctx by the timeout.
func (r *apiProductResource) begin(ctx context.Context, get func(context.Context, any) diag.Diagnostics,
	timeout func(timeouts.Value, context.Context, time.Duration) (time.Duration, diag.Diagnostics), def time.Duration, skipUnconfigured bool,
	diags *diag.Diagnostics) (_ context.Context, cancel context.CancelFunc, m apiProductModel, ok bool) {
	diags.Append(get(ctx, &m)...)
	if diags.HasError() {
		return ctx, nil, m, false
	}
	if r.data == nil {
		if !skipUnconfigured {
			diags.AddError("Provider not configured", notConfiguredResource)
		}
		return ctx, nil, m, false
	}
	d, dd := timeout(m.Timeouts, ctx, def)
	diags.Append(dd...)
	if diags.HasError() {
		return ctx, nil, m, false
	}
	ctx, cancel = context.WithTimeout(ctx, d)
	return tflog.SetField(ctx, "api_product_id", m.APIProductID.ValueString()), cancel, m, true
}

// Create implements resource.Resource. The product may exist already (products are created by their
// first attach, and an existing one is taken over): Create reads it once, with a strict listing,
// then attaches only the declared pairs it does not hold and detaches the pairs it holds that are
// not declared, so that one apply ends with exactly apis. A pair both held and declared is not
// touched. If a write fails, the state records what the product holds (see converge), so nothing
// that may be attached is left untracked: Terraform saves it as tainted.
func (r *apiProductResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx, cancel, plan, ok := r.begin(ctx, req.Plan.Get, timeouts.Value.Create, defaultCreateTimeout, false, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()
	productID := plan.APIProductID.ValueString()
	want, ok := refsOf(plan.APIs)
	if !ok {
		resp.Diagnostics.AddError("Unknown apis", "The apis of the API product are not known at apply time; this is a bug in the provider.")
		return
	}
	held, err := r.listPairs(ctx, productID)
	if err != nil {
		resp.Diagnostics.AddError("Cannot read API product",
			fmt.Sprintf("Listing the APIs of API product %q, to see which pairs it already holds, failed: %s\n\nNothing was attached or detached.", productID, describeError(err)))
		return
	}
	if len(held) > 0 {
		tflog.Info(ctx, "API product exists already; taking over its pairs", map[string]any{
			"held": len(held), "undeclared_to_detach": len(difference(held, want)), "declared_to_attach": len(difference(want, held))})
	}
	ws := pairWrites{}
	got, failure := r.converge(ctx, productID, held, want, ws)
	plan.ID = types.StringValue(productID)
	resp.Diagnostics.Append(ws.save(ctx, resp.Private)...)
	setProductIdentity(ctx, resp.Identity, productID, &resp.Diagnostics)
	if failure != nil {
		if len(got) == 0 && len(held) == 0 {
			// Nothing was there and nothing may have been attached: nothing to keep track of.
			resp.State.RemoveResource(ctx)
			resp.Diagnostics.AddError("API product not created", failure.describe(productID, 0, false))
			return
		}
		plan.APIs = listOf(got, &resp.Diagnostics)
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		resp.Diagnostics.AddError("API product only partly created", failure.describe(productID, len(got), true))
		return
	}
	tflog.Info(ctx, "API product holds the declared pairs", map[string]any{"pairs": len(want)})
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Read implements resource.Resource: apis becomes the product's real set, with this resource's
// recent writes laid over the listing while the service may not list them yet (see pairWrites).
func (r *apiProductResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	ctx, cancel, state, ok := r.begin(ctx, req.State.Get, timeouts.Value.Read, defaultReadTimeout, true, &resp.Diagnostics)
	if !resp.Diagnostics.HasError() {
		setProductIdentity(ctx, resp.Identity, state.APIProductID.ValueString(), &resp.Diagnostics)
	}
	if !ok {
		return
	}
	defer cancel()
	productID := state.APIProductID.ValueString()
	ws, d := readPairWrites(ctx, req.Private)
	resp.Diagnostics.Append(d...)
	now := time.Now()
	apis, err := r.data.client.ListProductAPIs(ctx, productID, cloudapi.AtMost(refreshMaxStaleness))
	if isGone(err) {
		switch {
		case !state.APIs.IsNull() && len(state.APIs.Elements()) == 0:
			// Declared empty: an unknown product holds no pairs either, and one that never held
			// any may never have existed (the first attach creates a product). An import (no apis
			// yet) does not get here.
			apis, err = nil, nil
		case ws.pending(now):
			// Attached moments ago: the service may not list the product yet.
			apis, err = nil, nil
		default:
			tflog.Warn(ctx, "API product no longer exists, removing it from state", map[string]any{"reason": err.Error()})
			resp.Diagnostics.AddWarning("API product no longer exists",
				fmt.Sprintf("API product %q was deleted outside Terraform. It has been removed from the state; the next apply creates it again with its apis.", productID))
			resp.State.RemoveResource(ctx)
			return
		}
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot read API product",
			fmt.Sprintf("Listing the APIs of API product %q failed: %s", productID, describeError(err)))
		return
	}
	state.ID = types.StringValue(productID)
	state.APIs = listOf(ws.settle(ctx, refsOfInfos(apis), now), &resp.Diagnostics)
	resp.Diagnostics.Append(ws.save(ctx, resp.Private)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// Update implements resource.Resource: one attach of the pairs added since the prior state, then
// one detach of those removed (100 pairs per call). It works from the prior state, which the
// refresh before the plan read from the service, rather than listing the product again: that
// would add a listing of every page to each update. The listing comes only when a write fails,
// to settle what was applied.
func (r *apiProductResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	ctx, cancel, plan, ok := r.begin(ctx, req.Plan.Get, timeouts.Value.Update, defaultCreateTimeout, false, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()
	var state apiProductModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	want, ok1 := refsOf(plan.APIs)
	held, ok2 := refsOf(state.APIs)
	if resp.Diagnostics.HasError() || !ok1 || !ok2 {
		resp.Diagnostics.AddError("Unknown apis", "The apis of the API product are not known at apply time; this is a bug in the provider.")
		return
	}
	ws, d := readPairWrites(ctx, req.Private)
	resp.Diagnostics.Append(d...)
	productID := plan.APIProductID.ValueString()
	got, failure := r.converge(ctx, productID, held, want, ws)
	plan.ID = types.StringValue(productID)
	resp.Diagnostics.Append(ws.save(ctx, resp.Private)...)
	setProductIdentity(ctx, resp.Identity, productID, &resp.Diagnostics)
	if failure != nil {
		state.ID = plan.ID
		state.APIs = listOf(got, &resp.Diagnostics)
		resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
		resp.Diagnostics.AddError("API product only partly updated", failure.describe(productID, len(got), false))
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Delete implements resource.Resource: the product is deleted, with its attachments. The service
// refuses while apps are authorized on it; the error then names them.
func (r *apiProductResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	ctx, cancel, state, ok := r.begin(ctx, req.State.Get, timeouts.Value.Delete, defaultDeleteTimeout, false, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()
	productID := state.APIProductID.ValueString()
	err := r.data.client.DeleteAPIProduct(ctx, productID)
	if err == nil || isGone(err) {
		tflog.Info(ctx, "deleted API product")
		return
	}
	if !isCredentialError(err) && !errors.Is(err, cloudapi.ErrNotSent) && r.goneAfter(ctx, req.Private, productID) {
		// The answer was lost but the delete was applied, or it went earlier (out of band).
		tflog.Info(ctx, "API product does not exist (any more); nothing to delete", map[string]any{"delete_error": err.Error()})
		return
	}
	if !isCredentialError(err) && !cloudapi.OutcomeUnknown(err) {
		// Alibaba documents the refusal but not its code: ask which apps are authorized.
		if apps, lerr := r.data.client.ListProductApps(ctx, productID, cloudapi.Strict); lerr == nil && len(apps) > 0 {
			names := make([]string, 0, len(apps))
			for _, a := range apps {
				names = append(names, fmt.Sprintf("%s (%s)", a.AppName, strconv.FormatInt(a.AppID, 10)))
			}
			resp.Diagnostics.AddError("API product is still authorized to apps",
				fmt.Sprintf("API product %q cannot be deleted while apps are authorized on it: %s. Revoke them first: remove their apigateway_api_product_authorization resources "+
					"(or make each depend on this product so that Terraform revokes them before deleting it), or revoke outside Terraform with RemoveApiProductsAuthorities; then destroy again. (%s)",
					productID, listSome(names, 10), describeError(err)))
			return
		}
	}
	resp.Diagnostics.AddError("Cannot delete API product",
		fmt.Sprintf("Deleting API product %q failed: %s\n\nThe product stays in the state.", productID, describeError(err)))
}

// goneAfter reports whether a listing taken now, under a fresh short deadline (the operation's own
// may have ended), finds the product unknown, and Read would trust that answer: not while a recent
// attach of this resource may not be listed yet.
func (r *apiProductResource) goneAfter(ctx context.Context, private privateGetter, productID string) bool {
	ws, _ := readPairWrites(ctx, private)
	if ws.pending(time.Now()) {
		return false
	}
	lctx, cancel := context.WithTimeout(context.Background(), findAfterTimeout)
	defer cancel()
	_, err := r.data.client.ListProductAPIs(lctx, productID, cloudapi.Strict)
	return isGone(err)
}

// ImportState implements resource.ResourceWithImportState: by product id or by identity.
func (r *apiProductResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	productID := req.ID
	if productID == "" && req.Identity != nil && !req.Identity.Raw.IsNull() {
		var m apiProductIdentityModel
		resp.Diagnostics.Append(req.Identity.Get(ctx, &m)...)
		productID = m.APIProductID.ValueString()
	}
	if problem := identifierProblem(productID); problem != "" {
		resp.Diagnostics.AddError("Invalid import id", sentence(fmt.Sprintf("Cannot import apigateway_api_product: the id must be the API product id, which %s", problem)))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), productID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("api_product_id"), productID)...)
	setProductIdentity(ctx, resp.Identity, productID, &resp.Diagnostics)
}

// apiPairsValidator checks every element of apis with the attachment's rules.
type apiPairsValidator struct{}

var _ validator.List = apiPairsValidator{}

// Description implements validator.Describer.
func (apiPairsValidator) Description(context.Context) string {
	return "every element must have a non-empty api_id without \":\" or whitespace and a stage_name of RELEASE, PRE or TEST, and appear once"
}

// MarkdownDescription implements validator.Describer.
func (v apiPairsValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

// ValidateList implements validator.List.
func (apiPairsValidator) ValidateList(ctx context.Context, req validator.ListRequest, resp *validator.ListResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	seen := map[cloudapi.APIRef]bool{}
	for _, e := range req.ConfigValue.Elements() {
		if r, ok := pairOf(e); ok {
			if seen[r] {
				resp.Diagnostics.AddAttributeError(req.Path, "Duplicate API pair",
					fmt.Sprintf("Attribute %s lists API %q in stage %s more than once; each pair may appear only once.", req.Path, r.APIID, r.StageName))
			}
			seen[r] = true
		}
		o, ok := e.(types.Object)
		if !ok || o.IsUnknown() || o.IsNull() {
			continue
		}
		a := o.Attributes()
		for _, f := range []struct {
			name    string
			problem func(string) string
		}{{"api_id", identifierProblem}, {"stage_name", stageProblem}} {
			v, _ := a[f.name].(types.String)
			if v.IsUnknown() {
				continue
			}
			if problem := f.problem(v.ValueString()); problem != "" {
				resp.Diagnostics.AddAttributeError(req.Path, "Invalid API pair",
					sentence(fmt.Sprintf("Attribute %s: %s %s", req.Path, f.name, problem)))
			}
		}
	}
}
