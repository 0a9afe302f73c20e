// Package signature parses and verifies Alibaba Cloud OpenAPI request
// signatures as the emulator receives them: the RPC style V1 (HMAC-SHA1,
// parameters in the query and/or a form body) and V3 (ACS3-HMAC-SHA256,
// Authorization header and signed x-acs-* headers).
//
// Parsing and verification are split so that the caller can look up the
// secret of the access key named in the request before verifying. The
// canonicalisation and HMACs are package algorithm's, which follows
// darabonba-openapi v2 and the legacy alibaba-cloud-sdk-go signer byte for
// byte, because the goal is that the official SDKs verify unchanged; tests
// that need hand-signed requests use package signaturetest.
package signature

import (
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator/signature/algorithm"
)

// Style is the signature algorithm a request uses.
type Style int

const (
	// StyleV1 is the RPC signature: HMAC-SHA1 over the sorted parameters.
	StyleV1 Style = iota + 1
	// StyleV3 is ACS3-HMAC-SHA256 over a canonical request.
	StyleV3
)

// String returns a short name of the style ("V1", "V3").
func (s Style) String() string {
	switch s {
	case StyleV1:
		return "V1"
	case StyleV3:
		return "V3"
	default:
		return "unknown"
	}
}

// TimestampLayout is the UTC layout both styles use for Timestamp / x-acs-date.
const TimestampLayout = algorithm.TimestampLayout

// Error is a protocol error carrying the OpenAPI error code and the HTTP
// status the server should answer with. Message never contains secrets,
// security tokens or signatures (neither the received nor the expected one).
type Error struct {
	Code    string
	Message string
	Status  int
}

// Error implements error.
func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Request is a parsed, not-yet-verified signed request.
type Request struct {
	Style       Style
	AccessKeyID string
	// Action is x-acs-action (V3) or the Action parameter (V1).
	Action string
	// Version is x-acs-version (V3) or the Version parameter (V1).
	Version string
	// Nonce is x-acs-signature-nonce (V3) or SignatureNonce (V1).
	Nonce string
	// Timestamp is x-acs-date (V3) or Timestamp (V1), in UTC.
	Timestamp time.Time
	// SecurityToken is the STS token: x-acs-security-token (V3) or the
	// SecurityToken parameter (V1); empty for permanent keys.
	SecurityToken string
	// RegionID is the RegionId parameter when the client sent one (the legacy
	// SDK does; V3 clients do not). It also stays in Params.
	RegionID string
	// Params are the business parameters from query and form body, with the
	// V1 protocol parameters removed (RegionId is kept).
	Params url.Values

	// signature is the received signature: V1 the base64 text exactly as
	// sent, V3 the decoded 32 bytes (so hex case does not matter).
	signature string
	// stringToSign is computed at Parse time because it does not depend on
	// the secret; Verify only runs the HMAC.
	stringToSign string
	// V3: whether x-acs-content-sha256 matched the body we received.
	payloadMismatch bool
}

// Error codes produced by this package.
const (
	codeMissingParameter       = "MissingParameter"
	codeInvalidParameter       = "InvalidParameter"
	codeIncompleteSignature    = "IncompleteSignature"
	codeInvalidSignatureMethod = "InvalidSignatureMethod"
	codeSignatureDoesNotMatch  = "SignatureDoesNotMatch"
)

const msgSignatureDoesNotMatch = "Specified signature is not matched with our calculation."

func missingParameter(name string) *Error {
	return &Error{
		Code:    codeMissingParameter,
		Message: `The input parameter "` + name + `" that is mandatory for processing this request is not supplied.`,
		Status:  http.StatusBadRequest,
	}
}

func invalidParameter(name, why string) *Error {
	msg := `The specified parameter "` + name + `" is not valid.`
	if why != "" {
		msg += " " + why
	}
	return &Error{Code: codeInvalidParameter, Message: msg, Status: http.StatusBadRequest}
}

func incompleteSignature(why string) *Error {
	return &Error{
		Code:    codeIncompleteSignature,
		Message: "The request signature does not conform to Aliyun standards. " + why,
		Status:  http.StatusBadRequest,
	}
}

func signatureDoesNotMatch() *Error {
	return &Error{Code: codeSignatureDoesNotMatch, Message: msgSignatureDoesNotMatch, Status: http.StatusBadRequest}
}

// Parse reads an http request whose (bounded) body was already read into
// body. A request with an Authorization header is V3, anything else V1.
//
// Errors are *Error: MissingParameter naming the parameter or header,
// IncompleteSignature for a malformed Authorization header, InvalidParameter
// for an unparsable timestamp, query or form body, InvalidSignatureMethod for
// an unsupported algorithm.
func Parse(r *http.Request, body []byte) (*Request, error) {
	if r == nil {
		return nil, invalidParameter("request", "")
	}
	query, err := parseQuery(r)
	if err != nil {
		return nil, err
	}
	form, err := parseForm(r.Header, body)
	if err != nil {
		return nil, err
	}
	if auth := r.Header.Values("Authorization"); len(auth) > 0 {
		if len(auth) > 1 {
			return nil, incompleteSignature("Multiple Authorization headers.")
		}
		return parseV3(r, auth[0], query, form, body)
	}
	return parseV1(r.Method, query, form)
}

// parseQuery parses the raw query strictly: an undecodable query cannot have
// been signed by an SDK, and guessing would make canonicalisation ambiguous.
func parseQuery(r *http.Request) (url.Values, error) {
	if r.URL == nil {
		return url.Values{}, nil
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, invalidParameter("query", "The query string is malformed.")
	}
	return q, nil
}

// parseForm returns the form-body parameters, or nil when the body is not
// application/x-www-form-urlencoded (JSON or binary bodies carry no RPC
// parameters; in V3 they are still covered by x-acs-content-sha256).
func parseForm(h http.Header, body []byte) (url.Values, error) {
	ct := h.Get("Content-Type")
	if ct == "" {
		return nil, nil
	}
	// A content type that does not parse is simply not a form.
	mt, _, perr := mime.ParseMediaType(ct)
	isForm := perr == nil && strings.EqualFold(mt, "application/x-www-form-urlencoded")
	if !isForm || len(body) == 0 {
		return nil, nil
	}
	f, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, invalidParameter("body", "The form body is malformed.")
	}
	return f, nil
}

func parseTimestamp(name, v string) (time.Time, error) {
	t, err := time.Parse(TimestampLayout, v)
	if err != nil {
		// Tolerate offsets and fractions: the service documents ISO 8601.
		t, err = time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return time.Time{}, invalidParameter(name, "Expected yyyy-MM-ddTHH:mm:ssZ in UTC.")
		}
	}
	return t.UTC(), nil
}

// merge returns a fresh url.Values with the values of all sources appended in
// order (query first, then form body).
func merge(sources ...url.Values) url.Values {
	out := url.Values{}
	for _, s := range sources {
		for k, vs := range s {
			out[k] = append(out[k], vs...)
		}
	}
	return out
}
