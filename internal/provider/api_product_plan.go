package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/cloudapi/terraform-provider-apigateway/internal/cloudapi"
)

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
	ctx, cancel, ok := checkContext(ctx, plan.Timeouts, &resp.Diagnostics)
	if !ok {
		return
	}
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
			addAPINotFound(&diags, path.Root("apis"), data, id, " in apis")
		case isCredentialError(err):
			addCredentialsRejected(&diags, fmt.Sprintf("API %q", id), err)
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
