package signature

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator/signature/signaturetest"
)

// FuzzParse feeds arbitrary request parts to Parse: it must never panic, and
// every rejection must be a well-formed *Error with a 4xx status.
func FuzzParse(f *testing.F) {
	f.Add("POST", "/", "ApiProductId=p1&Apis.1.ApiId=a1", []byte(""), "", "",
		"x-acs-action: AttachApiProduct\nx-acs-version: 2016-07-14")
	f.Add("GET", "/", v1Base().Encode()+"&Signature=abc", []byte(""), "", "", "")
	f.Add("POST", "/", "", []byte(v1Base().Encode()), "", "application/x-www-form-urlencoded", "")
	f.Add("POST", "/a b", "k=%zz", []byte("%"), "ACS3-HMAC-SHA256 Credential=a,SignedHeaders=host,Signature=00", "text/plain;;", "x-acs-date: 2026-11-30T06:00:11Z")
	f.Add("POST", "/", "a=1", []byte("b=2"), "ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=content-type;host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature="+strings.Repeat("ab", 32),
		"application/x-www-form-urlencoded; charset=utf-8",
		"x-acs-action: A\nx-acs-version: V\nx-acs-date: 2026-11-30T06:00:11Z\nx-acs-signature-nonce: n\nx-acs-content-sha256: e3\nx-acs-security-token: t")
	f.Fuzz(func(t *testing.T, method, path, rawQuery string, body []byte, auth, contentType, headers string) {
		r := &http.Request{
			Method: method,
			URL:    &url.URL{Path: path, RawQuery: rawQuery},
			Host:   "127.0.0.1:8080",
			Header: http.Header{},
		}
		for _, line := range strings.Split(headers, "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok {
				r.Header.Add(k, strings.TrimSpace(v))
			}
		}
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		if contentType != "" {
			r.Header.Set("Content-Type", contentType)
		}
		req, err := Parse(r, body)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code == "" || e.Message == "" || e.Status < 400 || e.Status > 499 {
				t.Fatalf("Parse error %#v is not a 4xx *Error", err)
			}
			if req != nil {
				t.Fatalf("Parse returned both a request and an error")
			}
			return
		}
		if req.Params == nil {
			t.Fatalf("Params is nil")
		}
		// Nobody knows the secret of random input; a match would be a forgery.
		if req.Verify("fuzz-secret") == nil {
			t.Fatalf("random request verified")
		}
	})
}

// roundTrip builds a signed request carrying params k1=v1, k2=v2 in the style
// given, then (if tamper) changes v1 or the signature after signing.
func roundTrip(t *testing.T, v3, get, inBody bool, k1, v1, k2, v2 string, tamper uint16) (*http.Request, []byte) {
	t.Helper()
	method := http.MethodPost
	if get {
		method = http.MethodGet
	}
	business := url.Values{}
	business.Add(k1, v1)
	business.Add(k2, v2)
	// After signing, the value that reaches the server for tamper%2==0.
	tamperValue := func(vals url.Values) {
		vs := vals[k1]
		if len(vs[0]) == 0 {
			vs[0] = "x"
		} else {
			b := []byte(vs[0])
			i := int(tamper/2) % len(b)
			b[i] ^= byte(1 << (tamper / 2 % 8))
			vs[0] = string(b)
		}
	}
	r := &http.Request{Method: method, URL: &url.URL{Path: "/"}, Host: "127.0.0.1:8080", Header: http.Header{}}
	var body []byte
	if v3 {
		r.Header.Set("x-acs-action", "AttachApiProduct")
		r.Header.Set("x-acs-version", "2016-07-14")
		query := business
		if inBody {
			query = url.Values{}
			body = []byte(business.Encode())
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		r.URL.RawQuery = query.Encode()
		if err := signaturetest.SignV3(r, body, testAK, testSecret); err != nil {
			t.Fatalf("SignV3: %v", err)
		}
		if tamper == 0 {
			return r, body
		}
		if tamper%2 == 1 {
			a := r.Header.Get("Authorization")
			i := len(a) - 1 - int(tamper/2)%64
			hexd := "0123456789abcdef"
			r.Header.Set("Authorization", a[:i]+string(hexd[(strings.IndexByte(hexd, a[i])+1)%16])+a[i+1:])
			return r, body
		}
		tamperValue(business)
		if inBody {
			body = []byte(business.Encode())
		} else {
			r.URL.RawQuery = business.Encode()
		}
		return r, body
	}

	all := v1Base()
	all.Del("ApiProductId")
	all.Del("Apis.1.ApiId")
	all.Del("Apis.1.StageName")
	all.Del("RegionId")
	for k, vs := range business {
		all[k] = vs
	}
	sig := signaturetest.SignV1(all, method, testSecret)
	if tamper%2 == 1 {
		i := int(tamper/2) % len(sig)
		c := byte('A')
		if sig[i] == 'A' {
			c = 'B'
		}
		sig = sig[:i] + string(c) + sig[i+1:]
	} else if tamper != 0 {
		tamperValue(all)
	}
	all.Set("Signature", sig)
	if inBody {
		form := url.Values{}
		for k := range business {
			form[k] = all[k]
			all.Del(k)
		}
		body = []byte(form.Encode())
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	r.URL.RawQuery = all.Encode()
	return r, body
}

// FuzzVerifyRoundTrip signs fuzzed parameters with SignV3/SignV1, which must
// then parse and verify; a flipped value byte or signature digit must not.
func FuzzVerifyRoundTrip(f *testing.F) {
	f.Add(true, false, false, "ApiProductId", awkward, "Apis.1.ApiId", "a1", uint16(0))
	f.Add(true, true, false, "", "", "k", "v w", uint16(3))
	f.Add(true, false, true, "ResultSample", "x*y~z/ü", "Empty", "", uint16(4))
	f.Add(false, false, false, "ApiProductId", awkward, "Description", "+%&=", uint16(0))
	f.Add(false, true, false, "a", "b", "a", "c", uint16(7))
	f.Add(false, false, true, "Tag.1.Key", "中文 🙂", "Tag.1.Value", "*", uint16(10))
	f.Fuzz(func(t *testing.T, v3, get, inBody bool, k1, v1, k2, v2 string, tamper uint16) {
		if get && inBody {
			inBody = false
		}
		if !v3 && (slices.Contains(v1Protocol, k1) || slices.Contains(v1Protocol, k2)) {
			t.Skip("key collides with a V1 protocol parameter")
		}
		r, body := roundTrip(t, v3, get, inBody, k1, v1, k2, v2, 0)
		req, err := Parse(r, body)
		if err != nil {
			t.Fatalf("Parse of a freshly signed request: %v", err)
		}
		if err := req.Verify(testSecret); err != nil {
			t.Fatalf("Verify of a freshly signed request: %v", err)
		}
		if got := req.Params[k1]; len(got) == 0 || got[0] != v1 {
			t.Fatalf("Params[%q] = %q, want first value %q", k1, got, v1)
		}
		if err := req.Verify(testSecret + "!"); err == nil {
			t.Fatalf("wrong secret verified")
		}

		if tamper == 0 {
			tamper = 2
		}
		r, body = roundTrip(t, v3, get, inBody, k1, v1, k2, v2, tamper)
		req, err = Parse(r, body)
		if err != nil {
			t.Fatalf("Parse of a tampered request: %v", err)
		}
		var e *Error
		if err := req.Verify(testSecret); !errors.As(err, &e) || e.Code != "SignatureDoesNotMatch" {
			t.Fatalf("tampered request (mode %d): Verify = %v", tamper, err)
		}
	})
}
