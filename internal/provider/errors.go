package provider

import (
	"strings"

	"github.com/cloudapi/terraform-provider-apigateway/internal/cloudapi"
)

// Diagnostic details for an unconfigured provider, which happens when its configuration holds
// values unknown during plan and Terraform does not support deferring.
const (
	notConfiguredDataSource = "The provider configuration depends on values that are only known after apply (for example region taken from another resource), so this data source cannot be read during plan. " +
		"Apply the resources the provider configuration depends on first (terraform apply -target=...), or make the data source depend on a resource of this provider so that it is read during apply."
	notConfiguredList = "The provider configuration contains values that are unknown, so API Gateway cannot be called to list resources. " +
		"A query runs no apply, so every value of the provider block (region, credentials, endpoint) must be known: use literals, variables or the environment."
	notConfiguredResource = "The provider configuration still contains values that are unknown, so API Gateway cannot be called. " +
		"This should not happen during apply; please report it together with your provider configuration (without secrets)."
)

// isGone reports whether err means the looked-for object does not exist. cloudapi.IsNotFound
// already leaves out credential and routing errors whose codes happen to end in ".NotFound"
// (InvalidAccessKeyId.NotFound, InvalidAction.NotFound): treating them as "gone" would make a plan
// with a mistyped access key silently drop every attachment from state.
func isGone(err error) bool {
	return err != nil && cloudapi.IsNotFound(err)
}

// isCredentialError reports errors that say the request itself was not accepted (bad key, secret,
// token or endpoint), as opposed to errors about the objects it names. The classification lives in
// cloudapi, next to IsNotFound, which relies on it.
func isCredentialError(err error) bool { return cloudapi.IsCredentialError(err) }

// describeError renders err for a diagnostic, adding what to check when the service rejected the
// credentials themselves.
func describeError(err error) string {
	msg := err.Error()
	code := cloudapi.ErrorCode(err)
	switch {
	case code == "SignatureDoesNotMatch":
		return msg + "\n\nThe access key secret does not belong to the access key id: check secret_key (or ALICLOUD_SECRET_KEY / ALIBABA_CLOUD_ACCESS_KEY_SECRET)."
	case strings.HasPrefix(code, "InvalidAccessKeyId"):
		return msg + "\n\nThe access key id is unknown or disabled in this account: check access_key (or ALICLOUD_ACCESS_KEY / ALIBABA_CLOUD_ACCESS_KEY_ID) and the endpoint."
	case strings.HasPrefix(code, "InvalidSecurityToken"), code == "MissingSecurityToken":
		return msg + "\n\nTemporary (STS) keys need their matching, unexpired security_token (or ALICLOUD_SECURITY_TOKEN)."
	case code == "InvalidTimeStamp.Expired":
		return msg + "\n\nRequests are signed with the local time; check that this machine's clock is correct."
	}
	return msg
}
