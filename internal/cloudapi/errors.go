package cloudapi

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"
)

// APIError is what every Client method returns when a CloudAPI call fails (possibly wrapped).
// Its Error() is written for a Terraform user: operation, error code, the service's message,
// HTTP status and request ID, and how many attempts were made. It unwraps to the SDK's error
// (normally *tea.SDKError, or a transport error) and, when the loop stopped because the context
// ended, to the context error as well.
type APIError struct {
	// Action is the CloudAPI operation, e.g. "AttachApiProduct".
	Action string
	// Code is the service's error code ("" for transport errors).
	Code string
	// Message is the service's message, without the SDK's decorations.
	Message string
	// RequestID identifies the failed request for Alibaba Cloud support.
	RequestID string
	// StatusCode is the HTTP status (0 when no response arrived).
	StatusCode int
	// Attempts counts the requests made, including the failed last one.
	Attempts int
	// RetryAfter is the server's throttling hint (x-ratelimit-* TimeLeft), if any.
	RetryAfter time.Duration
	// Err is the underlying error of the last attempt.
	Err error

	structured bool
	reason     string
	stop       error
	// maybeApplied is set when an earlier attempt of the call may have been applied (see invoke).
	maybeApplied bool
}

// Error implements error.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("CloudAPI ")
	b.WriteString(e.Action)
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " failed after %d attempts: ", e.Attempts)
	} else {
		b.WriteString(" failed: ")
	}
	switch {
	case e.Code != "" && e.Message != "":
		b.WriteString(e.Code + ": " + e.Message)
	case e.Code != "":
		b.WriteString(e.Code)
	case e.Message != "":
		b.WriteString(e.Message)
	case e.Err != nil:
		b.WriteString(describeCause(e.Err))
	default:
		b.WriteString("unknown error")
	}
	var details []string
	if e.StatusCode != 0 {
		details = append(details, fmt.Sprintf("HTTP %d", e.StatusCode))
	}
	if e.RequestID != "" {
		details = append(details, "RequestId: "+e.RequestID)
	}
	if len(details) > 0 {
		b.WriteString(" (" + strings.Join(details, ", ") + ")")
	}
	if e.reason != "" {
		b.WriteString("; " + e.reason)
	}
	return b.String()
}

// Unwrap exposes the SDK error and, if the loop was stopped by it, the context error.
func (e *APIError) Unwrap() []error {
	errs := make([]error, 0, 2)
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	if e.stop != nil {
		errs = append(errs, e.stop)
	}
	return errs
}

// NotFoundError reports that an (API, stage) attachment, or the API product itself, does not
// exist. FindAttachment returns it; IsNotFound recognises it.
type NotFoundError struct {
	// ProductID, APIID and StageName are what was looked for.
	ProductID string
	APIID     string
	StageName string
	// ProductMissing is true when the service does not know the product at all.
	ProductMissing bool
	// Err is the service error behind ProductMissing (for its request ID), else nil.
	Err error
}

// Error implements error.
func (e *NotFoundError) Error() string {
	if e.ProductMissing {
		msg := fmt.Sprintf("API product %q not found", e.ProductID)
		if e.APIID != "" {
			msg += fmt.Sprintf(" (looking for API %q in stage %s)", e.APIID, e.StageName)
		}
		if id := requestIDOf(e.Err); id != "" {
			msg += " (RequestId: " + id + ")"
		}
		return msg
	}
	return fmt.Sprintf("API %q in stage %s is not attached to API product %q", e.APIID, e.StageName, e.ProductID)
}

// Unwrap returns the service error, if any.
func (e *NotFoundError) Unwrap() error { return e.Err }

// errDetails is the classification-relevant view of any error the SDK can produce.
type errDetails struct {
	code       string
	message    string
	requestID  string
	status     int
	retryAfter time.Duration
	// structured is true when the details came from a parsed service error response (as opposed
	// to a bare status seen by the transport), which is what IsNotFound trusts.
	structured bool
}

var sdkMessageRE = regexp.MustCompile(`(?s)^code: \d+, (.*) request id: (.*)$`)

func inspect(err error) errDetails {
	var d errDetails
	if err == nil {
		return d
	}
	var ae *APIError
	if errors.As(err, &ae) {
		return errDetails{code: ae.Code, message: ae.Message, requestID: ae.RequestID, status: ae.StatusCode,
			retryAfter: ae.RetryAfter, structured: ae.structured}
	}
	var te *tea.SDKError
	if errors.As(err, &te) {
		d = fromSDKFields(tea.StringValue(te.Code), tea.IntValue(te.StatusCode), tea.StringValue(te.Message), tea.StringValue(te.Data))
		return d
	}
	var de *dara.SDKError
	if errors.As(err, &de) {
		return fromSDKFields(dara.StringValue(de.Code), dara.IntValue(de.StatusCode), dara.StringValue(de.Message), dara.StringValue(de.Data))
	}
	var re dara.ResponseError
	if errors.As(err, &re) {
		d = errDetails{code: dara.StringValue(re.GetCode()), status: dara.IntValue(re.GetStatusCode())}
		d.structured = d.code != "" || d.status != 0
		if ms := dara.Int64Value(re.GetRetryAfter()); ms > 0 && ms <= maxTimeLeftMS {
			d.retryAfter = time.Duration(ms) * time.Millisecond
		}
		d.message, d.requestID = messageFromData(re.GetData())
		if d.requestID == "" {
			if g, ok := re.(interface{ GetRequestId() *string }); ok {
				d.requestID = dara.StringValue(g.GetRequestId())
			}
		}
		if d.message == "" {
			if g, ok := re.(interface{ GetMessage() *string }); ok {
				d.message, _ = splitSDKMessage(dara.StringValue(g.GetMessage()))
			}
		}
		return d
	}
	var be dara.BaseError
	if errors.As(err, &be) {
		d.code = dara.StringValue(be.GetCode())
		d.structured = d.code != ""
	}
	return d
}

