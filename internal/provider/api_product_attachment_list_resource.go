package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/cloudapi/terraform-provider-apigateway/internal/cloudapi"
)

var _ list.ListResourceWithConfigure = (*apiProductAttachmentListResource)(nil)

// NewAPIProductAttachmentListResource returns the list resource of apigateway_api_product_attachment
// (`list` blocks in .tfquery.hcl files, `terraform query`, Terraform 1.14+).
func NewAPIProductAttachmentListResource() list.ListResource {
	return &apiProductAttachmentListResource{resourceBase{typeName: "_api_product_attachment"}}
}

// apiProductAttachmentListResource lists the attachments of one API product, so that a product
// made by hand or by scripts can be adopted with `terraform query -generate-config-out` instead
// of one import id per (API, stage) pair.
type apiProductAttachmentListResource struct{ resourceBase } // named as its managed resource

type apiProductAttachmentListModel struct {
	APIProductID types.String `tfsdk:"api_product_id"`
	StageName    types.String `tfsdk:"stage_name"`
}

// ListResourceConfigSchema implements list.ListResource.
func (r *apiProductAttachmentListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the attachments of one API Gateway **API product** (`DescribeApiProductApis`, all pages), " +
			"one result per (API, stage) pair, ordered by `api_id` and then stage (`RELEASE`, `PRE`, `TEST`). " +
			"Each result carries the identity of an `apigateway_api_product_attachment` and, with `include_resource = true`, its attributes, " +
			"so that `terraform query -generate-config-out=FILE` writes the resource and `import` blocks for a product that already exists. " +
			"An API product that does not exist is an error. Needs Terraform 1.14 or later.",
		Attributes: map[string]schema.Attribute{
			"api_product_id": schema.StringAttribute{
				MarkdownDescription: "ID of the API product whose attachments are listed.",
				Required:            true,
				Validators:          []validator.String{identifierValidator},
			},
			"stage_name": schema.StringAttribute{
				MarkdownDescription: "Only list attachments in this stage: `RELEASE`, `PRE` or `TEST` (case-sensitive). Default: every stage.",
				Optional:            true,
				Validators:          []validator.String{stageNameValidator},
			},
		},
	}
}

// List implements list.ListResource. The whole product is read before the first result is pushed:
// DescribeApiProductApis can only page through all of it, and sorting needs every page.
func (r *apiProductAttachmentListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var diags diag.Diagnostics
	cfg, ok := beginList[apiProductAttachmentListModel](ctx, r.data, req, stream, &diags)
	if !ok {
		return
	}
	productID, stage := cfg.APIProductID.ValueString(), cfg.StageName.ValueString()
	// ValidateListResourceConfig has run the schema validators already; this keeps a request that
	// skipped it (another client of the protocol) from sending a malformed product id.
	if problem := identifierProblem(productID); problem != "" {
		addInvalidAttribute(&diags, path.Root("api_product_id"), summaryInvalidIdentifier, problem)
	}
	if problem := stageProblem(stage); stage != "" && problem != "" {
		addInvalidAttribute(&diags, path.Root("stage_name"), summaryInvalidStage, problem)
	}
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}

	ctx = tflog.SetField(ctx, "api_product_id", productID)
	ctx, cancel := context.WithTimeout(ctx, defaultReadTimeout)
	apis, err := r.data.client.ListProductAPIs(ctx, productID, cloudapi.Strict)
	cancel()
	if isGone(err) {
		addProductNotFound(&diags, r.data, productID, "Check api_product_id, region and credentials.")
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	if err != nil {
		diags.AddError("Cannot list the attachments of the API product",
			fmt.Sprintf("Listing the APIs of API product %q failed: %s", productID, describeError(err)))
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	sortAPIInfos(apis)
	tflog.Debug(ctx, "listed API product attachments", map[string]any{"count": len(apis), "stage_filter": stage, "limit": req.Limit})

	stream.Results = func(push func(list.ListResult) bool) {
		pushed := int64(0)
		for _, info := range apis {
			if stage != "" && info.StageName != stage {
				continue
			}
			// Terraform asks for at most Limit results (default 100 per list block).
			if req.Limit > 0 && pushed >= req.Limit {
				return
			}
			pushed++
			if !push(listResult(ctx, req, productID, info)) {
				return
			}
		}
	}
}

// listResult is one attachment as a list result: its identity, a display name and, when Terraform
// asks for it, the resource object, exactly as Read would store it (timeouts left null).
func listResult(ctx context.Context, req list.ListRequest, productID string, info cloudapi.APIInfo) list.ListResult {
	id := attachmentID{ProductID: productID, APIID: info.APIID, StageName: info.StageName}
	result := req.NewListResult(ctx)
	result.DisplayName = fmt.Sprintf("%s (%s) in %s", info.APIName, info.APIID, info.StageName)
	result.Diagnostics.Append(result.Identity.Set(ctx, id.identity())...)
	if req.IncludeResource {
		for attr, v := range map[string]string{
			"id":             id.String(),
			"api_product_id": id.ProductID,
			"api_id":         id.APIID,
			"stage_name":     id.StageName,
			"api_name":       info.APIName,
			"group_id":       info.GroupID,
			"group_name":     info.GroupName,
			"method":         info.Method,
			"path":           info.Path,
		} {
			result.Diagnostics.Append(result.Resource.SetAttribute(ctx, path.Root(attr), v)...)
		}
	}
	return result
}
