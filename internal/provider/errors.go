package provider

import (
	"context"
	"errors"
	"strings"

	"github.com/cloudapi/terraform-provider-apigateway/internal/cloudapi"
)

// How the provider classifies the client's errors: every decision the resources take on an error
// goes through one of these, so that a change in how cloudapi reports an error is made here.

// isGone reports whether err means the looked-for object does not exist. cloudapi.IsNotFound
// already leaves out credential and routing errors whose codes happen to end in ".NotFound"
// (InvalidAccessKeyId.NotFound, InvalidAction.NotFound): treating them as "gone" would make a plan
// with a mistyped access key silently drop every attachment from state.
func isGone(err error) bool {
	return err != nil && cloudapi.IsNotFound(err)
}

// isAppGone reports whether err means the app named in the call does not exist (NotFoundApp from
// any operation, or an app look-up that found none).
func isAppGone(err error) bool { return cloudapi.IsNotFoundKind(err, cloudapi.NotFoundApp) }

// productMissing asks the product's own listing whether a call about the product failed (err)
// because the product is gone: a service may answer an unknown product with a code nobody can know
// in advance, and the listing tells such an answer from other failures (DESIGN.md, "Unknown
// outcomes", rule 5). It returns the listing's not-found error if so, else nil.
func productMissing(ctx context.Context, data *providerData, productID string, err error) error {
	unexplained := err != nil && !isGone(err) && !isCredentialError(err) && ctx.Err() == nil
	if unexplained {
		if _, perr := data.client.ListProductAPIs(ctx, productID, cloudapi.Strict); isGone(perr) {
			return perr
		}
	}
	return nil
}

// goneKind tells a not-found error that says an item is not listed (itemMissing) from one that
// says its whole product is gone (productMissing); both are false for any other error.
func goneKind(err error) (itemMissing, productMissing bool) {
	return cloudapi.IsNotFoundKind(err, cloudapi.NotFoundAttachment) || cloudapi.IsNotFoundKind(err, cloudapi.NotFoundGrant),
		cloudapi.IsNotFoundKind(err, cloudapi.NotFoundProduct)
}

// isCredentialError reports errors that say the request itself was not accepted (bad key, secret,
// token or endpoint), as opposed to errors about the objects it names. The classification lives in
// cloudapi, next to IsNotFound, which relies on it.
func isCredentialError(err error) bool { return cloudapi.IsCredentialError(err) }

// isCertificateError reports an endpoint whose TLS certificate is not trusted.
func isCertificateError(err error) bool { return cloudapi.IsCertificateError(err) }

// notSent reports a write that was certainly not made: its caller left before it was sent.
func notSent(err error) bool { return errors.Is(err, cloudapi.ErrNotSent) }

// outcomeUnknown reports a write that may or may not have been applied (DESIGN.md, "Unknown
// outcomes").
func outcomeUnknown(err error) bool { return cloudapi.OutcomeUnknown(err) }

// listingDecides reports a failed write whose effect only a listing can tell: anything but a
// rejection of the credentials or a request that was never sent.
func listingDecides(err error) bool {
	return err != nil && !isCredentialError(err) && !notSent(err)
}

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
