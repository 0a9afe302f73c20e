package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/cloudapi/terraform-provider-apigateway/internal/cloudapi"
)

// NewAPIProductAttachmentResource returns the apigateway_api_product_attachment resource.
func NewAPIProductAttachmentResource() resource.Resource {
	return &apiProductAttachmentResource{resourceBase{typeName: "_api_product_attachment"}}
}

// apiProductAttachmentResource manages one (API product, API, stage) attachment.
type apiProductAttachmentResource struct{ resourceBase }

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

func (m apiProductAttachmentIdentityModel) toID() (attachmentID, []attrProblem) {
	id := attachmentID{ProductID: m.APIProductID.ValueString(), APIID: m.APIID.ValueString(), StageName: m.StageName.ValueString()}
	return id, problemsOf(
		attrProblem{"api_product_id", identifierProblem(id.ProductID)},
		attrProblem{"api_id", identifierProblem(id.APIID)},
		attrProblem{"stage_name", stageProblem(id.StageName)},
	)
}

func (id attachmentID) logKey() string { return "attachment_id" }

func (id attachmentID) attributes() map[string]string {
	return map[string]string{"id": id.String(), "api_product_id": id.ProductID, "api_id": id.APIID, "stage_name": id.StageName}
}

func (id attachmentID) identity() any {
	return apiProductAttachmentIdentityModel{
		APIProductID: types.StringValue(id.ProductID),
		APIID:        types.StringValue(id.APIID),
		StageName:    types.StringValue(id.StageName),
	}
}

func (m apiProductAttachmentModel) timeoutsValue() timeouts.Value { return m.Timeouts }
func (m apiProductAttachmentModel) resourceID() resourceID        { return m.attachmentID() }

func (m apiProductAttachmentModel) attachmentID() attachmentID {
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

// Schema implements resource.Resource.
func (r *apiProductAttachmentResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
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
			"id":             computedAttribute("Identifier of the attachment, `<api_product_id>:<api_id>:<stage_name>`; also the import id."),
			"api_product_id": replacingAttribute("ID of the API product. Changing it replaces the attachment.", identifierValidator),
			"api_id":         replacingAttribute("ID of the API to attach. Changing it replaces the attachment.", identifierValidator),
			"stage_name": replacingAttribute("Stage (environment) of the API to attach: `RELEASE`, `PRE` or `TEST` (case-sensitive). Changing it replaces the attachment.",
				stageNameValidator),
			"api_name":   computedAttribute("Name of the API."),
			"group_id":   computedAttribute("ID of the API group the API belongs to."),
			"group_name": computedAttribute("Name of the API group the API belongs to."),
			"method":     computedAttribute("HTTP method of the API's request configuration, e.g. `GET`."),
			"path":       computedAttribute("Request path of the API, e.g. `/users/[userId]`."),
		},
		Blocks: timeoutsBlock(ctx,
			"How long to wait for the attach call and for the attachment to become visible, as a Go duration such as `30s` or `10m`.",
			"",
			"How long to wait for the detach call and for the attachment to disappear, as a Go duration."),
	}
}

// IdentitySchema implements resource.ResourceWithIdentity.
func (r *apiProductAttachmentResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"api_product_id": identityAttribute("ID of the API product."),
			"api_id":         identityAttribute("ID of the attached API."),
			"stage_name":     identityAttribute("Stage the API is attached in: `RELEASE`, `PRE` or `TEST` (case-sensitive)."),
		},
	}
}

