package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloudapi/terraform-provider-apigateway/internal/cloudapi"
)

// stageNameValidator accepts RELEASE, PRE and TEST. It replaces stringvalidator.OneOf so that the
// message can suggest the right spelling for a case mismatch such as "release".
type stageNameValidator struct{}

var _ validator.String = stageNameValidator{}

// Description implements validator.Describer.
func (stageNameValidator) Description(context.Context) string {
	return fmt.Sprintf("value must be one of %s (case-sensitive)", quotedList(validStages))
}

// MarkdownDescription implements validator.Describer.
func (v stageNameValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

// ValidateString implements validator.String.
func (stageNameValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if problem := stageProblem(req.ConfigValue.ValueString()); problem != "" {
		addInvalidAttribute(&resp.Diagnostics, req.Path, summaryInvalidStage, problem)
	}
}

// identifierValidator rejects values that cannot be API or API product ids: empty, containing ':'
// (the resource id separator) or containing whitespace. idName and idFormat name the resource id in
// messages; empty means the attachment's.
type identifierValidator struct{ idName, idFormat string }

var _ validator.String = identifierValidator{}

// Description implements validator.Describer.
func (identifierValidator) Description(context.Context) string {
	return `value must be non-empty and contain neither ":" nor whitespace`
}

// MarkdownDescription implements validator.Describer.
func (v identifierValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

// ValidateString implements validator.String.
func (v identifierValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	name, format := v.idName, v.idFormat
	if name == "" {
		name, format = "attachment id", attachmentIDFormat
	}
	if problem := identifierProblemIn(req.ConfigValue.ValueString(), name, format); problem != "" {
		addInvalidAttribute(&resp.Diagnostics, req.Path, summaryInvalidIdentifier, problem)
	}
}

// appIDValidator accepts an app id: the decimal digits of a positive 64-bit integer, as
// alicloud_api_gateway_app.x.id reports it.
type appIDValidator struct{}

var _ validator.String = appIDValidator{}

// Description implements validator.Describer.
func (appIDValidator) Description(context.Context) string {
	return "value must be an app id: the decimal digits of a positive integer, such as 110982419"
}

// MarkdownDescription implements validator.Describer.
func (v appIDValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

// ValidateString implements validator.String.
func (appIDValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if problem := appIDProblem(req.ConfigValue.ValueString()); problem != "" {
		addInvalidAttribute(&resp.Diagnostics, req.Path, summaryInvalidAppID, problem)
	}
}

// authValidTimeValidator accepts an RFC 3339 time in whole seconds, the form the service stores.
type authValidTimeValidator struct{}

var _ validator.String = authValidTimeValidator{}

// Description implements validator.Describer.
func (authValidTimeValidator) Description(context.Context) string {
	return "value must be an RFC 3339 time in whole seconds, such as 2030-06-30T16:00:00Z"
}

// MarkdownDescription implements validator.Describer.
func (v authValidTimeValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

// ValidateString implements validator.String.
func (authValidTimeValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, problem := parseAuthValidTime(req.ConfigValue.ValueString()); problem != "" {
		addInvalidAttribute(&resp.Diagnostics, req.Path, "Invalid time", problem)
	}
}

// apiPairsValidator checks every element of apis with the attachment's rules.
type apiPairsValidator struct{}

var _ validator.List = apiPairsValidator{}

// Description implements validator.Describer.
func (apiPairsValidator) Description(context.Context) string {
	return "every element must have a non-empty api_id without \":\" or whitespace and a stage_name of RELEASE, PRE or TEST, and appear once"
}

// MarkdownDescription implements validator.Describer.
func (v apiPairsValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

// ValidateList implements validator.List.
func (apiPairsValidator) ValidateList(ctx context.Context, req validator.ListRequest, resp *validator.ListResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	seen := map[cloudapi.APIRef]bool{}
	for _, e := range req.ConfigValue.Elements() {
		if r, ok := pairOf(e); ok {
			if seen[r] {
				resp.Diagnostics.AddAttributeError(req.Path, "Duplicate API pair",
					fmt.Sprintf("Attribute %s lists API %q in stage %s more than once; each pair may appear only once.", req.Path, r.APIID, r.StageName))
			}
			seen[r] = true
		}
		o, ok := e.(types.Object)
		if !ok || o.IsUnknown() || o.IsNull() {
			continue
		}
		a := o.Attributes()
		for _, f := range []struct {
			name    string
			problem func(string) string
		}{{"api_id", identifierProblem}, {"stage_name", stageProblem}} {
			v, _ := a[f.name].(types.String)
			if v.IsUnknown() {
				continue
			}
			if problem := f.problem(v.ValueString()); problem != "" {
				resp.Diagnostics.AddAttributeError(req.Path, "Invalid API pair",
					sentence(fmt.Sprintf("Attribute %s: %s %s", req.Path, f.name, problem)))
			}
		}
	}
}
