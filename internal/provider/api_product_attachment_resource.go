package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
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

const (
	defaultCreateTimeout = 10 * time.Minute
	defaultReadTimeout   = 5 * time.Minute
	defaultDeleteTimeout = 10 * time.Minute
)

// refreshMaxStaleness lets the reads of one refresh share one listing of the product instead of
// each paging through all of it (N attachments would cost N × ceil(N/100) requests against the
// account's quota). The client, and so what it keeps, is built by Configure and lives for one
// Terraform command at most, so in practice a refresh sees each product as it was at its first
// read in that command (a listing older than this is taken again). Every write through the client
// is laid over the listing, so a read never misses an attachment this provider made or removed;
// what it may miss is a change made elsewhere during the command, which a refresh racing with
// that change could miss anyway.
const refreshMaxStaleness = 10 * time.Minute

// findAfterTimeout bounds the listing that decides a write whose outcome is unknown; it runs
// after the operation's own context may have ended, so it must be short.
const findAfterTimeout = 20 * time.Second

// privateUnconfirmed is the private-state key of an attachment that no listing has shown yet:
// its value is the time of the successful attach (RFC 3339).
const privateUnconfirmed = "unconfirmed_since"

// Private state as Create and Read see it (the framework's type is internal).
type (
	privateGetter interface {
		GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
	}
	privateSetter interface {
		SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
	}
)

// setUnconfirmed records when a fresh attachment was made; the zero time clears the record, once a
// listing has shown the attachment.
func setUnconfirmed(ctx context.Context, p privateSetter, at time.Time) diag.Diagnostics {
	if at.IsZero() {
		return p.SetKey(ctx, privateUnconfirmed, nil)
	}
	v, _ := json.Marshal(at.UTC().Format(time.RFC3339Nano))
	return p.SetKey(ctx, privateUnconfirmed, v)
}

// unconfirmedSince returns when the attachment was made if no listing has shown it since, else the
// zero time. Read keeps such an attachment for cloudapi.VisibilityGrace even when the product's
// listing does not show it: the service may take a while to list a fresh attachment, and dropping
// it from state would make the next plan attach it again.
func unconfirmedSince(ctx context.Context, p privateGetter) (time.Time, diag.Diagnostics) {
	raw, diags := p.GetKey(ctx, privateUnconfirmed)
	if len(raw) == 0 || diags.HasError() {
		return time.Time{}, diags
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return time.Time{}, diags
	}
	at, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, diags
	}
	return at, diags
}

// withinGrace reports whether an attachment made at since (the zero time: a listing has shown it)
// may still be missing from the service's listings. A listing that does not show such an
// attachment proves nothing: Read keeps it, and Delete does not take it for gone.
func withinGrace(since time.Time) bool {
	return !since.IsZero() && time.Since(since) < cloudapi.VisibilityGrace
}

var (
	_ resource.Resource                = (*apiProductAttachmentResource)(nil)
	_ resource.ResourceWithConfigure   = (*apiProductAttachmentResource)(nil)
	_ resource.ResourceWithImportState = (*apiProductAttachmentResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*apiProductAttachmentResource)(nil)
	_ resource.ResourceWithIdentity    = (*apiProductAttachmentResource)(nil)
)

// NewAPIProductAttachmentResource returns the apigateway_api_product_attachment resource.
func NewAPIProductAttachmentResource() resource.Resource {
	return &apiProductAttachmentResource{}
}

// apiProductAttachmentResource manages one (API product, API, stage) attachment.
type apiProductAttachmentResource struct {
	data *providerData
}

type apiProductAttachmentModel struct {
	ID           types.String   `tfsdk:"id"`
	APIProductID types.String   `tfsdk:"api_product_id"`
	APIID        types.String   `tfsdk:"api_id"`
	StageName    types.String   `tfsdk:"stage_name"`
	APIName      types.String   `tfsdk:"api_name"`
	GroupID      types.String   `tfsdk:"group_id"`
	GroupName    types.String   `tfsdk:"group_name"`
	Method       types.String   `tfsdk:"method"`
	Path         types.String   `tfsdk:"path"`
	Timeouts     timeouts.Value `tfsdk:"timeouts"`
}

