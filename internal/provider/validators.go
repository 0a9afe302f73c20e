package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloudapi/terraform-provider-apigateway/internal/cloudapi"
)

// problemValidator rejects a string that problem finds fault with, saying what is wrong. The
// attributes with rules of their own (ids, stages, times) use one each, so that the schema, import
// and list filters apply the same rules with the same words.
type problemValidator struct {
	description string
	summary     string
	problem     func(string) string
}

var _ validator.String = problemValidator{}

var (
	// stageNameValidator accepts RELEASE, PRE and TEST. It replaces stringvalidator.OneOf so that
	// the message can suggest the right spelling for a case mismatch such as "release".
	stageNameValidator = problemValidator{
		description: fmt.Sprintf("value must be one of %s (case-sensitive)", quotedList(validStages)),
		summary:     summaryInvalidStage,
		problem:     stageProblem,
	}
	// identifierValidator rejects values that cannot be API or API product ids: empty, containing
	// ':' (the resource id separator) or containing whitespace.
	identifierValidator = identifierValidatorFor("attachment id", attachmentIDFormat)
	// appIDValidator accepts an app id: the decimal digits of a positive 64-bit integer, as
	// alicloud_api_gateway_app.x.id reports it.
	appIDValidator = problemValidator{
		description: "value must be an app id: the decimal digits of a positive integer, such as 110982419",
		summary:     summaryInvalidAppID,
		problem:     appIDProblem,
	}
	// authValidTimeValidator accepts an RFC 3339 time in whole seconds, the form the service stores.
	authValidTimeValidator = problemValidator{
		description: "value must be an RFC 3339 time in whole seconds, such as 2030-06-30T16:00:00Z",
		summary:     "Invalid time",
		problem:     func(s string) string { _, problem := parseAuthValidTime(s); return problem },
	}
)

// identifierValidatorFor is identifierValidator for a resource whose id has the given name and
// format, which messages name.
func identifierValidatorFor(idName, idFormat string) problemValidator {
	return problemValidator{
		description: `value must be non-empty and contain neither ":" nor whitespace`,
		summary:     summaryInvalidIdentifier,
		problem:     func(s string) string { return identifierProblemIn(s, idName, idFormat) },
	}
}

// Description implements validator.Describer.
func (v problemValidator) Description(context.Context) string { return v.description }

// MarkdownDescription implements validator.Describer.
func (v problemValidator) MarkdownDescription(context.Context) string { return v.description }

// ValidateString implements validator.String.
func (v problemValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if problem := v.problem(req.ConfigValue.ValueString()); problem != "" {
		addInvalidAttribute(&resp.Diagnostics, req.Path, v.summary, problem)
	}
}

// apiPairsValidator checks every element of apis with the attachment's rules.
type apiPairsValidator struct{}

var _ validator.List = apiPairsValidator{}

// apiPairsRule is the rule apiPairsValidator applies.
const apiPairsRule = "every element must have a non-empty api_id without \":\" or whitespace and a stage_name of RELEASE, PRE or TEST, and appear once"

// Description implements validator.Describer.
func (apiPairsValidator) Description(context.Context) string { return apiPairsRule }

// MarkdownDescription implements validator.Describer.
func (apiPairsValidator) MarkdownDescription(context.Context) string { return apiPairsRule }

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
