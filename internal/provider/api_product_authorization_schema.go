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
func (r *apiProductAuthorizationResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	computed := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{
			MarkdownDescription: desc,
			Computed:            true,
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		}
	}
	idValidator := identifierValidator{idName: "authorization id", idFormat: authorizationIDFormat}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Authorizes one app to call every API of an API Gateway **API product** (`SetAppsAuthToApiProduct`), " +
			"and revokes the authorization on destroy (`RemoveApiProductsAuthorities`). " +
			"Drift is detected with `DescribeAppsByApiProduct`: an authorization revoked outside Terraform, one that expired, " +
			"or one whose app or product was deleted is removed from the state with a warning, and the next apply grants it again.\n\n" +
			"Changing `auth_valid_time` or `description` grants again with the new terms, in place (the authorization keeps its " +
			"`authorized_time`); changing `api_product_id` or `app_id` replaces the authorization. " +
			"Concurrent authorizations of one product with the same terms are sent as one call (up to 100 apps), and the " +
			"refresh of many authorizations of one product reads its apps once.\n\n" +
			"The app of a new authorization is checked at plan time (`DescribeAppAttributes`, once per app per command): an app that does " +
			"not exist fails the plan. A grant or revoke whose outcome is unknown (lost answer, errors past the retries, timeout, interruption) " +
			"is settled by listing the product's apps; if the listing cannot settle it, the authorization stays in the state (a create as tainted), " +
			"so the next apply or destroy finishes the job.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "Identifier of the authorization, `<api_product_id>:<app_id>`; also the import id.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"api_product_id": schema.StringAttribute{
				MarkdownDescription: "ID of the API product. The product must exist (it is created by its first API, through " +
					"`apigateway_api_product` or `apigateway_api_product_attachment`). Changing it replaces the authorization.",
				Required:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:    []validator.String{idValidator},
			},
			"app_id": schema.StringAttribute{
				MarkdownDescription: "ID of the app, as decimal digits (for example `alicloud_api_gateway_app.this.id`). Changing it replaces the authorization.",
				Required:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:          []validator.String{appIDValidator{}},
			},
			"auth_valid_time": schema.StringAttribute{
				MarkdownDescription: "When the authorization expires, as an RFC 3339 time in whole seconds (`2030-06-30T16:00:00Z`, or with an offset: " +
					"the service stores it in UTC). Null (the default) means it never expires. It must be in the future when the authorization is " +
					"granted. Once it has passed the authorization no longer exists: the next plan shows it to be granted again, and fails " +
					"until `auth_valid_time` is moved to the future or removed. Updated in place.",
				Optional:   true,
				Validators: []validator.String{authValidTimeValidator{}},
			},
			"description": schema.StringAttribute{
				MarkdownDescription: "Description of the authorization. Updated in place.",
				Optional:            true,
			},
			"app_name":        computed("Name of the app, as the service reports it."),
			"authorized_time": computed("When the app was first authorized on the product (UTC), as the service reports it."),
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{
				Create: true, Read: true, Update: true, Delete: true,
				CreateDescription: "How long to wait for the grant, as a Go duration such as `30s` or `10m`. Default " + defaultCreateTimeout.String() + ".",
				ReadDescription:   "How long a refresh may take, as a Go duration. Default " + defaultReadTimeout.String() + ".",
				UpdateDescription: "How long to wait for the grant with new terms, as a Go duration. Default " + defaultCreateTimeout.String() + ".",
				DeleteDescription: "How long to wait for the revoke, as a Go duration. Default " + defaultDeleteTimeout.String() + ".",
			}),
		},
	}
}

// IdentitySchema implements resource.ResourceWithIdentity.
func (r *apiProductAuthorizationResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"api_product_id": identityschema.StringAttribute{Description: "ID of the API product.", RequiredForImport: true},
			"app_id":         identityschema.StringAttribute{Description: "ID of the app, as decimal digits.", RequiredForImport: true},
		},
	}
}
