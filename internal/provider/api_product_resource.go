package provider

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/cloudapi/terraform-provider-apigateway/internal/cloudapi"
)

// NewAPIProductResource returns the apigateway_api_product resource.
func NewAPIProductResource() resource.Resource {
	return &apiProductResource{resourceBase{typeName: "_api_product"}}
}

// apiProductResource manages a whole API product: exactly the set of (API, stage) pairs in apis.
type apiProductResource struct{ resourceBase }

type apiProductModel struct {
	ID           types.String   `tfsdk:"id"`
	APIProductID types.String   `tfsdk:"api_product_id"`
	APIs         apiPairsValue  `tfsdk:"apis"`
	Timeouts     timeouts.Value `tfsdk:"timeouts"`
}

type apiProductIdentityModel struct {
	APIProductID types.String `tfsdk:"api_product_id"`
}

// apiProductID is the identifier of an apigateway_api_product: the product's id.
type apiProductID string

func (m apiProductIdentityModel) toID() (apiProductID, []attrProblem) {
	id := m.APIProductID.ValueString()
	return apiProductID(id), problemsOf(attrProblem{"api_product_id", identifierProblem(id)})
}

// parseAPIProductID reads an import id, which is the product's id.
func parseAPIProductID(raw string) (apiProductID, error) {
	if problem := identifierProblem(raw); problem != "" {
		return "", fmt.Errorf("the id must be the API product id, which %s", problem)
	}
	return apiProductID(raw), nil
}

func (id apiProductID) String() string { return string(id) }
func (id apiProductID) logKey() string { return "api_product_id" }

func (id apiProductID) attributes() map[string]string {
	return map[string]string{"id": string(id), "api_product_id": string(id)}
}

func (id apiProductID) identity() any {
	return apiProductIdentityModel{APIProductID: types.StringValue(string(id))}
}

func (m apiProductModel) timeoutsValue() timeouts.Value { return m.Timeouts }
func (m apiProductModel) resourceID() resourceID        { return apiProductID(m.APIProductID.ValueString()) }

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
			"id": computedAttribute("Same as `api_product_id`; also the import id."),
			"api_product_id": replacingAttribute("ID of the API product, chosen by you: the product is created by its first attach. Changing it replaces the product.",
				identifierValidator),
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
		Blocks: timeoutsBlock(ctx,
			"How long the attach calls may take, as a Go duration such as `30s` or `10m`.",
			"How long the attach and detach calls of an update may take, as a Go duration.",
			"How long deleting the product may take, as a Go duration."),
	}
}

// IdentitySchema implements resource.ResourceWithIdentity.
func (r *apiProductResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"api_product_id": identityAttribute("ID of the API product."),
		},
	}
}

// Create implements resource.Resource. The product may exist already (products are created by their
// first attach, and an existing one is taken over): Create reads it once, with a strict listing,
// then attaches only the declared pairs it does not hold and detaches the pairs it holds that are
// not declared, so that one apply ends with exactly apis. A pair both held and declared is not
// touched. If a write fails, the state records what the product holds (see converge), so nothing
// that may be attached is left untracked: Terraform saves it as tainted.
func (r *apiProductResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx, cancel, plan, ok := begin[apiProductModel](ctx, r.data, createOp, req.Plan.Get, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()
	productID := plan.APIProductID.ValueString()
	want, ok := refsOf(plan.APIs)
	if !ok {
		addUnknownAPIs(&resp.Diagnostics)
		return
	}
	held, err := r.listPairs(ctx, productID)
	if err != nil {
		resp.Diagnostics.AddError(summaryCannotReadProduct,
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
	setIdentity(ctx, resp.Identity, apiProductID(productID), &resp.Diagnostics)
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
	ctx, cancel, state, ok := beginRead[apiProductModel](ctx, r.data, req, resp)
	if !ok {
		return
	}
	defer cancel()
	productID := state.APIProductID.ValueString()
	ws, d := readPairWrites(ctx, req.Private)
	resp.Diagnostics.Append(d...)
	now := time.Now()
	apis, err := r.data.client.ListProductAPIs(ctx, productID, r.data.refresh())
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
			removeGone(ctx, resp, goneNotice{
				kind:    "API product",
				subject: fmt.Sprintf("API product %q", productID),
				why:     "it was deleted outside Terraform",
				next:    "creates it again with its apis",
			})
			return
		}
	}
	if err != nil {
		resp.Diagnostics.AddError(summaryCannotReadProduct,
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
	ctx, cancel, plan, ok := begin[apiProductModel](ctx, r.data, updateOp, req.Plan.Get, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()
	var state apiProductModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	want, ok1 := refsOf(plan.APIs)
	held, ok2 := refsOf(state.APIs)
	if resp.Diagnostics.HasError() || !ok1 || !ok2 {
		addUnknownAPIs(&resp.Diagnostics)
		return
	}
	ws, d := readPairWrites(ctx, req.Private)
	resp.Diagnostics.Append(d...)
	productID := plan.APIProductID.ValueString()
	got, failure := r.converge(ctx, productID, held, want, ws)
	plan.ID = types.StringValue(productID)
	resp.Diagnostics.Append(ws.save(ctx, resp.Private)...)
	setIdentity(ctx, resp.Identity, apiProductID(productID), &resp.Diagnostics)
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
	ctx, cancel, state, ok := begin[apiProductModel](ctx, r.data, deleteOp, req.State.Get, &resp.Diagnostics)
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
	if listingDecides(err) && r.goneAfter(ctx, req.Private, productID) {
		// The answer was lost but the delete was applied, or it went earlier (out of band).
		tflog.Info(ctx, "API product does not exist (any more); nothing to delete", map[string]any{"delete_error": err.Error()})
		return
	}
	if !isCredentialError(err) && !outcomeUnknown(err) {
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

// ImportState implements resource.ResourceWithImportState.
func (r *apiProductResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importState[apiProductIdentityModel](ctx, importer[apiProductID]{
		typeName: "apigateway_api_product",
		forms:    "the API product id or, on Terraform 1.12+ and OpenTofu 1.12+, with identity = { api_product_id }",
		parse:    parseAPIProductID,
	}, req, resp)
}