// apiProductAttachmentIdentityModel is the resource identity (Terraform 1.12+, OpenTofu 1.12+): the
// same triple as the id, as typed fields, so `import { identity = {...} }` needs no string format.
type apiProductAttachmentIdentityModel struct {
	APIProductID types.String `tfsdk:"api_product_id"`
	APIID        types.String `tfsdk:"api_id"`
	StageName    types.String `tfsdk:"stage_name"`
}

func (id attachmentID) identity() apiProductAttachmentIdentityModel {
	return apiProductAttachmentIdentityModel{
		APIProductID: types.StringValue(id.ProductID),
		APIID:        types.StringValue(id.APIID),
		StageName:    types.StringValue(id.StageName),
	}
}

// setIdentity records id as the resource identity. identity is nil when the framework has no
// identity to fill in; CLIs without identity support (Terraform < 1.12) simply ignore it.
func setIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, id attachmentID, diags *diag.Diagnostics) {
	if identity == nil {
		return
	}
	diags.Append(identity.Set(ctx, id.identity())...)
}

func (m *apiProductAttachmentModel) attachmentID() attachmentID {
	return attachmentID{ProductID: m.APIProductID.ValueString(), APIID: m.APIID.ValueString(), StageName: m.StageName.ValueString()}
}

// setInfo copies what DescribeApiProductApis reports into the computed attributes.
func (m *apiProductAttachmentModel) setInfo(info *cloudapi.APIInfo) {
	m.APIName = types.StringValue(info.APIName)
	m.GroupID = types.StringValue(info.GroupID)
	m.GroupName = types.StringValue(info.GroupName)
	m.Method = types.StringValue(info.Method)
	m.Path = types.StringValue(info.Path)
}

// clearUnknownComputed turns still-unknown computed attributes into nulls, since state must never
// hold unknown values.
func (m *apiProductAttachmentModel) clearUnknownComputed() {
	for _, v := range []*types.String{&m.APIName, &m.GroupID, &m.GroupName, &m.Method, &m.Path} {
		if v.IsUnknown() {
			*v = types.StringNull()
		}
	}
}

// Metadata implements resource.Resource.
func (r *apiProductAttachmentResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_api_product_attachment"
}

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

// Configure implements resource.ResourceWithConfigure.
func (r *apiProductAttachmentResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if data := configuredData(req.ProviderData, &resp.Diagnostics); data != nil {
		r.data = data
	}
}

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
	timeout, d := plan.Timeouts.Read(ctx, defaultReadTimeout)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
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
		diags.AddAttributeError(path.Root("api_id"), "API not found",
			fmt.Sprintf("API %q does not exist in region %s (endpoint %s) for the configured credentials. Check api_id, and that region and credentials point at the account that owns the API.",
				apiID, data.region, data.endpoint))
		return diags
	case isCredentialError(err):
		diags.AddError("API Gateway rejected the credentials", fmt.Sprintf("Checking API %q failed: %s", apiID, describeError(err)))
		return diags
	case cloudapi.IsCertificateError(err):
		// Nothing will get through this endpoint: better said at plan time than after the plan.
		diags.AddError("API Gateway's TLS certificate is not trusted", fmt.Sprintf("Checking API %q failed: %s", apiID, describeError(err)))
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

// attachmentOp is what differs between the preludes of Create, Read and Delete.
type attachmentOp struct {
	// timeout picks the operation's own entry of the timeouts block, def when it is unset.
	timeout func(t timeouts.Value, ctx context.Context, def time.Duration) (time.Duration, diag.Diagnostics)
	def     time.Duration
	// skipUnconfigured makes an unconfigured provider a silent no-op instead of an error: a refresh
	// may run with an unknown provider configuration, and keeps the state as it is; the apply that
	// follows runs with a configured provider.
	skipUnconfigured bool
}

