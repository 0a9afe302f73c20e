package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// Schema implements resource.Resource.
func (r *apiProductAttachmentResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	computed := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{
			MarkdownDescription: desc,
			Computed:            true,
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Attaches one API, in one stage, to an API Gateway **API product** (`AttachApiProduct`), " +
			"and detaches it on destroy (`DetachApiProduct`). An API product that does not exist yet is created by the first attachment. " +
			"Drift is detected with `DescribeApiProductApis`: if the attachment or the whole product disappears, the next plan re-creates it.\n\n" +
			"When the attachment is about to be created, the plan checks that the API exists (an error otherwise) and is deployed to `stage_name` (a warning otherwise).\n\n" +
			"**At scale.** Attachments of the same product that Terraform creates (or destroys) at the same time are sent together, " +
			"as one `AttachApiProduct` (`DetachApiProduct`) call of up to 100 APIs, and each resource still gets its own result. " +
			"A successful call is its own confirmation; the reads of one Terraform command share one listing of each product, " +
			"taken at the first read and always including the writes the provider made since. " +
			"An attachment that no listing has shown yet is kept in the state for up to two minutes after it was made, " +
			"since the service may take a moment to list a fresh attachment; after that, or once a listing has shown it, " +
			"an attachment missing from the listing counts as drift.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "Identifier of the attachment, `<api_product_id>:<api_id>:<stage_name>`; also the import id.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"api_product_id": schema.StringAttribute{
				MarkdownDescription: "ID of the API product. Changing it replaces the attachment.",
				Required:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:          []validator.String{identifierValidator{}},
			},
			"api_id": schema.StringAttribute{
				MarkdownDescription: "ID of the API to attach. Changing it replaces the attachment.",
				Required:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:          []validator.String{identifierValidator{}},
			},
			"stage_name": schema.StringAttribute{
				MarkdownDescription: "Stage (environment) of the API to attach: `RELEASE`, `PRE` or `TEST` (case-sensitive). Changing it replaces the attachment.",
				Required:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:          []validator.String{stageNameValidator{}},
			},
			"api_name":   computed("Name of the API."),
			"group_id":   computed("ID of the API group the API belongs to."),
			"group_name": computed("Name of the API group the API belongs to."),
			"method":     computed("HTTP method of the API's request configuration, e.g. `GET`."),
			"path":       computed("Request path of the API, e.g. `/users/[userId]`."),
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{
				Create: true,
				Read:   true,
				Delete: true,
				CreateDescription: "How long to wait for the attach call and for the attachment to become visible, as a Go duration such as `30s` or `10m`. " +
					"Default " + defaultCreateTimeout.String() + ".",
				ReadDescription: "How long a refresh may take, as a Go duration. Default " + defaultReadTimeout.String() + ".",
				DeleteDescription: "How long to wait for the detach call and for the attachment to disappear, as a Go duration. " +
					"Default " + defaultDeleteTimeout.String() + ".",
			}),
		},
	}
}

// IdentitySchema implements resource.ResourceWithIdentity.
func (r *apiProductAttachmentResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"api_product_id": identityschema.StringAttribute{
				Description:       "ID of the API product.",
				RequiredForImport: true,
			},
			"api_id": identityschema.StringAttribute{
				Description:       "ID of the attached API.",
				RequiredForImport: true,
			},
			"stage_name": identityschema.StringAttribute{
				Description:       "Stage the API is attached in: `RELEASE`, `PRE` or `TEST` (case-sensitive).",
				RequiredForImport: true,
			},
		},
	}
}
