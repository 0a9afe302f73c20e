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
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/cloudapi/terraform-provider-apigateway/internal/cloudapi"
)

// NewAPIProductAuthorizationResource returns the apigateway_api_product_authorization resource.
func NewAPIProductAuthorizationResource() resource.Resource {
	return &apiProductAuthorizationResource{resourceBase{typeName: "_api_product_authorization"}}
}

// apiProductAuthorizationResource manages one (API product, app) grant.
type apiProductAuthorizationResource struct{ resourceBase }

type apiProductAuthorizationModel struct {
	ID             types.String   `tfsdk:"id"`
	APIProductID   types.String   `tfsdk:"api_product_id"`
	AppID          types.String   `tfsdk:"app_id"`
	AuthValidTime  types.String   `tfsdk:"auth_valid_time"`
	Description    types.String   `tfsdk:"description"`
	AppName        types.String   `tfsdk:"app_name"`
	AuthorizedTime types.String   `tfsdk:"authorized_time"`
	Timeouts       timeouts.Value `tfsdk:"timeouts"`
}

type apiProductAuthorizationIdentityModel struct {
	APIProductID types.String `tfsdk:"api_product_id"`
	AppID        types.String `tfsdk:"app_id"`
}

func (m apiProductAuthorizationIdentityModel) toID() (authorizationID, []attrProblem) {
	productID, appText := m.APIProductID.ValueString(), m.AppID.ValueString()
	app, _ := strconv.ParseInt(appText, 10, 64)
	return authorizationID{ProductID: productID, AppID: app}, problemsOf(
		attrProblem{"api_product_id", identifierProblemIn(productID, "authorization id", authorizationIDFormat)},
		attrProblem{"app_id", appIDProblem(appText)},
	)
}

func (id authorizationID) logKey() string { return "authorization_id" }

func (id authorizationID) attributes() map[string]string {
	return map[string]string{"id": id.String(), "api_product_id": id.ProductID, "app_id": strconv.FormatInt(id.AppID, 10)}
}

func (id authorizationID) identity() any {
	return apiProductAuthorizationIdentityModel{
		APIProductID: types.StringValue(id.ProductID),
		AppID:        types.StringValue(strconv.FormatInt(id.AppID, 10)),
	}
}

func (m apiProductAuthorizationModel) timeoutsValue() timeouts.Value { return m.Timeouts }
func (m apiProductAuthorizationModel) resourceID() resourceID        { return m.authorizationID() }

func (m apiProductAuthorizationModel) authorizationID() authorizationID {
	app, _ := strconv.ParseInt(m.AppID.ValueString(), 10, 64)
	return authorizationID{ProductID: m.APIProductID.ValueString(), AppID: app}
}

func (m *apiProductAuthorizationModel) terms() cloudapi.GrantTerms {
	return cloudapi.GrantTerms{AuthValidTime: wireAuthValidTime(m.AuthValidTime.ValueString()), Description: m.Description.ValueString()}
}

// setGrant copies what DescribeAppsByApiProduct reports. auth_valid_time and description keep the
// configuration's spelling when they mean what the service reports (a time given with an offset
// is reported in UTC); otherwise they show what the service reports, so a change made elsewhere is
// a difference in the next plan.
func (m *apiProductAuthorizationModel) setGrant(g *cloudapi.AuthorizedApp) {
	if !sameInstant(m.AuthValidTime.ValueString(), g.AuthValidTime) {
		m.AuthValidTime = optionalString(g.AuthValidTime)
	}
	if m.Description.ValueString() != g.Description {
		m.Description = optionalString(g.Description)
	}
	if g.AppName != "" || m.AppName.IsUnknown() {
		m.AppName = optionalString(g.AppName)
	}
	if g.AuthorizedTime != "" || m.AuthorizedTime.IsUnknown() {
		m.AuthorizedTime = optionalString(g.AuthorizedTime)
	}
}