var (
	createOp = attachmentOp{timeout: timeouts.Value.Create, def: defaultCreateTimeout}
	readOp   = attachmentOp{timeout: timeouts.Value.Read, def: defaultReadTimeout, skipUnconfigured: true}
	deleteOp = attachmentOp{timeout: timeouts.Value.Delete, def: defaultDeleteTimeout}
)

// begin is the prelude of Create, Read and Delete: it loads the model with get, checks that the
// provider is configured, bounds ctx by op's timeout and tags its log lines with the attachment id.
// When ok is false the operation stops, with the reason (if any) already in diags; otherwise the
// caller must call cancel.
func (r *apiProductAttachmentResource) begin(ctx context.Context, op attachmentOp, get func(context.Context, any) diag.Diagnostics,
	diags *diag.Diagnostics) (_ context.Context, cancel context.CancelFunc, m apiProductAttachmentModel, ok bool) {
	diags.Append(get(ctx, &m)...)
	if diags.HasError() {
		return ctx, nil, m, false
	}
	if r.data == nil {
		if op.skipUnconfigured {
			tflog.Warn(ctx, "provider not configured, skipping refresh of the attachment")
		} else {
			diags.AddError("Provider not configured", notConfiguredResource)
		}
		return ctx, nil, m, false
	}
	timeout, d := op.timeout(m.Timeouts, ctx, op.def)
	diags.Append(d...)
	if diags.HasError() {
		return ctx, nil, m, false
	}
	ctx, cancel = context.WithTimeout(ctx, timeout)
	return tflog.SetField(ctx, "attachment_id", m.attachmentID().String()), cancel, m, true
}

// Create implements resource.Resource. The attach is batched with the concurrent creates for the
// same product (one AttachApiProduct call for all of them), and its success is the confirmation:
// no listing is read back. A fresh attachment that the service does not list yet is kept by Read
// for a while (see unconfirmedSince).
func (r *apiProductAttachmentResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx, cancel, plan, ok := r.begin(ctx, createOp, req.Plan.Get, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()
	id := plan.attachmentID()
	plan.ID = types.StringValue(id.String())

	tflog.Debug(ctx, "attaching API to API product")
	info, err := r.data.client.AttachAPI(ctx, id.ProductID, cloudapi.APIRef{APIID: id.APIID, StageName: id.StageName})
	listed := false
	if r.listingDecides(err) {
		// The call may have been applied though its answer was lost, or it failed in a way that
		// does not say whether the pair is attached (a service may refuse to attach a pair twice).
		found, ferr := r.findAfter(id)
		switch {
		case ferr == nil:
			tflog.Warn(ctx, "attach call failed but the API is attached; continuing", map[string]any{"error": err.Error()})
			info, err, listed = found, nil, true
		case cloudapi.OutcomeUnknown(err):
			// Nobody can tell whether it is attached: keep track of it. A listing that does not show
			// it proves nothing, since the service may list a fresh attachment only after a while
			// (and Read keeps such an attachment for cloudapi.VisibilityGrace for the same reason).
			// The error makes Terraform record it as tainted, so the next apply replaces it, and
			// destroy detaches it.
			check := "The listing that followed does not show it yet, which does not prove that it was not attached: the service may list a fresh attachment only after a while."
			if !isGone(ferr) {
				check = "Checking whether it was attached failed too: " + describeError(ferr)
			}
			plan.clearUnknownComputed()
			resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
			setIdentity(ctx, resp.Identity, id, &resp.Diagnostics)
			// Read must not drop it while a listing may still be catching up, or a destroy run
			// right after would leave it attached.
			resp.Diagnostics.Append(setUnconfirmed(ctx, resp.Private, time.Now())...)
			resp.Diagnostics.AddError("API may have been attached",
				fmt.Sprintf("Attaching API %q in stage %s to API product %q did not complete: %s\n\n%s\n\n"+
					"The attachment is recorded in the state and marked as tainted, so the next apply replaces it (detach, then attach again) and destroy detaches it.",
					id.APIID, id.StageName, id.ProductID, describeError(err), check))
			return
		}
	}
	if errors.Is(err, cloudapi.ErrNotSent) {
		resp.Diagnostics.AddError("API not attached",
			fmt.Sprintf("Attaching API %q in stage %s to API product %q was stopped (interrupted, or the create timeout ran out) before the request was sent, so nothing was attached; the next apply attaches it.",
				id.APIID, id.StageName, id.ProductID))
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot attach API to API product",
			fmt.Sprintf("Attaching API %q in stage %s to API product %q failed: %s", id.APIID, id.StageName, id.ProductID, describeError(err)))
		return
	}

	if info != nil {
		plan.setInfo(info)
	} else {
		tflog.Warn(ctx, "could not read the attached API's details; they are filled in by the next refresh")
		plan.clearUnknownComputed()
	}
	if !listed {
		resp.Diagnostics.Append(setUnconfirmed(ctx, resp.Private, time.Now())...)
	}
	tflog.Info(ctx, "attached API to API product")
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	setIdentity(ctx, resp.Identity, id, &resp.Diagnostics)
}

