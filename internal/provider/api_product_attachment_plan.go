package provider

import (
	"context"
	"fmt"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// ModifyPlan implements resource.ResourceWithModifyPlan. It checks the API before an attachment is
// created, so that a wrong api_id fails the plan rather than the apply.
func (r *apiProductAttachmentResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || !req.State.Raw.IsNull() || r.data == nil {
		return
	}
	var plan apiProductAttachmentModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || plan.APIID.IsUnknown() || plan.APIID.IsNull() {
		return
	}
	ctx, cancel, ok := checkContext(ctx, plan.Timeouts, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()
	stage := ""
	if !plan.StageName.IsUnknown() {
		stage = plan.StageName.ValueString()
	}
	resp.Diagnostics.Append(checkAPIForAttachment(ctx, r.data, plan.APIID.ValueString(), stage)...)
}

// checkAPIForAttachment is the plan-time check: the API must exist (error) and should be deployed to
// stage (warning). stage "" skips the deployment check. Errors other than "not found" and credential
// errors only warn, since the caller may be allowed to attach but not to describe APIs.
func checkAPIForAttachment(ctx context.Context, data *providerData, apiID, stage string) diag.Diagnostics {
	var diags diag.Diagnostics
	detail, err := data.client.LookupAPI(ctx, apiID)
	switch {
	case isGone(err):
		addAPINotFound(&diags, path.Root("api_id"), data, apiID, "")
		return diags
	case isCredentialError(err):
		addCredentialsRejected(&diags, fmt.Sprintf("API %q", apiID), err)
		return diags
	case isCertificateError(err):
		addCertificateUntrusted(&diags, fmt.Sprintf("API %q", apiID), err)
		return diags
	case err != nil:
		diags.AddAttributeWarning(path.Root("api_id"), "Could not check the API",
			fmt.Sprintf("DescribeApi for API %q failed, so the plan cannot confirm the API exists and is deployed: %s", apiID, err))
		return diags
	}
	if stage != "" && !slices.Contains(detail.DeployedStages, stage) {
		deployed := "it is not deployed to any stage"
		if len(detail.DeployedStages) > 0 {
			deployed = "it is deployed to " + quotedList(detail.DeployedStages)
		}
		diags.AddAttributeWarning(path.Root("stage_name"), "API not deployed to this stage",
			fmt.Sprintf("API %q (%s) is not deployed to stage %s; %s. The attachment will be created, but consumers of the API product cannot call the API in %s until it is deployed there.",
				detail.APIName, apiID, stage, deployed, stage))
	}
	return diags
}
