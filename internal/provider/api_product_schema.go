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
