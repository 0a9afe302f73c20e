package provider

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/cloudapi/terraform-provider-apigateway/internal/cloudapi"
)

var _ list.ListResourceWithConfigure = (*apiProductAuthorizationListResource)(nil)
var _ list.ListResourceWithValidateConfig = (*apiProductAuthorizationListResource)(nil)

// NewAPIProductAuthorizationListResource returns the list resource of
// apigateway_api_product_authorization (`list` blocks in .tfquery.hcl files, `terraform query`,
// Terraform 1.14+).
func NewAPIProductAuthorizationListResource() list.ListResource {
	return &apiProductAuthorizationListResource{resourceBase{typeName: "_api_product_authorization"}}
}

// apiProductAuthorizationListResource lists the authorizations of one API product, or of one app,
// so that grants made by hand or by scripts can be adopted with `terraform query
// -generate-config-out` instead of one import id each.
type apiProductAuthorizationListResource struct{ resourceBase } // named as its managed resource

type apiProductAuthorizationListModel struct {
	APIProductID types.String `tfsdk:"api_product_id"`
	AppID        types.String `tfsdk:"app_id"`
}

// ListResourceConfigSchema implements list.ListResource.
func (r *apiProductAuthorizationListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists app authorizations on API Gateway **API products**: the apps authorized on one product " +
			"(`api_product_id`, `DescribeAppsByApiProduct`, all pages), ordered by `app_id`, or the products one app is authorized on " +
			"(`app_id`, `DescribeApiProductsByApp`, all pages), ordered by `api_product_id`; with both, the one authorization if it exists. " +
			"One of the two is required. An authorization whose `auth_valid_time` has passed is not listed (it authorizes nothing). " +
			"Each result carries the identity of an `apigateway_api_product_authorization` and, with `include_resource = true`, its attributes " +
			"(listing by app then reads each product's apps once), so that `terraform query -generate-config-out=FILE` writes the resource and " +
			"`import` blocks for grants that already exist. An API product or app that does not exist is an error. Needs Terraform 1.14 or later.",
		Attributes: map[string]schema.Attribute{
			"api_product_id": schema.StringAttribute{
				MarkdownDescription: "ID of the API product whose authorized apps are listed.",
				Optional:            true,
				Validators:          []validator.String{identifierValidator},
			},
			"app_id": schema.StringAttribute{
				MarkdownDescription: "ID of the app (decimal digits) whose authorized API products are listed.",
				Optional:            true,
				Validators:          []validator.String{appIDValidator},
			},
		},
	}
}

// ValidateListResourceConfig implements list.ListResourceWithValidateConfig: one of the two filters
// is required (a value only known later counts as set).
func (r *apiProductAuthorizationListResource) ValidateListResourceConfig(ctx context.Context, req list.ValidateConfigRequest, resp *list.ValidateConfigResponse) {
	var cfg apiProductAuthorizationListModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if !resp.Diagnostics.HasError() && cfg.APIProductID.IsNull() && cfg.AppID.IsNull() {
		addMissingFilter(&resp.Diagnostics)
	}
}

// List implements list.ListResource. Everything is read before the first result is pushed: the
// listings can only page through all of it, and sorting needs every page.
func (r *apiProductAuthorizationListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var diags diag.Diagnostics
	fail := func() { stream.Results = list.ListResultsStreamDiagnostics(diags) }
	cfg, ok := beginList[apiProductAuthorizationListModel](ctx, r.data, req, stream, &diags)
	if !ok {
		return
	}
	productID, appText := cfg.APIProductID.ValueString(), cfg.AppID.ValueString()
	// ValidateListResourceConfig has run already; this keeps a request that skipped it (another
	// client of the protocol) from sending malformed ids.
	switch {
	case cfg.APIProductID.IsNull() && cfg.AppID.IsNull():
		addMissingFilter(&diags)
	case !cfg.APIProductID.IsNull() && identifierProblem(productID) != "":
		addInvalidAttribute(&diags, path.Root("api_product_id"), summaryInvalidIdentifier, identifierProblem(productID))
	case !cfg.AppID.IsNull() && appIDProblem(appText) != "":
		addInvalidAttribute(&diags, path.Root("app_id"), summaryInvalidAppID, appIDProblem(appText))
	}
	if diags.HasError() {
		fail()
		return
	}
	appID, _ := strconv.ParseInt(appText, 10, 64)

	ctx, cancel := context.WithTimeout(ctx, defaultReadTimeout)
	defer cancel()
	var grants []authorizationListEntry
	if productID != "" {
		ctx = tflog.SetField(ctx, "api_product_id", productID)
		grants = r.byProduct(ctx, productID, appID, &diags)
	} else {
		ctx = tflog.SetField(ctx, "app_id", appID)
		grants = r.byApp(ctx, appID, req.IncludeResource, req.Limit, &diags)
	}
	if diags.HasError() {
		fail()
		return
	}
	tflog.Debug(ctx, "listed API product authorizations", map[string]any{"count": len(grants), "limit": req.Limit})

	stream.Results = func(push func(list.ListResult) bool) {
		for i, g := range grants {
			// Terraform asks for at most Limit results (default 100 per list block).
			if req.Limit > 0 && int64(i) >= req.Limit {
				return
			}
			if !push(authorizationListResult(ctx, req, g)) {
				return
			}
		}
	}
}