func fromSDKFields(code string, status int, message, data string) errDetails {
	d := errDetails{code: code, status: status, structured: code != "" || status != 0}
	if data != "" {
		var m map[string]interface{}
		if json.Unmarshal([]byte(data), &m) == nil {
			d.message, d.requestID = messageFromData(m)
		}
	}
	msg, reqID := splitSDKMessage(message)
	if d.message == "" {
		d.message = msg
	}
	if d.requestID == "" {
		d.requestID = reqID
	}
	return d
}

func messageFromData(m map[string]interface{}) (message, requestID string) {
	pick := func(keys ...string) string {
		for _, k := range keys {
			if s, ok := m[k].(string); ok && s != "" {
				return s
			}
		}
		return ""
	}
	return pick("Message", "message"), pick("RequestId", "requestId")
}

// splitSDKMessage undoes darabonba's "code: 404, <message> request id: <id>" decoration.
func splitSDKMessage(s string) (message, requestID string) {
	if m := sdkMessageRE.FindStringSubmatch(s); m != nil {
		return strings.TrimSpace(m[1]), strings.TrimSpace(m[2])
	}
	return strings.TrimSpace(s), ""
}

// describeCause renders a non-service error without leaking the request URL's query string. A TLS
// certificate the client does not trust says so and how to fix it, since that is what a private CA
// (an emulator's, a corporate proxy's) needs; credentials that could not be obtained from STS say
// what STS answered.
func describeCause(err error) string {
	s := describeTransport(err)
	if IsCertificateError(err) || strings.Contains(s, "x509: ") {
		s += "; the server's TLS certificate is not trusted: if the endpoint uses a private certificate authority " +
			"(such as the emulator's --tls CA), add that CA's certificate to the PEM file named by the SSL_CERT_FILE environment variable"
	}
	return s
}

// stsFailurePrefix starts credentials-go's error when STS answers a refresh of role credentials
// with an error; the service's JSON error document follows.
const stsFailurePrefix = "refresh session token failed: "

// stsAnswer is STS's error document inside a credentials-go refresh failure.
type stsAnswer struct {
	Code      string `json:"Code"`
	Message   string `json:"Message"`
	RequestID string `json:"RequestId"`
}

// stsFailure extracts what STS answered when credentials-go could not obtain role credentials.
func stsFailure(err error) (stsAnswer, bool) {
	if err == nil {
		return stsAnswer{}, false
	}
	if msg := err.Error(); strings.HasPrefix(msg, stsFailurePrefix) {
		var doc stsAnswer
		ok := json.Unmarshal([]byte(strings.TrimPrefix(msg, stsFailurePrefix)), &doc) == nil && doc.Code != ""
		return doc, ok
	}
	if u, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range u.Unwrap() {
			if doc, ok := stsFailure(e); ok {
				return doc, true
			}
		}
		return stsAnswer{}, false
	}
	return stsFailure(errors.Unwrap(err))
}

func describeTransport(err error) string {
	if doc, ok := stsFailure(err); ok {
		return fmt.Sprintf("obtaining credentials for assume_role failed: STS AssumeRole answered %s: %s (RequestId: %s)", doc.Code, doc.Message, doc.RequestID)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		target := ue.URL
		if u, perr := url.Parse(ue.URL); perr == nil {
			u.RawQuery, u.ForceQuery, u.Fragment, u.User = "", false, "", nil
			target = u.String()
		} else if i := strings.IndexByte(target, '?'); i >= 0 {
			target = target[:i]
		}
		inner := "unknown error"
		if ue.Err != nil {
			inner = ue.Err.Error()
		}
		return fmt.Sprintf("connection error: %s %s: %s", ue.Op, target, inner)
	}
	return err.Error()
}

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

// IsNotFound reports whether err means the addressed resource does not exist: a *NotFoundError,
// a service error with HTTP status 404 and a CloudAPI error code, or a code starting with
// "NotFound" or ending in ".NotFound". A 404 without a code (an HTML or plain-text page, a JSON body
// without Code) is never "not found". Authentication and configuration errors that look similar
// (InvalidAccessKeyId.NotFound, InvalidAction.NotFound, …) are not "not found".
func IsNotFound(err error) bool {
	if err == nil {
		return false
	}
	var nf *NotFoundError
	var gnf *GrantNotFoundError
	if errors.As(err, &nf) || errors.As(err, &gnf) {
		return true
	}
	d := inspect(err)
	// A 404 without a CloudAPI code is not the service's answer: a proxy or load balancer in the way
	// (see IsRetryable). Only the service can say that something does not exist.
	if !d.structured || d.code == "" || IsCredentialError(err) || hasCode(d.code, misdirectedCodes) {
		return false
	}
	return d.status == 404 || strings.HasPrefix(d.code, "NotFound") || strings.HasSuffix(d.code, ".NotFound")
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
// retryable.
func IsRetryable(err error) bool {
	if err == nil {
		return false
	}
	var nf *NotFoundError
	var gnf *GrantNotFoundError
	if errors.As(err, &nf) || errors.As(err, &gnf) {
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

// ErrorCode returns the service error code carried by err ("" if none).
func ErrorCode(err error) string { return inspect(err).code }

// requestIDOf returns the request ID of the failed request carried by err ("" if none).
func requestIDOf(err error) string { return inspect(err).requestID }