// optionalString is null for "", which is how the service says "not set".
func optionalString(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// Schema implements resource.Resource.
func (r *apiProductAuthorizationResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
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
			"id": computedAttribute("Identifier of the authorization, `<api_product_id>:<app_id>`; also the import id."),
			"api_product_id": replacingAttribute("ID of the API product. The product must exist (it is created by its first API, through "+
				"`apigateway_api_product` or `apigateway_api_product_attachment`). Changing it replaces the authorization.",
				identifierValidatorFor("authorization id", authorizationIDFormat)),
			"app_id": replacingAttribute("ID of the app, as decimal digits (for example `alicloud_api_gateway_app.this.id`). Changing it replaces the authorization.",
				appIDValidator),
			"auth_valid_time": schema.StringAttribute{
				MarkdownDescription: "When the authorization expires, as an RFC 3339 time in whole seconds (`2030-06-30T16:00:00Z`, or with an offset: " +
					"the service stores it in UTC). Null (the default) means it never expires. It must be in the future when the authorization is " +
					"granted. Once it has passed the authorization no longer exists: the next plan shows it to be granted again, and fails " +
					"until `auth_valid_time` is moved to the future or removed. Updated in place.",
				Optional:   true,
				Validators: []validator.String{authValidTimeValidator},
			},
			"description": schema.StringAttribute{
				MarkdownDescription: "Description of the authorization. Updated in place.",
				Optional:            true,
			},
			"app_name":        computedAttribute("Name of the app, as the service reports it."),
			"authorized_time": computedAttribute("When the app was first authorized on the product (UTC), as the service reports it."),
		},
		Blocks: timeoutsBlock(ctx,
			"How long to wait for the grant, as a Go duration such as `30s` or `10m`.",
			"How long to wait for the grant with new terms, as a Go duration.",
			"How long to wait for the revoke, as a Go duration."),
	}
}

// IdentitySchema implements resource.ResourceWithIdentity.
func (r *apiProductAuthorizationResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"api_product_id": identityAttribute("ID of the API product."),
			"app_id":         identityAttribute("ID of the app, as decimal digits."),
		},
	}
}