// authorizationListEntry is one authorization to report; grant is nil when only its identity is
// known (listing by app without include_resource).
type authorizationListEntry struct {
	productID string
	grant     *cloudapi.AuthorizedApp
	appID     int64
}

// live reports whether a listed grant still authorizes anything: a service may still list a grant
// whose AuthValidTime has passed (Read drops such a grant from the state too).
func (r *apiProductAuthorizationListResource) live(g *cloudapi.AuthorizedApp) bool {
	if g.AuthValidTime == "" {
		return true
	}
	t, err := time.Parse(time.RFC3339, g.AuthValidTime)
	return err != nil || t.After(r.data.now())
}

// byProduct lists the apps authorized on the product (only appID's, when it is not 0).
func (r *apiProductAuthorizationListResource) byProduct(ctx context.Context, productID string, appID int64, diags *diag.Diagnostics) []authorizationListEntry {
	apps, err := r.data.client.ListProductApps(ctx, productID, cloudapi.Strict)
	if perr := productMissing(ctx, r.data, productID, err); perr != nil {
		err = perr
	}
	if isGone(err) {
		addProductNotFound(diags, r.data, productID, "Check api_product_id, region and credentials.")
		return nil
	}
	if err != nil {
		diags.AddError("Cannot list the authorizations of the API product",
			fmt.Sprintf("Listing the apps authorized on API product %q failed: %s", productID, describeError(err)))
		return nil
	}
	slices.SortFunc(apps, func(a, b cloudapi.AuthorizedApp) int { return cmp.Compare(a.AppID, b.AppID) })
	var out []authorizationListEntry
	for i := range apps {
		if (appID == 0 || apps[i].AppID == appID) && r.live(&apps[i]) {
			out = append(out, authorizationListEntry{productID: productID, grant: &apps[i], appID: apps[i].AppID})
		}
	}
	return out
}

// byApp lists the products the app is authorized on and, for full results, each grant's terms from
// its product's listing (one DescribeAppsByApiProduct listing per product, shared with any other
// read of that product in this command), for the first limit products only (limit <= 0: all).
func (r *apiProductAuthorizationListResource) byApp(ctx context.Context, appID int64, full bool, limit int64, diags *diag.Diagnostics) []authorizationListEntry {
	products, err := r.data.client.ListAppProducts(ctx, appID)
	if isAppGone(err) {
		addAppNotFound(diags, r.data, appID, ". Check app_id, region and credentials.")
		return nil
	}
	if err != nil {
		diags.AddError("Cannot list the authorizations of the app",
			fmt.Sprintf("Listing the API products app %d is authorized on failed: %s", appID, describeError(err)))
		return nil
	}
	slices.Sort(products)
	out := make([]authorizationListEntry, 0, len(products))
	for _, p := range products {
		if limit > 0 && int64(len(out)) >= limit {
			break
		}
		e := authorizationListEntry{productID: p, appID: appID}
		if full {
			g, err := r.data.client.FindGrant(ctx, p, appID, r.data.refresh())
			switch {
			case isGone(err):
				continue // revoked, or its product deleted, since the first listing
			case err != nil:
				diags.AddError("Cannot read an authorization of the app",
					fmt.Sprintf("Reading the authorization of app %d on API product %q failed: %s", appID, p, describeError(err)))
				return nil
			case !r.live(g):
				continue
			}
			e.grant = g
		}
		out = append(out, e)
	}
	return out
}

// authorizationListResult is one authorization as a list result: its identity, a display name and,
// when Terraform asks for it, the resource object as Read would store it (timeouts left null).
func authorizationListResult(ctx context.Context, req list.ListRequest, e authorizationListEntry) list.ListResult {
	id := authorizationID{ProductID: e.productID, AppID: e.appID}
	result := req.NewListResult(ctx)
	result.DisplayName = fmt.Sprintf("app %d on %s", e.appID, e.productID)
	if e.grant != nil && e.grant.AppName != "" {
		result.DisplayName = fmt.Sprintf("%s (%d) on %s", e.grant.AppName, e.appID, e.productID)
	}
	result.Diagnostics.Append(result.Identity.Set(ctx, id.identity())...)
	if req.IncludeResource && e.grant != nil {
		for attr, v := range map[string]types.String{
			"id":              types.StringValue(id.String()),
			"api_product_id":  types.StringValue(id.ProductID),
			"app_id":          types.StringValue(strconv.FormatInt(id.AppID, 10)),
			"auth_valid_time": optionalString(e.grant.AuthValidTime),
			"description":     optionalString(e.grant.Description),
			"app_name":        optionalString(e.grant.AppName),
			"authorized_time": optionalString(e.grant.AuthorizedTime),
		} {
			result.Diagnostics.Append(result.Resource.SetAttribute(ctx, path.Root(attr), v)...)
		}
	}
	return result
}
