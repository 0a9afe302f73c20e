package provider

import (
	"context"
	"fmt"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// ModifyPlan implements resource.ResourceWithModifyPlan: an app that does not exist fails the plan
// of a new authorization (as an unknown API fails the plan of an attachment), and a grant that would
// expire at once fails the plan, which is also what an expired grant (removed from state by the
// refresh) leads to, with the message saying what to change.
func (r *apiProductAuthorizationResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan apiProductAuthorizationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var state *apiProductAuthorizationModel
	if !req.State.Raw.IsNull() {
		state = new(apiProductAuthorizationModel)
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	// A new grant (create, or replace for another app): the app must exist.
	if r.data != nil && !plan.AppID.IsUnknown() && !plan.AppID.IsNull() && (state == nil || !state.AppID.Equal(plan.AppID)) {
		resp.Diagnostics.Append(r.checkApp(ctx, plan)...)
	}
	if plan.AuthValidTime.IsUnknown() || plan.AuthValidTime.IsNull() {
		return
	}
	if state != nil {
		if sameInstant(plan.AuthValidTime.ValueString(), state.AuthValidTime.ValueString()) &&
			plan.Description.Equal(state.Description) {
			return // nothing is sent: the time is checked when it is sent
		}
	}
	t, problem := parseAuthValidTime(plan.AuthValidTime.ValueString())
	if problem == "" && r.data != nil && !t.After(r.data.now()) {
		resp.Diagnostics.AddAttributeError(path.Root("auth_valid_time"), "Authorization would already be expired",
			fmt.Sprintf("auth_valid_time %s is in the past, so granting app %s access to API product %q would expire at once. "+
				"If this authorization expired, extend it by moving auth_valid_time to the future, remove auth_valid_time for an authorization that never expires, "+
				"or remove the resource.", plan.AuthValidTime.ValueString(), plan.AppID.ValueString(), plan.APIProductID.ValueString()))
	}
}

// checkApp is the plan-time check of a new grant's app, through the client's shared look-up (one
// DescribeAppAttributes per app per command, however many authorizations name it). Only an answer
// that the app does not exist fails the plan; credentials and certificates that nothing will get
// through fail it too, as the API check does. Any other failure (throttling or 5xx past the retries,
// a timeout, a caller allowed to grant but not to describe apps) is a warning and the plan goes on:
// the grant itself is refused with NotFoundApp if the app really is missing.
func (r *apiProductAuthorizationResource) checkApp(ctx context.Context, plan apiProductAuthorizationModel) diag.Diagnostics {
	var diags diag.Diagnostics
	appID, err := strconv.ParseInt(plan.AppID.ValueString(), 10, 64)
	if err != nil || appID <= 0 {
		return diags // the validator has said so
	}
	ctx, cancel, ok := checkContext(ctx, plan.Timeouts, &diags)
	if !ok {
		return diags
	}
	defer cancel()
	_, err = r.data.client.LookupApp(ctx, appID)
	switch {
	case err == nil:
	case isAppGone(err):
		addAppNotFound(&diags, r.data, appID, fmt.Sprintf(" for the configured credentials, so it cannot be authorized on API product %q. "+
			"Check app_id, and that region and credentials point at the account that owns the app. (%s)", plan.APIProductID.ValueString(), describeError(err)))
	case isCredentialError(err):
		addCredentialsRejected(&diags, fmt.Sprintf("app %d", appID), err)
	case isCertificateError(err):
		addCertificateUntrusted(&diags, fmt.Sprintf("app %d", appID), err)
	default:
		diags.AddAttributeWarning(path.Root("app_id"), "Could not check the app",
			fmt.Sprintf("DescribeAppAttributes for app %d failed, so the plan cannot confirm the app exists; the grant is refused at apply time if it does not: %s",
				appID, describeError(err)))
	}
	return diags
}
