package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// The diagnostics that more than one resource, data source, list resource or validator gives,
// worded once.

// Details for an unconfigured provider, which happens when its configuration holds values unknown
// during plan and Terraform does not support deferring.
const (
	notConfiguredDataSource = "The provider configuration depends on values that are only known after apply (for example region taken from another resource), so this data source cannot be read during plan. " +
		"Apply the resources the provider configuration depends on first (terraform apply -target=...), or make the data source depend on a resource of this provider so that it is read during apply."
	notConfiguredList = "The provider configuration contains values that are unknown, so API Gateway cannot be called to list resources. " +
		"A query runs no apply, so every value of the provider block (region, credentials, endpoint) must be known: use literals, variables or the environment."
	notConfiguredResource = "The provider configuration still contains values that are unknown, so API Gateway cannot be called. " +
		"This should not happen during apply; please report it together with your provider configuration (without secrets)."
)

// addNotConfigured says that nothing can be called before the provider is configured; detail is
// one of the notConfigured* texts.
func addNotConfigured(diags *diag.Diagnostics, detail string) {
	diags.AddError("Provider not configured", detail)
}

// Summaries of the invalid-value errors of validators and list filters.
const (
	summaryInvalidIdentifier = "Invalid identifier"
	summaryInvalidStage      = "Invalid stage name"
	summaryInvalidAppID      = "Invalid app id"
)

// addInvalidAttribute rejects the value of attribute p, problem saying why.
func addInvalidAttribute(diags *diag.Diagnostics, p path.Path, summary, problem string) {
	diags.AddAttributeError(p, summary, sentence(fmt.Sprintf("Attribute %s %s", p, problem)))
}

// Summaries of the provider configuration's credential errors.
const (
	summaryIncompleteCredentials = "Incomplete API Gateway credentials"
	summaryInvalidCredentials    = "Invalid API Gateway credentials"
	summaryIncompleteProfile     = "Incomplete profile"
)

// addMissingFilter rejects a query of apigateway_api_product_authorization with neither filter.
func addMissingFilter(diags *diag.Diagnostics) {
	diags.AddAttributeError(path.Root("api_product_id"), "Missing filter", authorizationListNeedsFilter)
}

// authorizationListNeedsFilter says what a query of apigateway_api_product_authorization needs.
const authorizationListNeedsFilter = "Set api_product_id (the apps authorized on one API product), app_id (the API products one app is authorized on), or both."

// where names the account's region and endpoint, for "does not exist" details.
func (d *providerData) where() string {
	return fmt.Sprintf("region %s (endpoint %s)", d.region, d.endpoint)
}

// addProductNotFound reports an API product that does not exist; more says what to check.
func addProductNotFound(diags *diag.Diagnostics, data *providerData, productID, more string) {
	diags.AddAttributeError(path.Root("api_product_id"), "API product not found",
		fmt.Sprintf("API product %q does not exist in %s. %s", productID, data.where(), more))
}

// addAppNotFound reports an app that does not exist; more goes on from "does not exist in <where>".
func addAppNotFound(diags *diag.Diagnostics, data *providerData, appID int64, more string) {
	diags.AddAttributeError(path.Root("app_id"), "App not found",
		fmt.Sprintf("App %d does not exist in %s%s", appID, data.where(), more))
}

// addAPINotFound reports an API that does not exist, at attribute attr; in says where it is named.
func addAPINotFound(diags *diag.Diagnostics, attr path.Path, data *providerData, apiID, in string) {
	diags.AddAttributeError(attr, "API not found",
		fmt.Sprintf("API %q%s does not exist in %s for the configured credentials. Check the api_id, and that region and credentials point at the account that owns the API.",
			apiID, in, data.where()))
}

// addCredentialsRejected fails a plan-time check of what whose call was refused for its credentials.
func addCredentialsRejected(diags *diag.Diagnostics, what string, err error) {
	diags.AddError("API Gateway rejected the credentials", fmt.Sprintf("Checking %s failed: %s", what, describeError(err)))
}

// addCertificateUntrusted fails a plan-time check whose endpoint has an untrusted certificate:
// nothing will get through it, which is better said at plan time than after the plan.
func addCertificateUntrusted(diags *diag.Diagnostics, what string, err error) {
	diags.AddError("API Gateway's TLS certificate is not trusted", fmt.Sprintf("Checking %s failed: %s", what, describeError(err)))
}

// notSentDetail explains a write stopped before it was sent: what it was, which timeout may have
// run out, and what that means for the state.
func notSentDetail(what, timeout, meaning string) string {
	return fmt.Sprintf("%s was stopped (interrupted, or the %s ran out) before the request was sent, so %s.", what, timeout, meaning)
}

// goneNotice is what Read says of a resource it found gone.
type goneNotice struct {
	kind    string // the resource, as "<kind> no longer exists"
	subject string // which one
	why     string // why it may have gone
	next    string // what the next apply does
}

// removeGone is the one rule for a resource that Read finds gone (DESIGN.md, "Resources: one
// shape"): it is removed from the state, with a warning that says why it may have gone and what the
// next apply does.
func removeGone(ctx context.Context, resp *resource.ReadResponse, n goneNotice) {
	tflog.Warn(ctx, n.kind+" no longer exists, removing it from state", map[string]any{"reason": n.why})
	resp.Diagnostics.AddWarning(n.kind+" no longer exists",
		fmt.Sprintf("%s no longer exists: %s. It has been removed from the state; the next apply %s.", n.subject, n.why, n.next))
	resp.State.RemoveResource(ctx)
}

// summaryCannotReadProduct is the summary of a failed listing of an apigateway_api_product's pairs.
const summaryCannotReadProduct = "Cannot read API product"

// addUnknownAPIs reports apis of apigateway_api_product still unknown at apply time, which the
// framework never lets happen.
func addUnknownAPIs(diags *diag.Diagnostics) {
	diags.AddError("Unknown apis", "The apis of the API product are not known at apply time; this is a bug in the provider.")
}
