package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// What the three resources do the same way: the prelude of their operations, their identities and
// their import.

const (
	defaultCreateTimeout = 10 * time.Minute
	defaultReadTimeout   = 5 * time.Minute
	defaultDeleteTimeout = 10 * time.Minute
)

// defaultRefreshMaxStaleness (refresh_max_staleness's default) lets the reads of one refresh share
// one listing of the product instead of each paging through all of it (N attachments would cost N × ceil(N/100) requests against the
// account's quota). The client, and so what it keeps, is built by Configure and lives for one
// Terraform command at most, so in practice a refresh sees each product as it was at its first
// read in that command (a listing older than this is taken again). Every write through the client
// is laid over the listing, so a read never misses an attachment this provider made or removed;
// what it may miss is a change made elsewhere during the command, which a refresh racing with
// that change could miss anyway.
const defaultRefreshMaxStaleness = 10 * time.Minute

// findAfterTimeout bounds the listing that decides a write whose outcome is unknown; it runs
// after the operation's own context may have ended, so it must be short.
const findAfterTimeout = 20 * time.Second

// fullResource is what every resource implements: configured by the provider, with plan-time
// checks, an identity and import.
type fullResource interface {
	resource.ResourceWithConfigure
	resource.ResourceWithImportState
	resource.ResourceWithModifyPlan
	resource.ResourceWithIdentity
}

var (
	_ fullResource = (*apiProductAttachmentResource)(nil)
	_ fullResource = (*apiProductAuthorizationResource)(nil)
	_ fullResource = (*apiProductResource)(nil)
)

// typeName is the type name of a resource or list resource (a list resource's is its managed
// resource's), after the provider's.
type typeName string

// Metadata implements resource.Resource and list.ListResource.
func (n typeName) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + string(n)
}

// resourceBase is embedded by every resource and list resource: its type name, and what Configure
// hands it.
type resourceBase struct {
	typeName
	data *providerData
}

// Configure implements resource.ResourceWithConfigure and list.ListResourceWithConfigure.
func (b *resourceBase) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if data := configuredData(req.ProviderData, &resp.Diagnostics); data != nil {
		b.data = data
	}
}

// beginList is the prelude of a list resource's List: it loads the configuration and checks that
// the provider is configured. When ok is false the listing stops, with diags as its results.
func beginList[M any](ctx context.Context, data *providerData, req list.ListRequest, stream *list.ListResultsStream, diags *diag.Diagnostics) (cfg M, ok bool) {
	diags.Append(req.Config.Get(ctx, &cfg)...)
	if !diags.HasError() && data == nil {
		addNotConfigured(diags, notConfiguredList)
	}
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(*diags)
		return cfg, false
	}
	return cfg, true
}

// resourceID is a resource's identifier: its id, the attributes an import sets, its identity.
type resourceID interface {
	// String is the id attribute, also the import id.
	String() string
	// logKey is the name of the log field that carries the id.
	logKey() string
	// attributes are the attributes an import sets (id included).
	attributes() map[string]string
	// identity is the resource identity (Terraform 1.12+, OpenTofu 1.12+).
	identity() any
}

// resourceModel is what the prelude needs of a resource's model.
type resourceModel interface {
	timeoutsValue() timeouts.Value
	resourceID() resourceID
}

// crudOp is what differs between the preludes of Create, Read, Update and Delete.
type crudOp struct {
	// timeout picks the operation's own entry of the timeouts block, def when it is unset.
	timeout func(t timeouts.Value, ctx context.Context, def time.Duration) (time.Duration, diag.Diagnostics)
	def     time.Duration
	// skipUnconfigured makes an unconfigured provider a no-op instead of an error: a refresh may
	// run with an unknown provider configuration, and keeps the state as it is; the apply that
	// follows runs with a configured provider.
	skipUnconfigured bool
}

var (
	createOp = crudOp{timeout: timeouts.Value.Create, def: defaultCreateTimeout}
	readOp   = crudOp{timeout: timeouts.Value.Read, def: defaultReadTimeout, skipUnconfigured: true}
	updateOp = crudOp{timeout: timeouts.Value.Update, def: defaultCreateTimeout}
	deleteOp = crudOp{timeout: timeouts.Value.Delete, def: defaultDeleteTimeout}
)

