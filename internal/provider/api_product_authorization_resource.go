package provider

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/cloudapi/terraform-provider-apigateway/internal/cloudapi"
)

var (
	_ resource.Resource                = (*apiProductAuthorizationResource)(nil)
	_ resource.ResourceWithConfigure   = (*apiProductAuthorizationResource)(nil)
	_ resource.ResourceWithImportState = (*apiProductAuthorizationResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*apiProductAuthorizationResource)(nil)
	_ resource.ResourceWithIdentity    = (*apiProductAuthorizationResource)(nil)
)

// NewAPIProductAuthorizationResource returns the apigateway_api_product_authorization resource.
func NewAPIProductAuthorizationResource() resource.Resource {
	return &apiProductAuthorizationResource{}
}

// apiProductAuthorizationResource manages one (API product, app) grant.
type apiProductAuthorizationResource struct {
	data *providerData
}

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

func (m *apiProductAuthorizationModel) authorizationID() authorizationID {
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

func setAuthorizationIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, id authorizationID, diags *diag.Diagnostics) {
	if identity == nil {
		return
	}
	diags.Append(identity.Set(ctx, apiProductAuthorizationIdentityModel{
		APIProductID: types.StringValue(id.ProductID),
		AppID:        types.StringValue(strconv.FormatInt(id.AppID, 10)),
	})...)
}

// Metadata implements resource.Resource.
func (r *apiProductAuthorizationResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_api_product_authorization"
}

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

// Configure implements resource.ResourceWithConfigure.
func (r *apiProductAuthorizationResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if data := configuredData(req.ProviderData, &resp.Diagnostics); data != nil {
		r.data = data
	}
}

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
	timeout, d := plan.Timeouts.Read(ctx, defaultReadTimeout)
	diags.Append(d...)
	if diags.HasError() {
		return diags
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	_, err = r.data.client.LookupApp(ctx, appID)
	switch {
	case err == nil:
	case cloudapi.IsNotFoundKind(err, cloudapi.NotFoundApp):
		diags.AddAttributeError(path.Root("app_id"), "App not found",
			fmt.Sprintf("App %d does not exist in region %s (endpoint %s) for the configured credentials, so it cannot be authorized on API product %q. "+
				"Check app_id, and that region and credentials point at the account that owns the app. (%s)",
				appID, r.data.region, r.data.endpoint, plan.APIProductID.ValueString(), describeError(err)))
	case isCredentialError(err):
		diags.AddError("API Gateway rejected the credentials", fmt.Sprintf("Checking app %d failed: %s", appID, describeError(err)))
	case cloudapi.IsCertificateError(err):
		diags.AddError("API Gateway's TLS certificate is not trusted", fmt.Sprintf("Checking app %d failed: %s", appID, describeError(err)))
	default:
		diags.AddAttributeWarning(path.Root("app_id"), "Could not check the app",
			fmt.Sprintf("DescribeAppAttributes for app %d failed, so the plan cannot confirm the app exists; the grant is refused at apply time if it does not: %s",
				appID, describeError(err)))
	}
	return diags
}

// begin loads the model, checks the provider is configured and bounds ctx by the timeout.
func (r *apiProductAuthorizationResource) begin(ctx context.Context, get func(context.Context, any) diag.Diagnostics,
	timeout func(timeouts.Value, context.Context, time.Duration) (time.Duration, diag.Diagnostics), def time.Duration, skipUnconfigured bool,
	diags *diag.Diagnostics) (_ context.Context, cancel context.CancelFunc, m apiProductAuthorizationModel, ok bool) {
	diags.Append(get(ctx, &m)...)
	if diags.HasError() {
		return ctx, nil, m, false
	}
	if r.data == nil {
		if !skipUnconfigured {
			diags.AddError("Provider not configured", notConfiguredResource)
		}
		return ctx, nil, m, false
	}
	d, dd := timeout(m.Timeouts, ctx, def)
	diags.Append(dd...)
	if diags.HasError() {
		return ctx, nil, m, false
	}
	ctx, cancel = context.WithTimeout(ctx, d)
	return tflog.SetField(ctx, "authorization_id", m.authorizationID().String()), cancel, m, true
}