// Create implements resource.Resource. The attach is batched with the concurrent creates for the
// same product (one AttachApiProduct call for all of them), and its success is the confirmation:
// no listing is read back. A fresh attachment that the service does not list yet is kept by Read
// for a while (see unconfirmed).
func (r *apiProductAttachmentResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx, cancel, plan, ok := begin[apiProductAttachmentModel](ctx, r.data, createOp, req.Plan.Get, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()
	id := plan.attachmentID()
	plan.ID = types.StringValue(id.String())

	tflog.Debug(ctx, "attaching API to API product")
	info, err := r.data.client.AttachAPI(ctx, id.ProductID, cloudapi.APIRef{APIID: id.APIID, StageName: id.StageName})
	listed := false
	if listingDecides(err) {
		// The call may have been applied though its answer was lost, or it failed in a way that
		// does not say whether the pair is attached (a service may refuse to attach a pair twice).
		found, ferr := r.findAfter(id)
		switch {
		case ferr == nil:
			tflog.Warn(ctx, "attach call failed but the API is attached; continuing", map[string]any{"error": err.Error()})
			info, err, listed = found, nil, true
		case outcomeUnknown(err):
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
	if notSent(err) {
		resp.Diagnostics.AddError("API not attached", notSentDetail(fmt.Sprintf("Attaching API %q in stage %s to API product %q", id.APIID, id.StageName, id.ProductID),
			"create timeout", "nothing was attached; the next apply attaches it"))
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

// findAfter checks for the attachment in a listing that starts now, under a fresh, short deadline:
// the operation's own context may have ended (Ctrl-C, timeout) when this runs.
func (r *apiProductAttachmentResource) findAfter(id attachmentID) (*cloudapi.APIInfo, error) {
	ctx, cancel := context.WithTimeout(context.Background(), findAfterTimeout)
	defer cancel()
	return r.data.client.FindAttachment(ctx, id.ProductID, id.APIID, id.StageName, cloudapi.Strict)
}

// Read implements resource.Resource.
func (r *apiProductAttachmentResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	ctx, cancel, state, ok := beginRead[apiProductAttachmentModel](ctx, r.data, req, resp)
	if !ok {
		return
	}
	defer cancel()
	id := state.attachmentID()
	info, err := r.data.client.FindAttachment(ctx, id.ProductID, id.APIID, id.StageName, r.data.refresh())
	if isGone(err) {
		if age, recent := unconfirmed(ctx, req.Private, time.Now(), &resp.Diagnostics); recent {
			tflog.Warn(ctx, "attachment not listed yet; keeping it, since it was attached recently and the service may not show it yet",
				map[string]any{"attached_ago": age.Round(time.Second).String(), "grace": cloudapi.VisibilityGrace.String()})
			return
		}
		why := "it was detached outside Terraform, or its API product was deleted"
		if _, productMissing := goneKind(err); productMissing {
			why = "its API product no longer exists"
		}
		removeGone(ctx, resp, goneNotice{
			kind:    "API product attachment",
			subject: fmt.Sprintf("The attachment of API %q in stage %s to API product %q", id.APIID, id.StageName, id.ProductID),
			why:     why,
			next:    "attaches it again",
		})
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
	ctx, cancel, state, ok := begin[apiProductAttachmentModel](ctx, r.data, deleteOp, req.State.Get, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()
	id := state.attachmentID()

	tflog.Debug(ctx, "detaching API from API product")
	err := r.data.client.DetachAPI(ctx, id.ProductID, cloudapi.APIRef{APIID: id.APIID, StageName: id.StageName})
	if listingDecides(err) {
		// Already gone (a service may refuse to detach a pair that is not attached, or to touch a
		// product that does not exist), or the answer was lost: a listing decides, but only one
		// that Read would trust too. An attachment made within the visibility grace may simply not
		// be listed yet, so after a lost answer its absence proves nothing and it stays in the
		// state; after a definite refusal (the service, asked about this very pair, changed
		// nothing) the listing's word stands.
		_, recent := unconfirmed(ctx, req.Private, time.Now(), &resp.Diagnostics)
		trusted := !recent || !outcomeUnknown(err)
		if _, ferr := r.findAfter(id); isGone(ferr) && trusted {
			tflog.Info(ctx, "API is not attached (any more); nothing to detach", map[string]any{"detach_error": err.Error()})
			return
		}
	}
	if notSent(err) {
		resp.Diagnostics.AddError("API not detached", notSentDetail(fmt.Sprintf("Detaching API %q in stage %s from API product %q", id.APIID, id.StageName, id.ProductID),
			"delete timeout", "it is still attached and stays in the state"))
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot detach API from API product",
			fmt.Sprintf("Detaching API %q in stage %s from API product %q failed: %s\n\nThe attachment stays in the state.", id.APIID, id.StageName, id.ProductID, describeError(err)))
		return
	}
	tflog.Info(ctx, "detached API from API product")
}

// ImportState implements resource.ResourceWithImportState.
func (r *apiProductAttachmentResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importState[apiProductAttachmentIdentityModel](ctx, importer[attachmentID]{
		typeName: "apigateway_api_product_attachment",
		forms:    "an id of the form " + attachmentIDFormat + " or, on Terraform 1.12+ and OpenTofu 1.12+, with identity = { api_product_id, api_id, stage_name }",
		parse:    parseAttachmentID,
	}, req, resp)
}