// begin is the prelude of every operation of a resource: it loads the model with get, checks that
// the provider is configured, bounds ctx by op's timeout and tags its log lines with the id. When
// ok is false the operation stops, with the reason (if any) already in diags; otherwise the caller
// must call cancel.
func begin[M resourceModel](ctx context.Context, data *providerData, op crudOp, get func(context.Context, any) diag.Diagnostics,
	diags *diag.Diagnostics) (_ context.Context, cancel context.CancelFunc, m M, ok bool) {
	diags.Append(get(ctx, &m)...)
	if diags.HasError() {
		return ctx, nil, m, false
	}
	if data == nil {
		if op.skipUnconfigured {
			tflog.Warn(ctx, "provider not configured, skipping the refresh")
		} else {
			addNotConfigured(diags, notConfiguredResource)
		}
		return ctx, nil, m, false
	}
	timeout, d := op.timeout(m.timeoutsValue(), ctx, op.def)
	diags.Append(d...)
	if diags.HasError() {
		return ctx, nil, m, false
	}
	ctx, cancel = context.WithTimeout(ctx, timeout)
	id := m.resourceID()
	return tflog.SetField(ctx, id.logKey(), id.String()), cancel, m, true
}

// checkContext bounds a plan-time check by the read timeout. When ok is false the check stops, with
// the reason in diags; otherwise the caller must call cancel.
func checkContext(ctx context.Context, t timeouts.Value, diags *diag.Diagnostics) (_ context.Context, cancel context.CancelFunc, ok bool) {
	timeout, d := t.Read(ctx, defaultReadTimeout)
	diags.Append(d...)
	if diags.HasError() {
		return ctx, nil, false
	}
	ctx, cancel = context.WithTimeout(ctx, timeout)
	return ctx, cancel, true
}

// beginRead is begin for Read, which also sets the identity first, on every path: the framework
// rejects a Read that ends without an identity, even one that skips the refresh (unconfigured
// provider) or removes the resource. It also fills in the identity of resources created before the
// provider had one, or by a CLI that does not store identities (Terraform < 1.12).
func beginRead[M resourceModel](ctx context.Context, data *providerData, req resource.ReadRequest, resp *resource.ReadResponse) (context.Context, context.CancelFunc, M, bool) {
	ctx, cancel, m, ok := begin[M](ctx, data, readOp, req.State.Get, &resp.Diagnostics)
	if !resp.Diagnostics.HasError() {
		setIdentity(ctx, resp.Identity, m.resourceID(), &resp.Diagnostics)
	}
	return ctx, cancel, m, ok
}

// setIdentity records id as the resource identity. identity is nil when the framework has no
// identity to fill in; CLIs without identity support (Terraform < 1.12) simply ignore it.
func setIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, id resourceID, diags *diag.Diagnostics) {
	if identity != nil {
		diags.Append(identity.Set(ctx, id.identity())...)
	}
}

// attrProblem is what is wrong with one attribute of an identity.
type attrProblem struct{ attr, problem string }

// problemsOf keeps the attributes that have a problem.
func problemsOf(all ...attrProblem) []attrProblem {
	var problems []attrProblem
	for _, p := range all {
		if p.problem != "" {
			problems = append(problems, p)
		}
	}
	return problems
}

// identityModel is a resource's identity model, which names the resource unless an attribute has
// a problem.
type identityModel[ID resourceID] interface {
	toID() (ID, []attrProblem)
}

// importer is how one resource is imported.
type importer[ID resourceID] struct {
	typeName string
	// forms says how to name the resource, for an import that gives neither id nor identity.
	forms string
	// parse reads an import id with the schema's rules.
	parse func(string) (ID, error)
}

// importState is ImportState of every resource: by id (`terraform import`, and import blocks with
// an id on every CLI) or by identity (Terraform 1.12+, OpenTofu 1.12+), both checked with the
// schema's rules. It sets the identifying attributes and the identity; Read fills in the rest, or
// removes the resource if it does not exist.
func importState[I identityModel[ID], ID resourceID](ctx context.Context, imp importer[ID], req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	var id ID
	switch {
	case req.ID != "":
		var err error
		if id, err = imp.parse(req.ID); err != nil {
			resp.Diagnostics.AddError("Invalid import id", sentence(fmt.Sprintf("Cannot import %s: %s", imp.typeName, err)))
			return
		}
	case req.Identity != nil && !req.Identity.Raw.IsNull():
		var m I
		resp.Diagnostics.Append(req.Identity.Get(ctx, &m)...)
		if resp.Diagnostics.HasError() {
			return
		}
		var problems []attrProblem
		id, problems = m.toID()
		for _, p := range problems {
			resp.Diagnostics.AddError("Invalid import identity",
				sentence(fmt.Sprintf("Cannot import %s: identity attribute %s %s", imp.typeName, p.attr, p.problem)))
		}
		if len(problems) > 0 {
			return
		}
	default:
		resp.Diagnostics.AddError("Missing import id", fmt.Sprintf("Import %s either with %s.", imp.typeName, imp.forms))
		return
	}
	for attr, v := range id.attributes() {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(attr), v)...)
	}
	setIdentity(ctx, resp.Identity, id, &resp.Diagnostics)
}