// listingDecides reports a failed write whose effect only a listing can tell: anything but a
// rejection of the credentials or a request that was never sent.
func (r *apiProductAttachmentResource) listingDecides(err error) bool {
	return err != nil && !isCredentialError(err) && !errors.Is(err, cloudapi.ErrNotSent)
}

// findAfter checks for the attachment in a listing that starts now, under a fresh, short deadline:
// the operation's own context may have ended (Ctrl-C, timeout) when this runs.
func (r *apiProductAttachmentResource) findAfter(id attachmentID) (*cloudapi.APIInfo, error) {
	ctx, cancel := context.WithTimeout(context.Background(), findAfterTimeout)
	defer cancel()
	return r.data.client.FindAttachment(ctx, id.ProductID, id.APIID, id.StageName)
}

// Read implements resource.Resource.
func (r *apiProductAttachmentResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	ctx, cancel, state, ok := r.begin(ctx, readOp, req.State.Get, &resp.Diagnostics)
	if !resp.Diagnostics.HasError() {
		// Set first, on every path: the framework rejects a Read that ends without an identity,
		// even one that skips the refresh (unconfigured provider) or removes the resource. It also
		// fills in the identity of attachments created before the provider had one, or by a CLI
		// that does not store identities (Terraform < 1.12).
		setIdentity(ctx, resp.Identity, state.attachmentID(), &resp.Diagnostics)
	}
	if !ok {
		return
	}
	defer cancel()
	id := state.attachmentID()
	info, err := r.data.client.FindAttachment(cloudapi.WithMaxStaleness(ctx, refreshMaxStaleness), id.ProductID, id.APIID, id.StageName)
	if isGone(err) {
		since, d := unconfirmedSince(ctx, req.Private)
		resp.Diagnostics.Append(d...)
		if withinGrace(since) {
			tflog.Warn(ctx, "attachment not listed yet; keeping it, since it was attached recently and the service may not show it yet",
				map[string]any{"attached_ago": time.Since(since).Round(time.Second).String(), "grace": cloudapi.VisibilityGrace.String()})
			return
		}
		tflog.Warn(ctx, "attachment no longer exists, removing it from state", map[string]any{"reason": err.Error()})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot read API product attachment",
			fmt.Sprintf("Reading the attachment of API %q in stage %s to API product %q failed: %s", id.APIID, id.StageName, id.ProductID, describeError(err)))
		return
	}
	state.ID = types.StringValue(id.String())
	state.setInfo(info)
	resp.Diagnostics.Append(setUnconfirmed(ctx, resp.Private, time.Time{})...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// Update implements resource.Resource. Every argument forces replacement, so only the timeouts
// block can change in place; nothing needs to be sent to the API.
func (r *apiProductAttachmentResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan apiProductAttachmentModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	plan.clearUnknownComputed()
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	setIdentity(ctx, resp.Identity, plan.attachmentID(), &resp.Diagnostics)
}

// Delete implements resource.Resource. The detach is batched like Create's attach, and its
// success is the confirmation.
func (r *apiProductAttachmentResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	ctx, cancel, state, ok := r.begin(ctx, deleteOp, req.State.Get, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()
	id := state.attachmentID()

	tflog.Debug(ctx, "detaching API from API product")
	err := r.data.client.DetachAPI(ctx, id.ProductID, cloudapi.APIRef{APIID: id.APIID, StageName: id.StageName})
	if r.listingDecides(err) {
		// Already gone (a service may refuse to detach a pair that is not attached, or to touch a
		// product that does not exist), or the answer was lost: a listing decides, but only one
		// that Read would trust too. An attachment made within the visibility grace may simply not
		// be listed yet, so after a lost answer its absence proves nothing and it stays in the
		// state; after a definite refusal (the service, asked about this very pair, changed
		// nothing) the listing's word stands.
		since, d := unconfirmedSince(ctx, req.Private)
		resp.Diagnostics.Append(d...)
		trusted := !withinGrace(since) || !cloudapi.OutcomeUnknown(err)
		if _, ferr := r.findAfter(id); isGone(ferr) && trusted {
			tflog.Info(ctx, "API is not attached (any more); nothing to detach", map[string]any{"detach_error": err.Error()})
			return
		}
	}
	if errors.Is(err, cloudapi.ErrNotSent) {
		resp.Diagnostics.AddError("API not detached",
			fmt.Sprintf("Detaching API %q in stage %s from API product %q was stopped (interrupted, or the delete timeout ran out) before the request was sent, so it is still attached and stays in the state.",
				id.APIID, id.StageName, id.ProductID))
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot detach API from API product",
			fmt.Sprintf("Detaching API %q in stage %s from API product %q failed: %s\n\nThe attachment stays in the state.", id.APIID, id.StageName, id.ProductID, describeError(err)))
		return
	}
	tflog.Info(ctx, "detached API from API product")
}

// ImportState implements resource.ResourceWithImportState, for `terraform import`, import blocks
// with an id (every CLI) and import blocks with an identity (Terraform 1.12+, OpenTofu 1.12+). Both
// forms are checked with the schema's rules; Read fills in the rest, or removes the resource if the
// attachment does not exist.
func (r *apiProductAttachmentResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	var id attachmentID
	if req.ID != "" {
		var err error
		id, err = parseAttachmentID(req.ID)
		if err != nil {
			resp.Diagnostics.AddError("Invalid import id", sentence(fmt.Sprintf("Cannot import apigateway_api_product_attachment: %s", err)))
			return
		}
	} else {
		var ok bool
		if id, ok = importIdentity(ctx, req.Identity, &resp.Diagnostics); !ok {
			return
		}
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id.String())...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("api_product_id"), id.ProductID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("api_id"), id.APIID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("stage_name"), id.StageName)...)
	setIdentity(ctx, resp.Identity, id, &resp.Diagnostics)
}

