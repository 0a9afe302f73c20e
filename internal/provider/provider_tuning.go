package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// The provider attributes that tune the client's batched writes and shared listings (DESIGN.md
// "Batched writes", "Shared listings and their freshness rule"). The benchmark's naive baseline is
// max_batch_size = 1 with refresh_max_staleness = "0s".

func tuningAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"max_batch_size": schema.Int64Attribute{
			MarkdownDescription: "The most items one `AttachApiProduct`, `DetachApiProduct`, `SetAppsAuthToApiProduct` or " +
				"`RemoveApiProductsAuthorities` call carries, 1 to 100. The creates and deletes of attachments and authorizations " +
				"that Terraform runs at once are gathered into such calls; `1` sends each as a call of its own, without waiting. Defaults to 100.",
			Optional:   true,
			Validators: []validator.Int64{int64validator.Between(1, 100)},
		},
		"refresh_max_staleness": schema.StringAttribute{
			MarkdownDescription: "How old a listing of an API product may be to answer a refresh, as a duration such as `10m` or `30s`: " +
				"the refreshes of the attachments and authorizations of one product share one listing of it. " +
				"`0s` makes every refresh list the product afresh. Defaults to `10m`.",
			Optional:   true,
			Validators: []validator.String{durationValidator{}},
		},
	}
}

// tuning is what the tuning attributes ask for.
type tuning struct {
	maxBatchSize        int // 0: the client's default
	refreshMaxStaleness time.Duration
}

// clientTuning reads the tuning attributes. unknown names the first whose value is not known yet.
func clientTuning(cfg providerModel, diags *diag.Diagnostics) (t tuning, unknown string) {
	t.refreshMaxStaleness = defaultRefreshMaxStaleness
	switch {
	case cfg.MaxBatchSize.IsUnknown():
		return t, "max_batch_size"
	case cfg.RefreshMaxStaleness.IsUnknown():
		return t, "refresh_max_staleness"
	}
	t.maxBatchSize = int(cfg.MaxBatchSize.ValueInt64())
	if v := cfg.RefreshMaxStaleness; !v.IsNull() {
		d, problem := parseStaleness(v.ValueString())
		if problem != "" {
			diags.AddAttributeError(path.Root("refresh_max_staleness"), "Invalid duration", "Attribute refresh_max_staleness "+problem)
		}
		t.refreshMaxStaleness = d
	}
	return t, ""
}

func parseStaleness(s string) (time.Duration, string) {
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		return 0, fmt.Sprintf("value %q is not a duration such as \"10m\" or \"30s\".", s)
	case d < 0:
		return 0, fmt.Sprintf("value %q is negative.", s)
	}
	return d, ""
}

// durationValidator accepts a duration of zero or more, as time.ParseDuration reads it.
type durationValidator struct{}

var _ validator.String = durationValidator{}

// Description implements validator.Describer.
func (durationValidator) Description(context.Context) string {
	return `value must be a duration of zero or more, such as "10m", "30s" or "0s"`
}

// MarkdownDescription implements validator.Describer.
func (v durationValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

// ValidateString implements validator.String.
func (durationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, problem := parseStaleness(req.ConfigValue.ValueString()); problem != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid duration", fmt.Sprintf("Attribute %s %s", req.Path, problem))
	}
}
