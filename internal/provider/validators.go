package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
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
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid stage name",
			sentence(fmt.Sprintf("Attribute %s %s", req.Path, problem)))
	}
}

// identifierValidator rejects values that cannot be API or API product ids: empty, containing ':'
// (the attachment id separator) or containing whitespace.
type identifierValidator struct{}

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
func (identifierValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if problem := identifierProblem(req.ConfigValue.ValueString()); problem != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid identifier",
			sentence(fmt.Sprintf("Attribute %s %s", req.Path, problem)))
	}
}