// grantError explains a failed grant.
func (r *apiProductAuthorizationResource) grantError(id authorizationID, err error, diags *diag.Diagnostics) {
	switch code := cloudapi.ErrorCode(err); {
	case code == "NotFoundApp":
		diags.AddAttributeError(path.Root("app_id"), "App not found",
			fmt.Sprintf("App %d does not exist in region %s (endpoint %s) for the configured credentials, so it cannot be authorized on API product %q. "+
				"If the app was deleted, remove this resource or point app_id at an existing app. (%s)", id.AppID, r.data.region, r.data.endpoint, id.ProductID, describeError(err)))
	case isGone(err):
		diags.AddAttributeError(path.Root("api_product_id"), "API product not found",
			fmt.Sprintf("API product %q does not exist in region %s (endpoint %s). An API product is created by attaching its first API: "+
				"manage it with apigateway_api_product (or apigateway_api_product_attachment) and reference its api_product_id, so that Terraform attaches the APIs first. (%s)",
				id.ProductID, r.data.region, r.data.endpoint, describeError(err)))
	default:
		diags.AddError("Cannot authorize app on API product",
			fmt.Sprintf("Authorizing app %d on API product %q failed: %s", id.AppID, id.ProductID, describeError(err)))
	}
}

// Create implements resource.Resource. The grant is batched with concurrent grants of the same
// product and terms; a strict read then fills in what the service reports. A grant whose outcome
// is unknown (lost answer, 5xx past the retries, timeout, Ctrl-C while it was in flight) is settled
// by a listing; if the listing cannot settle it, it is recorded in the state (tainted, so the next
// apply grants it again; destroy revokes it), never forgotten.
func (r *apiProductAuthorizationResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx, cancel, plan, ok := r.begin(ctx, req.Plan.Get, timeouts.Value.Create, defaultCreateTimeout, false, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()
	if r.grant(ctx, &plan, resp.Private, &resp.Diagnostics) == grantUnknown {
		// Keep track of it: the error makes Terraform record it as tainted.
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		setAuthorizationIdentity(ctx, resp.Identity, plan.authorizationID(), &resp.Diagnostics)
		return
	}
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	setAuthorizationIdentity(ctx, resp.Identity, plan.authorizationID(), &resp.Diagnostics)
}

// grantOutcome is what grant knows of its grant once it returns.
type grantOutcome int

const (
	granted      grantOutcome = iota // granted with the plan's terms
	grantFailed                      // definitely not granted (or not with these terms); diags say why
	grantUnknown                     // may or may not be granted; diags hold the error, plan what was sent
)

// grant sends the plan's grant and reads it back into plan. A failed call whose effect a listing can
// tell (anything but rejected credentials or a call never sent) is checked against a listing taken
// afterwards: a grant listed with the plan's terms is a success. private, when not nil, records a
// grant that no listing has shown yet (see unconfirmedSince), so that Read does not drop it while
// the service may still be catching up.
func (r *apiProductAuthorizationResource) grant(ctx context.Context, plan *apiProductAuthorizationModel, private privateSetter, diags *diag.Diagnostics) grantOutcome {
	id := plan.authorizationID()
	plan.ID = types.StringValue(id.String())
	clearUnknown := func() {
		for _, v := range []*types.String{&plan.AppName, &plan.AuthorizedTime} {
			if v.IsUnknown() {
				*v = types.StringNull()
			}
		}
	}
	tflog.Debug(ctx, "authorizing app on API product")
	err := r.data.client.GrantApp(ctx, id.ProductID, id.AppID, plan.terms())
	if err != nil && !isCredentialError(err) && !errors.Is(err, cloudapi.ErrNotSent) {
		g, ferr := r.findAfter(id)
		if ferr == nil && plan.sameTerms(g) {
			tflog.Warn(ctx, "grant call failed but the app is authorized with these terms; continuing", map[string]any{"error": err.Error()})
			plan.setGrant(g)
			clearUnknown()
			return granted
		}
		if cloudapi.OutcomeUnknown(err) {
			check := "The listing that followed does not show it with these terms yet, which does not prove that it was not granted: the service may list a fresh grant only after a while."
			if ferr != nil && !isGone(ferr) {
				check = "Checking whether it was granted failed too: " + describeError(ferr)
			}
			clearUnknown()
			if private != nil {
				diags.Append(setUnconfirmed(ctx, private, r.data.now())...)
			}
			diags.AddError("App may have been authorized",
				fmt.Sprintf("Authorizing app %d on API product %q did not complete: %s\n\n%s\n\n"+
					"The authorization is recorded in the state, so that nothing granted goes untracked: the next apply grants it again "+
					"(a create is recorded as tainted and replaced) and destroy revokes it.",
					id.AppID, id.ProductID, describeError(err), check))
			return grantUnknown
		}
	}
	if errors.Is(err, cloudapi.ErrNotSent) {
		diags.AddError("App not authorized",
			fmt.Sprintf("Authorizing app %d on API product %q was stopped (interrupted, or the timeout ran out) before the request was sent, so nothing was granted; the next apply grants it.",
				id.AppID, id.ProductID))
		return grantFailed
	}
	if err != nil {
		r.grantError(id, err, diags)
		return grantFailed
	}
	g, err := r.data.client.FindGrant(ctx, id.ProductID, id.AppID, cloudapi.Strict)
	switch {
	case err == nil:
		plan.setGrant(g)
	case isGone(err):
		// The grant succeeded but is not listed (yet): keep what was granted, and keep Read from
		// dropping it while the listing catches up; the next refresh fills in the rest.
		tflog.Warn(ctx, "authorization not listed right after the grant; its computed attributes are filled in by the next refresh")
		if private != nil {
			diags.Append(setUnconfirmed(ctx, private, r.data.now())...)
		}
	default:
		tflog.Warn(ctx, "could not read the authorization back; its computed attributes are filled in by the next refresh", map[string]any{"error": err.Error()})
	}
	clearUnknown()
	tflog.Info(ctx, "authorized app on API product")
	return granted
}

// sameTerms reports whether the listed grant g has the plan's terms.
func (m *apiProductAuthorizationModel) sameTerms(g *cloudapi.AuthorizedApp) bool {
	return sameInstant(m.AuthValidTime.ValueString(), g.AuthValidTime) && m.Description.ValueString() == g.Description
}

// findAfter looks for the grant in a listing that starts now, under a fresh, short deadline: the
// operation's own context may have ended (Ctrl-C, timeout) when this runs.
func (r *apiProductAuthorizationResource) findAfter(id authorizationID) (*cloudapi.AuthorizedApp, error) {
	ctx, cancel := context.WithTimeout(context.Background(), findAfterTimeout)
	defer cancel()
	return r.data.client.FindGrant(ctx, id.ProductID, id.AppID, cloudapi.Strict)
}

// unconfirmed reports whether the grant was made (or may have been) so recently that a listing not
// showing it proves nothing yet.
func (r *apiProductAuthorizationResource) unconfirmed(ctx context.Context, p privateGetter, diags *diag.Diagnostics) (time.Duration, bool) {
	since, d := unconfirmedSince(ctx, p)
	diags.Append(d...)
	age := r.data.now().Sub(since)
	return age, !since.IsZero() && age < cloudapi.VisibilityGrace
}

// Read implements resource.Resource.
func (r *apiProductAuthorizationResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	ctx, cancel, state, ok := r.begin(ctx, req.State.Get, timeouts.Value.Read, defaultReadTimeout, true, &resp.Diagnostics)
	if !resp.Diagnostics.HasError() {
		setAuthorizationIdentity(ctx, resp.Identity, state.authorizationID(), &resp.Diagnostics)
	}
	if !ok {
		return
	}
	defer cancel()
	id := state.authorizationID()
	g, err := r.data.client.FindGrant(ctx, id.ProductID, id.AppID, cloudapi.AtMost(refreshMaxStaleness))
	if err != nil && !isGone(err) && !isCredentialError(err) && ctx.Err() == nil {
		// A service that answers an unknown product with a code nobody can know in advance: the
		// product's own listing, which tells such an answer from other failures, decides whether
		// the product (and so the grant) is gone.
		if _, perr := r.data.client.ListProductAPIs(ctx, id.ProductID, cloudapi.Strict); isGone(perr) {
			tflog.Debug(ctx, "the product's listing says the product is gone", map[string]any{"apps_listing_error": err.Error()})
			err = perr
		}
	}
	if err == nil && g.AuthValidTime != "" {
		// A service that still lists an expired grant: it authorizes nothing any more.
		if t, perr := time.Parse(time.RFC3339, g.AuthValidTime); perr == nil && !t.After(r.data.now()) {
			err = fmt.Errorf("the authorization expired at %s", g.AuthValidTime)
			r.removeGone(ctx, id, state, err, resp)
			return
		}
	}
	if isGone(err) {
		if age, recent := r.unconfirmed(ctx, req.Private, &resp.Diagnostics); recent {
			tflog.Warn(ctx, "authorization not listed yet; keeping it, since it was (or may have been) granted recently and the service may not show it yet",
				map[string]any{"granted_ago": age.Round(time.Second).String(), "grace": cloudapi.VisibilityGrace.String()})
			return
		}
		r.removeGone(ctx, id, state, err, resp)
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

// removeGone drops an authorization that no longer exists from the state, saying why it may have
// gone and what the next apply does.
func (r *apiProductAuthorizationResource) removeGone(ctx context.Context, id authorizationID, state apiProductAuthorizationModel, err error, resp *resource.ReadResponse) {
	why := "it was revoked outside Terraform, or the app or the API product was deleted"
	switch {
	case cloudapi.IsNotFoundKind(err, cloudapi.NotFoundProduct):
		why = "the API product no longer exists"
	case !cloudapi.IsNotFoundKind(err, cloudapi.NotFoundGrant):
		why = err.Error()
	default:
		if t, problem := parseAuthValidTime(state.AuthValidTime.ValueString()); problem == "" && !state.AuthValidTime.IsNull() && !t.After(r.data.now()) {
			why = "it expired at " + state.AuthValidTime.ValueString()
		}
	}
	tflog.Warn(ctx, "authorization no longer exists, removing it from state", map[string]any{"reason": why})
	resp.Diagnostics.AddWarning("API product authorization no longer exists",
		fmt.Sprintf("App %d is no longer authorized on API product %q: %s. It has been removed from the state; the next apply grants it again "+
			"(and fails if the app is gone, or if auth_valid_time is in the past).", id.AppID, id.ProductID, why))
	resp.State.RemoveResource(ctx)
}

// Update implements resource.Resource: new terms are granted again, in place.
func (r *apiProductAuthorizationResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	ctx, cancel, plan, ok := r.begin(ctx, req.Plan.Get, timeouts.Value.Update, defaultCreateTimeout, false, &resp.Diagnostics)
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
	setAuthorizationIdentity(ctx, resp.Identity, plan.authorizationID(), &resp.Diagnostics)
}

// Delete implements resource.Resource: the revoke is batched with concurrent revokes of the same
// app. An app that no longer exists has no grants left. Any other failure whose effect a listing can
// tell is settled by one taken afterwards, under the rule Read follows: a grant the listing does not
// show is gone, unless it was granted so recently that the listing may not show it yet. Whatever
// cannot be proved gone stays in the state.
func (r *apiProductAuthorizationResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	ctx, cancel, state, ok := r.begin(ctx, req.State.Get, timeouts.Value.Delete, defaultDeleteTimeout, false, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()
	id := state.authorizationID()
	tflog.Debug(ctx, "revoking app's authorization on API product")
	err := r.data.client.RevokeApp(ctx, id.ProductID, id.AppID)
	if cloudapi.IsNotFoundKind(err, cloudapi.NotFoundApp) {
		tflog.Info(ctx, "app no longer exists; nothing to revoke", map[string]any{"error": err.Error()})
		return
	}
	check := ""
	if err != nil && !isCredentialError(err) && !errors.Is(err, cloudapi.ErrNotSent) {
		_, ferr := r.findAfter(id)
		age, recent := r.unconfirmed(ctx, req.Private, &resp.Diagnostics)
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
	if errors.Is(err, cloudapi.ErrNotSent) {
		resp.Diagnostics.AddError("App's authorization not revoked",
			fmt.Sprintf("Revoking the authorization of app %d on API product %q was stopped (interrupted, or the delete timeout ran out) before the request was sent, so it is still granted and stays in the state.",
				id.AppID, id.ProductID))
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

// ImportState implements resource.ResourceWithImportState: by id `<api_product_id>:<app_id>`, or
// by identity (Terraform 1.12+, OpenTofu 1.12+). Read fills in the rest, or removes the resource
// if the authorization does not exist.
func (r *apiProductAuthorizationResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	var id authorizationID
	var err error
	switch {
	case req.ID != "":
		id, err = parseAuthorizationID(req.ID)
	case req.Identity != nil && !req.Identity.Raw.IsNull():
		var m apiProductAuthorizationIdentityModel
		resp.Diagnostics.Append(req.Identity.Get(ctx, &m)...)
		if resp.Diagnostics.HasError() {
			return
		}
		id, err = parseAuthorizationID(m.APIProductID.ValueString() + ":" + m.AppID.ValueString())
	default:
		err = fmt.Errorf("give an id of the form %s or, on Terraform 1.12+ and OpenTofu 1.12+, identity = { api_product_id, app_id }", authorizationIDFormat)
	}
	if err != nil {
		resp.Diagnostics.AddError("Invalid import id", sentence(fmt.Sprintf("Cannot import apigateway_api_product_authorization: %s", err)))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id.String())...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("api_product_id"), id.ProductID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("app_id"), strconv.FormatInt(id.AppID, 10))...)
	setAuthorizationIdentity(ctx, resp.Identity, id, &resp.Diagnostics)
}
