// Package signaturetest signs hand-made requests the way the official SDKs do, for tests and
// fuzzers that need requests an SDK would not build (tampered, replayed, malformed around a valid
// signature). It is the client side of package signature and shares its arithmetic (package
// algorithm); production code never signs, so this lives apart from the verifier.
package signaturetest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator/signature/algorithm"
)

// SignV1 returns the V1 (HMAC-SHA1) Signature value for params, which must
// hold every parameter the request will carry in its query and form body
// (a "Signature" entry is ignored). method is the HTTP method, e.g. "POST".
func SignV1(params url.Values, method, secret string) string {
	p := params
	if _, ok := params["Signature"]; ok {
		p = url.Values{}
		for k, vs := range params {
			if k != "Signature" {
				p[k] = vs
			}
		}
	}
	return algorithm.V1Signature(algorithm.V1StringToSign(p, method), secret)
}

// SetV1 sets the common parameters of a V1 (HMAC-SHA1) request in params: action of CloudAPI
// 2016-07-14, the access key, the nonce and the timestamp at. The caller adds Signature (SignV1)
// once every other parameter is set.
func SetV1(params url.Values, action, accessKeyID, nonce string, at time.Time) {
	params.Set("Action", action)
	params.Set("Version", "2016-07-14")
	params.Set("AccessKeyId", accessKeyID)
	params.Set("SignatureMethod", "HMAC-SHA1")
	params.Set("SignatureVersion", "1.0")
	params.Set("SignatureNonce", nonce)
	params.Set("Timestamp", at.UTC().Format(algorithm.TimestampLayout))
}

// SignV3 signs req in place with ACS3-HMAC-SHA256 the way darabonba-openapi
// does, so tests and fuzzers can build requests the SDK would send. The
// caller sets x-acs-action, x-acs-version and any x-acs-security-token /
// Content-Type beforehand; SignV3 fills in x-acs-date, x-acs-signature-nonce
// and x-acs-content-sha256 when absent, signs every x-acs-* header plus host
// and content-type, sets Authorization, and installs body as req.Body.
// The host is req.Host, or req.URL.Host when req.Host is empty.
func SignV3(req *http.Request, body []byte, accessKeyID, secret string) error {
	if req == nil || req.URL == nil {
		return errors.New("signaturetest: SignV3 needs a request with a URL")
	}
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	if host == "" {
		return errors.New("signaturetest: SignV3 needs a request host")
	}
	if req.Header == nil {
		req.Header = http.Header{}
	}
	if req.Header.Get("x-acs-date") == "" {
		req.Header.Set("x-acs-date", time.Now().UTC().Format(algorithm.TimestampLayout))
	}
	if req.Header.Get("x-acs-signature-nonce") == "" {
		var n [16]byte
		if _, err := rand.Read(n[:]); err != nil {
			return err
		}
		req.Header.Set("x-acs-signature-nonce", hex.EncodeToString(n[:]))
	}
	payloadHash := algorithm.PayloadHash(body)
	if req.Header.Get("x-acs-content-sha256") == "" {
		req.Header.Set("x-acs-content-sha256", payloadHash)
	}
	seen := map[string]bool{"host": true}
	names := []string{"host"}
	for k := range req.Header {
		lk := strings.ToLower(k)
		if (strings.HasPrefix(lk, "x-acs-") || lk == "content-type") && !seen[lk] {
			seen[lk] = true
			names = append(names, lk)
		}
	}
	sort.Strings(names)
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	query, err := url.ParseQuery(req.URL.RawQuery)
	if err != nil {
		return errors.New("signaturetest: SignV3: malformed query")
	}
	canonical := algorithm.V3CanonicalRequest(method, req.URL.Path, query, names, func(name string) []string {
		if name == "host" {
			return []string{host}
		}
		return req.Header.Values(name)
	}, payloadHash)
	sig := hex.EncodeToString(algorithm.V3Signature(algorithm.V3StringToSign(canonical), secret))
	req.Header.Set("Authorization", algorithm.V3Name+" Credential="+accessKeyID+
		",SignedHeaders="+strings.Join(names, ";")+",Signature="+sig)
	if body != nil {
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.ContentLength = int64(len(body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	return nil
}