// importIdentity reads and checks the identity of an `import { identity = {...} }` block.
func importIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, diags *diag.Diagnostics) (attachmentID, bool) {
	if identity == nil || identity.Raw.IsNull() {
		diags.AddError("Missing import id",
			"Import apigateway_api_product_attachment either with an id of the form "+attachmentIDFormat+
				" or, on Terraform 1.12+ and OpenTofu 1.12+, with identity = { api_product_id, api_id, stage_name }.")
		return attachmentID{}, false
	}
	var m apiProductAttachmentIdentityModel
	diags.Append(identity.Get(ctx, &m)...)
	if diags.HasError() {
		return attachmentID{}, false
	}
	id := attachmentID{ProductID: m.APIProductID.ValueString(), APIID: m.APIID.ValueString(), StageName: m.StageName.ValueString()}
	problems := []struct{ attr, problem string }{
		{"api_product_id", identifierProblem(id.ProductID)},
		{"api_id", identifierProblem(id.APIID)},
		{"stage_name", stageProblem(id.StageName)},
	}
	for _, p := range problems {
		if p.problem != "" {
			diags.AddError("Invalid import identity",
				sentence(fmt.Sprintf("Cannot import apigateway_api_product_attachment: identity attribute %s %s", p.attr, p.problem)))
		}
	}
	return id, !diags.HasError()
}
