package cloudapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
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

// ErrorCode returns the service error code carried by err ("" if none).
func ErrorCode(err error) string { return inspect(err).code }

// requestIDOf returns the request ID of the failed request carried by err ("" if none).
func requestIDOf(err error) string { return inspect(err).requestID }
