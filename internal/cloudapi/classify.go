package cloudapi

// How the client classifies failures: credentials refused, retryable, not found (notfound.go).

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/url"
	"strings"
	"syscall"
)

// IsCertificateError reports a TLS certificate the client does not accept. It will not fix itself,
// so it is never retried, and nothing else will work through that endpoint either.
func IsCertificateError(err error) bool {
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalidCert x509.CertificateInvalidError
	return errors.As(err, &certErr) || errors.As(err, &unknownAuth) || errors.As(err, &hostErr) || errors.As(err, &invalidCert)
}

// Codes are matched exactly or as a family "<code>.<detail>". Several of these answers look like
// not-found answers (InvalidAccessKeyId.NotFound, InvalidAction.NotFound, HTTP 404), and treating
// them as not-found would make Terraform silently drop resources from state when credentials or
// the endpoint are misconfigured.
var (
	// credentialCodes say the request's credentials, signature or routing were refused: nothing
	// the request names was looked at.
	credentialCodes = []string{
		"InvalidAccessKeyId", "InvalidSecurityToken", "MissingSecurityToken", "SignatureDoesNotMatch",
		"IncompleteSignature", "InvalidTimeStamp", "SignatureNonceUsed", "InvalidAction", "InvalidVersion",
	}
	// misdirectedCodes say the request went to the wrong place or may not use this operation; they
	// are not not-found either, but not a reason to stop a plan (a caller may attach APIs it is not
	// allowed to describe).
	misdirectedCodes = []string{"InvalidRegionId", "InvalidEndpoint", "Forbidden"}
)

func hasCode(code string, family []string) bool {
	for _, p := range family {
		if code == p || strings.HasPrefix(code, p+".") {
			return true
		}
	}
	return false
}

// IsCredentialError reports whether err is the service refusing the request itself: an unknown or
// disabled access key, a wrong secret (signature), a missing, mismatched or expired security
// token, a clock out of the accepted window, a replayed nonce, or an endpoint that does not
// serve this API; or STS refusing the role credentials the request was to be signed with. It is
// the one classification the client and the provider share.
func IsCredentialError(err error) bool {
	if err == nil {
		return false
	}
	if _, ok := stsFailure(err); ok {
		return true
	}
	return hasCode(inspect(err).code, credentialCodes)
}

// isThrottled reports whether d is a flow-control rejection (Throttling, Throttling.User,
// Throttling.Api, Rejected.Throttling, or HTTP 429).
func (d errDetails) isThrottled() bool { return isThrottlingCode(d.code) || d.status == 429 }

func isThrottlingCode(code string) bool {
	return code == "Throttling" || strings.HasPrefix(code, "Throttling.") || strings.HasSuffix(code, ".Throttling")
}

// IsRetryable reports whether repeating the same call may succeed: throttling,
// ServiceUnavailable, InternalError and any 5xx, ConcurrencyLockTimeout (another write to the
// same object held its lock), a 404 or 408 without a CloudAPI error code (a proxy or load balancer
// answered, not the service), and transport failures (resets, refused connections, dropped
// connections seen as EOF, timeouts). Cancellation and context deadlines of the caller are not
// retryable, and neither is an answer that the object does not exist (IsNotFound).
func IsRetryable(err error) bool {
	if err == nil || IsNotFound(err) {
		return false
	}
	if errors.Is(err, context.Canceled) {
		return false
	}
	d := inspect(err)
	if d.code != "" || d.status != 0 {
		switch {
		case d.isThrottled():
			return true
		case d.code == "ServiceUnavailable", strings.HasPrefix(d.code, "ServiceUnavailable."),
			d.code == "InternalError", strings.HasPrefix(d.code, "InternalError."):
			return true
		case d.status >= 500 && d.status <= 599:
			return true
		case isBusyCode(d.code):
			return true
		case d.code == "" && (d.status == 404 || d.status == 408):
			return true
		}
		if d.structured {
			return false
		}
	}
	return isTransient(err)
}

func isTransient(err error) bool {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, syscall.ETIMEDOUT) {
		return true
	}
	if IsCertificateError(err) {
		return false
	}
	// An answer that is not JSON at all (an HTML page) came from something between us and the
	// service, such as a proxy that could not route the request; another attempt may reach it.
	var syntaxErr *json.SyntaxError
	if errors.As(err, &syntaxErr) {
		return true
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		// A host that does not exist will not appear on retry; a resolver hiccup may clear.
		return !dnsErr.IsNotFound && (dnsErr.IsTimeout || dnsErr.IsTemporary)
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return true
	}
	// A bare context deadline is the caller's budget running out, not a transient failure (and
	// context.DeadlineExceeded happens to implement net.Error).
	var ue *url.Error
	if !errors.As(err, &ue) && errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	// *url.Error is itself a net.Error; only its timeout (the per-attempt client timeout) counts.
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	// Some SDK paths flatten errors into strings; recognise the usual suspects.
	msg := strings.ToLower(err.Error())
	for _, s := range []string{"connection reset", "connection refused", "broken pipe", "unexpected eof",
		"server closed idle connection", "use of closed network connection", "tls handshake timeout", "i/o timeout"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return strings.HasSuffix(msg, ": eof") || msg == "eof"
}

// isBusyCode reports the service's answer to a write that met another write to the same object:
// ConcurrencyLockTimeout (the alicloud provider retries it for API Gateway writes, PR #2827).
// Alibaba documents neither its status nor whether the write was applied, so the client retries it
// like a 5xx and, if the retries run out, takes the outcome as unknown: right whether the service
// gave up before the write (the usual meaning of a lock timeout) or after it.
func isBusyCode(code string) bool {
	return code == "ConcurrencyLockTimeout" || strings.HasPrefix(code, "ConcurrencyLockTimeout.")
}
