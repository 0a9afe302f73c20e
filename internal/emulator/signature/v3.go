package signature

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator/signature/algorithm"
)

const v3Algorithm = algorithm.V3Name

// v3Required are headers every V3 request carries and signs: without them the
// action, replay protection or body integrity would not be authenticated.
var v3Required = []string{
	"x-acs-action", "x-acs-version", "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256",
}

// v3SignedIfPresent must be signed whenever the request carries them: an
// unsigned security token or content type could be swapped by a middlebox.
var v3SignedIfPresent = []string{"content-type", "x-acs-security-token", "x-acs-accesskey-id"}

// maxSignedHeaders bounds the work a hostile Authorization header can cause.
const maxSignedHeaders = 64

type v3Auth struct {
	credential    string
	signedHeaders []string // sorted, deduplicated, lowercase
	signature     []byte
}

// parseAuthorization parses
// "ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=a;b,Signature=hex".
func parseAuthorization(h string) (*v3Auth, error) {
	h = strings.TrimSpace(h)
	alg, rest, ok := strings.Cut(h, " ")
	if !ok || alg != v3Algorithm {
		if alg != v3Algorithm && strings.HasPrefix(alg, "ACS3-") {
			return nil, &Error{
				Code:    codeInvalidSignatureMethod,
				Message: "Specified signature method is not valid; only " + v3Algorithm + " is supported.",
				Status:  http.StatusBadRequest,
			}
		}
		return nil, incompleteSignature("The Authorization header must start with " + v3Algorithm + ".")
	}
	var a v3Auth
	var haveCred, haveHeaders, haveSig bool
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return nil, incompleteSignature("Malformed Authorization header element.")
		}
		switch k {
		case "Credential":
			if haveCred {
				return nil, incompleteSignature("Duplicate Credential.")
			}
			haveCred, a.credential = true, v
		case "SignedHeaders":
			if haveHeaders {
				return nil, incompleteSignature("Duplicate SignedHeaders.")
			}
			haveHeaders = true
			names := strings.Split(v, ";")
			if len(names) > maxSignedHeaders {
				return nil, incompleteSignature("Too many SignedHeaders.")
			}
			seen := make(map[string]bool, len(names))
			for _, n := range names {
				if n == "" || n != strings.ToLower(n) {
					return nil, incompleteSignature("SignedHeaders must be lowercase header names separated by ';'.")
				}
				if !seen[n] {
					seen[n] = true
					a.signedHeaders = append(a.signedHeaders, n)
				}
			}
			sort.Strings(a.signedHeaders)
		case "Signature":
			if haveSig {
				return nil, incompleteSignature("Duplicate Signature.")
			}
			haveSig = true
			sig, err := hex.DecodeString(v)
			if err != nil || len(sig) != sha256.Size {
				return nil, incompleteSignature("Signature must be 64 hex digits.")
			}
			a.signature = sig
		default:
			return nil, incompleteSignature("Unknown Authorization header element.")
		}
	}
	switch {
	case !haveCred || a.credential == "":
		return nil, incompleteSignature("Credential is missing.")
	case !haveHeaders:
		return nil, incompleteSignature("SignedHeaders is missing.")
	case !haveSig:
		return nil, incompleteSignature("Signature is missing.")
	}
	return &a, nil
}

func parseV3(r *http.Request, authHeader string, query, form url.Values, body []byte) (*Request, error) {
	auth, err := parseAuthorization(authHeader)
	if err != nil {
		return nil, err
	}
	for _, name := range v3Required {
		if r.Header.Get(name) == "" {
			return nil, missingParameter(name)
		}
	}
	signed := make(map[string]bool, len(auth.signedHeaders))
	for _, n := range auth.signedHeaders {
		signed[n] = true
	}
	for _, name := range append([]string{"host"}, v3Required...) {
		if !signed[name] {
			return nil, incompleteSignature("SignedHeaders must include " + name + ".")
		}
	}
	for _, name := range v3SignedIfPresent {
		if len(r.Header.Values(name)) > 0 && !signed[name] {
			return nil, incompleteSignature("SignedHeaders must include " + name + ".")
		}
	}
	if id := r.Header.Get("x-acs-accesskey-id"); id != "" && id != auth.credential {
		return nil, incompleteSignature("x-acs-accesskey-id does not match the Credential.")
	}
	ts, err := parseTimestamp("x-acs-date", r.Header.Get("x-acs-date"))
	if err != nil {
		return nil, err
	}

	payloadHash := algorithm.PayloadHash(body)
	path := ""
	if r.URL != nil {
		path = r.URL.Path
	}
	canonical := algorithm.V3CanonicalRequest(r.Method, path, query, auth.signedHeaders, func(name string) []string {
		if name == "host" {
			return []string{r.Host}
		}
		return r.Header.Values(name)
	}, payloadHash)

	params := merge(query, form)
	return &Request{
		Style:           StyleV3,
		AccessKeyID:     auth.credential,
		Action:          r.Header.Get("x-acs-action"),
		Version:         r.Header.Get("x-acs-version"),
		Nonce:           r.Header.Get("x-acs-signature-nonce"),
		Timestamp:       ts,
		SecurityToken:   r.Header.Get("x-acs-security-token"),
		RegionID:        params.Get("RegionId"),
		Params:          params,
		signature:       string(auth.signature),
		stringToSign:    algorithm.V3StringToSign(canonical),
		payloadMismatch: r.Header.Get("x-acs-content-sha256") != payloadHash,
	}, nil
}

// Verify recomputes the signature with secret and compares it in constant
// time. On mismatch (including a V3 body that does not match
// x-acs-content-sha256) it returns *Error SignatureDoesNotMatch (400).
func (r *Request) Verify(secret string) error {
	if r == nil {
		return signatureDoesNotMatch()
	}
	var ok bool
	switch r.Style {
	case StyleV1:
		ok = hmac.Equal([]byte(algorithm.V1Signature(r.stringToSign, secret)), []byte(r.signature))
	case StyleV3:
		ok = hmac.Equal(algorithm.V3Signature(r.stringToSign, secret), []byte(r.signature)) && !r.payloadMismatch
	}
	if !ok {
		return signatureDoesNotMatch()
	}
	return nil
}
