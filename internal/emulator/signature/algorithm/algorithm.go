// Package algorithm is the arithmetic of Alibaba Cloud OpenAPI request signatures, shared by the
// side that verifies them (package signature, in the emulator) and the side that makes them
// (package signaturetest, for tests that hand-craft requests): the V1 (RPC, HMAC-SHA1) string to
// sign, the V3 (ACS3-HMAC-SHA256) canonical request and string to sign, and the HMACs. It follows
// darabonba-openapi v2 (utils/client.go) and the legacy alibaba-cloud-sdk-go RPC signer byte for
// byte, including their percent-encoding quirks, because the official SDKs must verify unchanged.
package algorithm

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"sort"
	"strings"
)

// TimestampLayout is the UTC layout both styles use for Timestamp / x-acs-date.
const TimestampLayout = "2006-01-02T15:04:05Z"

// V3Name is the V3 algorithm's name, as it starts the Authorization header.
const V3Name = "ACS3-HMAC-SHA256"

// percentFixups applies the replacements both SDKs run after escaping, so
// that the result is RFC 3986 encoding rather than Go's form encoding.
var percentFixups = strings.NewReplacer("+", "%20", "*", "%2A", "%7E", "~")

// V1StringToSign follows darabonba utils.buildRpcStringToSign and the legacy
// SDK's auth.buildRpcStringToSign. params hold every signed parameter (all
// but Signature).
func V1StringToSign(params url.Values, method string) string {
	s := percentFixups.Replace(params.Encode())
	return method + "&%2F&" + url.QueryEscape(s)
}

// V1Signature is the base64 HMAC-SHA1 of stringToSign with secret + "&".
func V1Signature(stringToSign, secret string) string {
	mac := hmac.New(sha1.New, []byte(secret+"&"))
	mac.Write([]byte(stringToSign))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// V3CanonicalRequest follows darabonba utils.GetAuthorization. signedHeaders
// are lowercase and sorted; headerValues returns a header's values.
func V3CanonicalRequest(method, path string, query url.Values, signedHeaders []string, headerValues func(string) []string, payloadHash string) string {
	if path == "" {
		path = "/"
	}
	var b strings.Builder
	b.WriteString(method)
	b.WriteByte('\n')
	b.WriteString(percentFixups.Replace(path))
	b.WriteByte('\n')
	b.WriteString(canonicalQueryV3(query))
	b.WriteByte('\n')
	for _, name := range signedHeaders {
		vals := headerValues(name)
		trimmed := make([]string, len(vals))
		for i, v := range vals {
			trimmed[i] = strings.TrimSpace(v)
		}
		sort.Strings(trimmed)
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(strings.Join(trimmed, ","))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(signedHeaders, ";"))
	b.WriteByte('\n')
	b.WriteString(payloadHash)
	return b.String()
}

// canonicalQueryV3 follows darabonba getCanonicalQueryString: keys sorted
// bytewise and NOT escaped, values QueryEscape'd, then the RFC 3986 fixups
// over the whole string, then leading '&' trimmed (TrimLeft, as the SDK does).
func canonicalQueryV3(query url.Values) string {
	if len(query) == 0 {
		return ""
	}
	keys := make([]string, 0, len(query))
	for k := range query {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		for _, v := range query[k] {
			b.WriteByte('&')
			b.WriteString(k)
			b.WriteByte('=')
			if v != "" {
				b.WriteString(url.QueryEscape(v))
			}
		}
	}
	return strings.TrimLeft(percentFixups.Replace(b.String()), "&")
}

// V3StringToSign is the algorithm name and the hex SHA-256 of the canonical request.
func V3StringToSign(canonical string) string {
	sum := sha256.Sum256([]byte(canonical))
	return V3Name + "\n" + hex.EncodeToString(sum[:])
}

// V3Signature is the HMAC-SHA256 of stringToSign with secret.
func V3Signature(stringToSign, secret string) []byte {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(stringToSign))
	return mac.Sum(nil)
}

// PayloadHash is the hex SHA-256 of a request body, as x-acs-content-sha256 carries it.
func PayloadHash(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}