// Create implements resource.Resource. The grant is batched with concurrent grants of the same
// product and terms; a strict read then fills in what the service reports. A grant whose outcome
// is unknown (lost answer, 5xx past the retries, timeout, Ctrl-C while it was in flight) is settled
// by a listing; if the listing cannot settle it, it is recorded in the state (tainted, so the next
// apply grants it again; destroy revokes it), never forgotten.
func (r *apiProductAuthorizationResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx, cancel, plan, ok := begin[apiProductAuthorizationModel](ctx, r.data, createOp, req.Plan.Get, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()
	if r.grant(ctx, &plan, resp.Private, &resp.Diagnostics) == grantUnknown {
		// Keep track of it: the error makes Terraform record it as tainted.
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		setIdentity(ctx, resp.Identity, plan.authorizationID(), &resp.Diagnostics)
		return
	}
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	setIdentity(ctx, resp.Identity, plan.authorizationID(), &resp.Diagnostics)
}

// Read implements resource.Resource.
func (r *apiProductAuthorizationResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	ctx, cancel, state, ok := beginRead[apiProductAuthorizationModel](ctx, r.data, req, resp)
	if !ok {
		return
	}
	defer cancel()
	id := state.authorizationID()
	g, err := r.data.client.FindGrant(ctx, id.ProductID, id.AppID, r.data.refresh())
	if perr := productMissing(ctx, r.data, id.ProductID, err); perr != nil {
		tflog.Debug(ctx, "the product's listing says the product is gone", map[string]any{"apps_listing_error": err.Error()})
		err = perr // and so is the grant
	}
	if err == nil && g.AuthValidTime != "" {
		// A service that still lists an expired grant: it authorizes nothing any more.
		if t, perr := time.Parse(time.RFC3339, g.AuthValidTime); perr == nil && !t.After(r.data.now()) {
			err = fmt.Errorf("the authorization expired at %s", g.AuthValidTime)
			r.forget(ctx, id, state, err, resp)
			return
		}
	}
	if isGone(err) {
		if age, recent := unconfirmed(ctx, req.Private, r.data.now(), &resp.Diagnostics); recent {
			tflog.Warn(ctx, "authorization not listed yet; keeping it, since it was (or may have been) granted recently and the service may not show it yet",
				map[string]any{"granted_ago": age.Round(time.Second).String(), "grace": cloudapi.VisibilityGrace.String()})
			return
		}
		r.forget(ctx, id, state, err, resp)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot read API product authorization",
			fmt.Sprintf("Reading the authorization of app %d on API product %q failed: %s", id.AppID, id.ProductID, describeError(err)))
		return
	}
	state.ID = types.StringValue(id.String())
	state.setGrant(g)
	resp.Diagnostics.Append(setUnconfirmed(ctx, resp.Private, time.Time{})...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// forget drops an authorization that no longer exists from the state, saying why it may have
// gone and what the next apply does.
func (r *apiProductAuthorizationResource) forget(ctx context.Context, id authorizationID, state apiProductAuthorizationModel, err error, resp *resource.ReadResponse) {
	why := "it was revoked outside Terraform, or the app or the API product was deleted"
	switch grantMissing, productMissing := goneKind(err); {
	case productMissing:
		why = "the API product no longer exists"
	case !grantMissing:
		why = err.Error()
	default:
		if t, problem := parseAuthValidTime(state.AuthValidTime.ValueString()); problem == "" && !state.AuthValidTime.IsNull() && !t.After(r.data.now()) {
			why = "it expired at " + state.AuthValidTime.ValueString()
		}
	}
	removeGone(ctx, resp, goneNotice{
		kind:    "API product authorization",
		subject: fmt.Sprintf("The authorization of app %d on API product %q", id.AppID, id.ProductID),
		why:     why,
		next:    "grants it again (and fails if the app is gone, or if auth_valid_time is in the past)",
	})
}

// Update implements resource.Resource: new terms are granted again, in place.
func (r *apiProductAuthorizationResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	ctx, cancel, plan, ok := begin[apiProductAuthorizationModel](ctx, r.data, updateOp, req.Plan.Get, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()
	var state apiProductAuthorizationModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if sameInstant(plan.AuthValidTime.ValueString(), state.AuthValidTime.ValueString()) && plan.Description.Equal(state.Description) {
		// Only the spelling of the time or the timeouts changed: nothing to send.
		plan.ID, plan.AppName, plan.AuthorizedTime = state.ID, state.AppName, state.AuthorizedTime
	} else if r.grant(ctx, &plan, nil, &resp.Diagnostics) != granted {
		// The state keeps the terms the grant had before (the framework keeps the prior state on
		// an error): if the new ones were applied after all, the next refresh reads them and the
		// plan is empty; if not, the next apply grants them again.
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	setIdentity(ctx, resp.Identity, plan.authorizationID(), &resp.Diagnostics)
}

// Delete implements resource.Resource: the revoke is batched with concurrent revokes of the same
// app. An app that no longer exists has no grants left. Any other failure whose effect a listing can
// tell is settled by one taken afterwards, under the rule Read follows: a grant the listing does not
// show is gone, unless it was granted so recently that the listing may not show it yet. Whatever
// cannot be proved gone stays in the state.
func (r *apiProductAuthorizationResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	ctx, cancel, state, ok := begin[apiProductAuthorizationModel](ctx, r.data, deleteOp, req.State.Get, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()
	id := state.authorizationID()
	tflog.Debug(ctx, "revoking app's authorization on API product")
	err := r.data.client.RevokeApp(ctx, id.ProductID, id.AppID)
	if isAppGone(err) {
		tflog.Info(ctx, "app no longer exists; nothing to revoke", map[string]any{"error": err.Error()})
		return
	}
	check := ""
	if listingDecides(err) {
		_, ferr := r.findAfter(id)
		age, recent := unconfirmed(ctx, req.Private, r.data.now(), &resp.Diagnostics)
		switch {
		case isGone(ferr) && !recent:
			tflog.Info(ctx, "app is not authorized on the product (any more); nothing to revoke", map[string]any{"revoke_error": err.Error()})
			return
		case isGone(ferr):
			check = fmt.Sprintf("The listing that followed does not show it, but it was granted %s ago, too recently for that to prove it is gone.", age.Round(time.Second))
		case ferr == nil:
			check = "The listing that followed still shows it."
		default:
			check = "Checking whether it is still granted failed too: " + describeError(ferr)
		}
	}
	if notSent(err) {
		resp.Diagnostics.AddError("App's authorization not revoked", notSentDetail(fmt.Sprintf("Revoking the authorization of app %d on API product %q", id.AppID, id.ProductID),
			"delete timeout", "it is still granted and stays in the state"))
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot revoke app's authorization on API product",
			fmt.Sprintf("Revoking the authorization of app %d on API product %q failed: %s\n\n%s\n\nThe authorization stays in the state; the next destroy revokes it again.",
				id.AppID, id.ProductID, describeError(err), check))
		return
	}
	tflog.Info(ctx, "revoked app's authorization on API product")
}

// ImportState implements resource.ResourceWithImportState.
func (r *apiProductAuthorizationResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importState[apiProductAuthorizationIdentityModel](ctx, importer[authorizationID]{
		typeName: "apigateway_api_product_authorization",
		forms:    "an id of the form " + authorizationIDFormat + " or, on Terraform 1.12+ and OpenTofu 1.12+, with identity = { api_product_id, app_id }",
		parse:    parseAuthorizationID,
	}, req, resp)
}
