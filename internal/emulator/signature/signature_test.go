package signature

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator/signature/signaturetest"
)

var fixedTime = time.Date(2026, 11, 30, 6, 0, 11, 0, time.UTC)

// v1Base returns the protocol parameters an SDK sends, plus business ones.
func v1Base() url.Values {
	return url.Values{
		"Action":           {"AttachApiProduct"},
		"Version":          {"2016-07-14"},
		"Format":           {"JSON"},
		"AccessKeyId":      {testAK},
		"SignatureMethod":  {"HMAC-SHA1"},
		"SignatureVersion": {"1.0"},
		"SignatureNonce":   {"0123456789abcdef0123456789abcdef"},
		"Timestamp":        {fixedTime.Format(TimestampLayout)},
		"RegionId":         {"cn-shanghai"},
		"ApiProductId":     {awkward},
		"Apis.1.ApiId":     {"a1"},
		"Apis.1.StageName": {"RELEASE"},
	}
}

// v1Build signs params (optionally edited first) and distributes them between
// query and form body: inBody reports which keys go to the body.
func v1Build(t *testing.T, method string, params url.Values, inBody func(key string) bool) (*http.Request, []byte) {
	t.Helper()
	params.Set("Signature", signaturetest.SignV1(params, method, testSecret))
	q, f := url.Values{}, url.Values{}
	for k, vs := range params {
		if inBody != nil && inBody(k) {
			f[k] = vs
		} else {
			q[k] = vs
		}
	}
	var body []byte
	if len(f) > 0 {
		body = []byte(f.Encode())
	}
	r := httptest.NewRequest(method, "http://127.0.0.1:8080/?"+q.Encode(), bytes.NewReader(body))
	if len(f) > 0 {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return r, body
}

func v1Simple(t *testing.T, edit func(url.Values)) func() (*http.Request, []byte) {
	return func() (*http.Request, []byte) {
		p := v1Base()
		if edit != nil {
			edit(p)
		}
		return v1Build(t, http.MethodPost, p, nil)
	}
}

// v3Build builds and signs a V3 request as a server would see it. prep runs
// before signing (to add headers), after runs after signing (to tamper).
func v3Build(t *testing.T, method string, query url.Values, body []byte, contentType string, prep, after func(*http.Request)) (*http.Request, []byte) {
	t.Helper()
	r := httptest.NewRequest(method, "http://127.0.0.1:8080/?"+query.Encode(), nil)
	r.Header.Set("x-acs-action", "AttachApiProduct")
	r.Header.Set("x-acs-version", "2016-07-14")
	r.Header.Set("x-acs-date", fixedTime.Format(TimestampLayout))
	r.Header.Set("x-acs-signature-nonce", "0123456789abcdef0123456789abcdef")
	r.Header.Set("x-acs-credentials-provider", "static_ak")
	r.Header.Set("User-Agent", "AlibabaCloud (linux; amd64) Golang/go1 Core/0.01 TeaDSL/2")
	r.Header.Set("Accept", "application/json")
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	if prep != nil {
		prep(r)
	}
	if err := signaturetest.SignV3(r, body, testAK, testSecret); err != nil {
		t.Fatalf("SignV3: %v", err)
	}
	if after != nil {
		after(r)
	}
	return r, body
}

func v3Query() url.Values {
	return url.Values{
		"ApiProductId":     {awkward},
		"Apis.1.ApiId":     {"a1"},
		"Apis.1.StageName": {"RELEASE"},
		"Empty":            {""},
	}
}

func v3Simple(t *testing.T, prep, after func(*http.Request)) func() (*http.Request, []byte) {
	return func() (*http.Request, []byte) {
		return v3Build(t, http.MethodPost, v3Query(), nil, "", prep, after)
	}
}

func setAuth(f func(string) string) func(*http.Request) {
	return func(r *http.Request) { r.Header.Set("Authorization", f(r.Header.Get("Authorization"))) }
}

func TestParseVerify(t *testing.T) {
	form := "application/x-www-form-urlencoded"
	tests := []struct {
		name       string
		build      func() (*http.Request, []byte)
		secret     string // "" = testSecret
		parseCode  string // expected Parse error code
		parseName  string // expected text in the Parse error message
		verifyCode string // expected Verify error code ("" = success)
		check      func(t *testing.T, r *Request)
	}{
		// ---- V1 ----
		{
			name:  "v1 GET all in query",
			build: func() (*http.Request, []byte) { return v1Build(t, http.MethodGet, v1Base(), nil) },
			check: func(t *testing.T, r *Request) {
				wantFields(t, r, StyleV1, "cn-shanghai", "")
				if r.Params.Get("RegionId") != "cn-shanghai" {
					t.Errorf("RegionId not kept in Params")
				}
			},
		},
		{
			name: "v1 POST all in form body",
			build: func() (*http.Request, []byte) {
				return v1Build(t, http.MethodPost, v1Base(), func(string) bool { return true })
			},
			check: func(t *testing.T, r *Request) { wantFields(t, r, StyleV1, "cn-shanghai", "") },
		},
		{
			name: "v1 POST protocol in query, business in body",
			build: func() (*http.Request, []byte) {
				return v1Build(t, http.MethodPost, v1Base(), func(k string) bool { return strings.HasPrefix(k, "Api") })
			},
			check: func(t *testing.T, r *Request) { wantFields(t, r, StyleV1, "cn-shanghai", "") },
		},
		{
			name: "v1 POST Signature in body, rest in query",
			build: func() (*http.Request, []byte) {
				return v1Build(t, http.MethodPost, v1Base(), func(k string) bool { return k == "Signature" })
			},
			check: func(t *testing.T, r *Request) { wantFields(t, r, StyleV1, "cn-shanghai", "") },
		},
		{
			name: "v1 empty value and UTF-8 key",
			build: v1Simple(t, func(p url.Values) {
				p.Set("Description", "")
				p.Set("Tag.1.Key", "値 ~*/")
			}),
			check: func(t *testing.T, r *Request) {
				if v, ok := r.Params["Description"]; !ok || v[0] != "" {
					t.Errorf("empty Description lost: %q", v)
				}
			},
		},
		{
			name:   "v1 STS token",
			build:  v1Simple(t, func(p url.Values) { p.Set("SecurityToken", testToken) }),
			check:  func(t *testing.T, r *Request) { wantFields(t, r, StyleV1, "cn-shanghai", testToken) },
			secret: testSecret,
		},
		{name: "v1 wrong secret", build: v1Simple(t, nil), secret: "wrong", verifyCode: "SignatureDoesNotMatch"},
		{
			name:       "v1 tampered business value",
			build:      v1SetAfterSigning(t, "Apis.1.StageName", "TEST"),
			verifyCode: "SignatureDoesNotMatch",
		},
		{
			name: "v1 signed as POST, sent as GET",
			build: func() (*http.Request, []byte) {
				r, b := v1Build(t, http.MethodPost, v1Base(), nil)
				r.Method = http.MethodGet
				return r, b
			},
			verifyCode: "SignatureDoesNotMatch",
		},
		{
			name:       "v1 garbage Signature value",
			build:      v1SetAfterSigning(t, "Signature", "!!!"),
			verifyCode: "SignatureDoesNotMatch",
		},
		{
			name: "v1 missing Signature",
			build: func() (*http.Request, []byte) {
				return httptest.NewRequest(http.MethodGet, "http://h/?"+v1Base().Encode(), nil), nil
			},
			parseCode: "MissingParameter", parseName: `"Signature"`,
		},
		{name: "v1 missing AccessKeyId", build: v1Simple(t, func(p url.Values) { p.Del("AccessKeyId") }), parseCode: "MissingParameter", parseName: `"AccessKeyId"`},
		{name: "v1 missing Timestamp", build: v1Simple(t, func(p url.Values) { p.Del("Timestamp") }), parseCode: "MissingParameter", parseName: `"Timestamp"`},
		{name: "v1 missing SignatureNonce", build: v1Simple(t, func(p url.Values) { p.Del("SignatureNonce") }), parseCode: "MissingParameter", parseName: `"SignatureNonce"`},
		{name: "v1 missing Action", build: v1Simple(t, func(p url.Values) { p.Del("Action") }), parseCode: "MissingParameter", parseName: `"Action"`},
		{name: "v1 HMAC-SHA256 method", build: v1Simple(t, func(p url.Values) { p.Set("SignatureMethod", "HMAC-SHA256") }), parseCode: "InvalidSignatureMethod"},
		{name: "v1 bad Timestamp", build: v1Simple(t, func(p url.Values) { p.Set("Timestamp", "yesterday") }), parseCode: "InvalidParameter", parseName: `"Timestamp"`},
		{name: "v1 bearer SignatureType", build: v1Simple(t, func(p url.Values) { p.Set("SignatureType", "BEARERTOKEN") }), parseCode: "InvalidParameter", parseName: `"SignatureType"`},
		{name: "v1 SignatureVersion 2.0", build: v1Simple(t, func(p url.Values) { p.Set("SignatureVersion", "2.0") }), parseCode: "InvalidParameter"},
		{
			name: "v1 malformed form body",
			build: func() (*http.Request, []byte) {
				r, _ := v1Build(t, http.MethodPost, v1Base(), nil)
				r.Header.Set("Content-Type", form)
				return r, []byte("a=%zz")
			},
			parseCode: "InvalidParameter", parseName: `"body"`,
		},
		{
			name: "v1 malformed query",
			build: func() (*http.Request, []byte) {
				r, b := v1Build(t, http.MethodGet, v1Base(), nil)
				r.URL.RawQuery += "&x=%zz"
				return r, b
			},
			parseCode: "InvalidParameter",
		},
		// ---- V3 ----
		{
			name:  "v3 POST query only",
			build: v3Simple(t, nil, nil),
			check: func(t *testing.T, r *Request) {
				wantFields(t, r, StyleV3, "", "")
				if v, ok := r.Params["Empty"]; !ok || v[0] != "" {
					t.Errorf("empty param lost")
				}
			},
		},
		{
			name: "v3 GET",
			build: func() (*http.Request, []byte) {
				return v3Build(t, http.MethodGet, v3Query(), nil, "", nil, nil)
			},
			check: func(t *testing.T, r *Request) { wantFields(t, r, StyleV3, "", "") },
		},
		{
			name: "v3 query + form body, content-type signed",
			build: func() (*http.Request, []byte) {
				body := url.Values{"ResultSample": {awkward}, "RegionId": {"cn-beijing"}}.Encode()
				return v3Build(t, http.MethodPost, v3Query(), []byte(body), form, nil, nil)
			},
			check: func(t *testing.T, r *Request) {
				wantFields(t, r, StyleV3, "cn-beijing", "")
				if r.Params.Get("ResultSample") != awkward {
					t.Errorf("ResultSample = %q", r.Params.Get("ResultSample"))
				}
			},
		},
		{
			name: "v3 JSON body hashed but not parsed",
			build: func() (*http.Request, []byte) {
				return v3Build(t, http.MethodPost, v3Query(), []byte(`{"a":"b"}`), "application/json; charset=utf-8", nil, nil)
			},
			check: func(t *testing.T, r *Request) {
				if _, ok := r.Params["a"]; ok {
					t.Errorf("JSON body parsed as params")
				}
			},
		},
		{
			name: "v3 STS token signed",
			build: v3Simple(t, func(r *http.Request) {
				r.Header.Set("x-acs-accesskey-id", testAK)
				r.Header.Set("x-acs-security-token", testToken)
			}, nil),
			check: func(t *testing.T, r *Request) { wantFields(t, r, StyleV3, "", testToken) },
		},
		{
			name:  "v3 uppercase hex signature accepted",
			build: v3Simple(t, nil, setAuth(func(a string) string { i := strings.LastIndex(a, "=") + 1; return a[:i] + strings.ToUpper(a[i:]) })),
		},
		{
			name:  "v3 unsigned ordinary header changed",
			build: v3Simple(t, nil, func(r *http.Request) { r.Header.Set("User-Agent", "other") }),
		},
		{name: "v3 wrong secret", build: v3Simple(t, nil, nil), secret: "wrong", verifyCode: "SignatureDoesNotMatch"},
		{
			name: "v3 tampered query",
			build: v3Simple(t, nil, func(r *http.Request) {
				q := r.URL.Query()
				q.Set("Apis.1.ApiId", "a2")
				r.URL.RawQuery = q.Encode()
			}),
			verifyCode: "SignatureDoesNotMatch",
		},
		{
			name: "v3 tampered body",
			build: func() (*http.Request, []byte) {
				r, _ := v3Build(t, http.MethodPost, v3Query(), []byte("ResultSample=x"), form, nil, nil)
				return r, []byte("ResultSample=y")
			},
			verifyCode: "SignatureDoesNotMatch",
		},
		{
			name:       "v3 signed content hash does not match body",
			build:      v3Simple(t, func(r *http.Request) { r.Header.Set("x-acs-content-sha256", strings.Repeat("0", 64)) }, nil),
			verifyCode: "SignatureDoesNotMatch",
		},
		{name: "v3 wrong host", build: v3Simple(t, nil, func(r *http.Request) { r.Host = "127.0.0.1:9090" }), verifyCode: "SignatureDoesNotMatch"},
		{name: "v3 tampered action", build: v3Simple(t, nil, func(r *http.Request) { r.Header.Set("x-acs-action", "DeleteApiProduct") }), verifyCode: "SignatureDoesNotMatch"},
		{name: "v3 signed as POST, sent as GET", build: v3Simple(t, nil, func(r *http.Request) { r.Method = http.MethodGet }), verifyCode: "SignatureDoesNotMatch"},
		{name: "v3 garbage Authorization", build: v3Simple(t, nil, setAuth(func(string) string { return "garbage" })), parseCode: "IncompleteSignature"},
		{name: "v3 algorithm only", build: v3Simple(t, nil, setAuth(func(string) string { return "ACS3-HMAC-SHA256" })), parseCode: "IncompleteSignature"},
		{name: "v3 legacy ROA acs header", build: v3Simple(t, nil, setAuth(func(string) string { return "acs " + testAK + ":abc=" })), parseCode: "IncompleteSignature"},
		{name: "v3 SM3 algorithm", build: v3Simple(t, nil, setAuth(func(a string) string { return strings.Replace(a, "ACS3-HMAC-SHA256", "ACS3-HMAC-SM3", 1) })), parseCode: "InvalidSignatureMethod"},
		{name: "v3 Signature not hex", build: v3Simple(t, nil, setAuth(func(a string) string { return a[:strings.LastIndex(a, "=")+1] + "zz" })), parseCode: "IncompleteSignature"},
		{name: "v3 no Signature element", build: v3Simple(t, nil, setAuth(func(a string) string { return a[:strings.LastIndex(a, ",")] })), parseCode: "IncompleteSignature"},
		{name: "v3 empty Credential", build: v3Simple(t, nil, setAuth(func(a string) string { return strings.Replace(a, "Credential="+testAK, "Credential=", 1) })), parseCode: "IncompleteSignature"},
		{name: "v3 duplicate Credential", build: v3Simple(t, nil, setAuth(func(a string) string { return a + ",Credential=x" })), parseCode: "IncompleteSignature"},
		{name: "v3 uppercase SignedHeaders", build: v3Simple(t, nil, setAuth(func(a string) string { return strings.Replace(a, "host;", "Host;", 1) })), parseCode: "IncompleteSignature"},
		{name: "v3 host not signed", build: v3Simple(t, nil, setAuth(func(a string) string { return strings.Replace(a, "host;", "", 1) })), parseCode: "IncompleteSignature", parseName: "host"},
		{
			name:      "v3 security token added after signing",
			build:     v3Simple(t, nil, func(r *http.Request) { r.Header.Set("x-acs-security-token", testToken) }),
			parseCode: "IncompleteSignature", parseName: "x-acs-security-token",
		},
		{
			name:      "v3 content-type added after signing",
			build:     v3Simple(t, nil, func(r *http.Request) { r.Header.Set("Content-Type", form) }),
			parseCode: "IncompleteSignature", parseName: "content-type",
		},
		{
			name: "v3 x-acs-accesskey-id differs from Credential",
			build: v3Simple(t, func(r *http.Request) {
				r.Header.Set("x-acs-accesskey-id", "LTAIother")
				r.Header.Set("x-acs-security-token", testToken)
			}, nil),
			parseCode: "IncompleteSignature",
		},
		{name: "v3 missing x-acs-date", build: v3Simple(t, nil, func(r *http.Request) { r.Header.Del("x-acs-date") }), parseCode: "MissingParameter", parseName: "x-acs-date"},
		{name: "v3 missing x-acs-content-sha256", build: v3Simple(t, nil, func(r *http.Request) { r.Header.Del("x-acs-content-sha256") }), parseCode: "MissingParameter", parseName: "x-acs-content-sha256"},
		{name: "v3 missing x-acs-action", build: v3Simple(t, nil, func(r *http.Request) { r.Header.Del("x-acs-action") }), parseCode: "MissingParameter", parseName: "x-acs-action"},
		{name: "v3 bad x-acs-date", build: v3Simple(t, func(r *http.Request) { r.Header.Set("x-acs-date", "Mon, 30 Nov 2026") }, nil), parseCode: "InvalidParameter", parseName: "x-acs-date"},
		{
			name:      "v3 two Authorization headers",
			build:     v3Simple(t, nil, func(r *http.Request) { r.Header.Add("Authorization", "x") }),
			parseCode: "IncompleteSignature",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, body := tc.build()
			got, err := Parse(r, body)
			if tc.parseCode != "" {
				e := wantCode(t, err, tc.parseCode)
				if !strings.Contains(e.Message, tc.parseName) {
					t.Errorf("message %q does not name %q", e.Message, tc.parseName)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			secret := tc.secret
			if secret == "" {
				secret = testSecret
			}
			err = got.Verify(secret)
			if tc.verifyCode != "" {
				e := wantCode(t, err, tc.verifyCode)
				if e.Message != "Specified signature is not matched with our calculation." {
					t.Errorf("message = %q", e.Message)
				}
				return
			}
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if tc.check != nil {
				tc.check(t, got)
			}
		})
	}
}

// wantCode asserts err is an *Error with code and status 400 and that its
// text leaks neither secret, token nor any signature.
func wantCode(t *testing.T, err error, code string) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v (%T), want *Error %s", err, err, code)
	}
	if e.Code != code || e.Status != http.StatusBadRequest {
		t.Fatalf("err = %s/%d %q, want %s/400", e.Code, e.Status, e.Message, code)
	}
	for _, secret := range []string{testSecret, testToken} {
		if strings.Contains(e.Error(), secret) {
			t.Fatalf("error text leaks a secret: %q", e.Error())
		}
	}
	return e
}

func wantFields(t *testing.T, r *Request, style Style, region, token string) {
	t.Helper()
	if r.Style != style || r.AccessKeyID != testAK || r.Action != "AttachApiProduct" || r.Version != "2016-07-14" {
		t.Errorf("got style %v key %q action %q version %q", r.Style, r.AccessKeyID, r.Action, r.Version)
	}
	if r.Nonce != "0123456789abcdef0123456789abcdef" || !r.Timestamp.Equal(fixedTime) {
		t.Errorf("nonce %q timestamp %v", r.Nonce, r.Timestamp)
	}
	if r.RegionID != region || r.SecurityToken != token {
		t.Errorf("region %q token %q, want %q %q", r.RegionID, r.SecurityToken, region, token)
	}
	if r.Params.Get("ApiProductId") != awkward || r.Params.Get("Apis.1.ApiId") != "a1" {
		t.Errorf("business params wrong: %v", r.Params)
	}
	for _, k := range v1Protocol {
		if _, ok := r.Params[k]; ok {
			t.Errorf("protocol param %q in Params", k)
		}
	}
}

// TestDegenerateInputs covers values the emulator should never pass but must
// not crash on or accept.
func TestDegenerateInputs(t *testing.T) {
	var nilReq *Request
	if nilReq.Verify(testSecret) == nil {
		t.Errorf("nil Request verified")
	}
	if (&Request{}).Verify("") == nil {
		t.Errorf("zero Request verified with empty secret")
	}
	if _, err := Parse(nil, nil); err == nil {
		t.Errorf("Parse(nil) succeeded")
	}
	if err := signaturetest.SignV3(&http.Request{URL: &url.URL{Path: "/"}}, nil, testAK, testSecret); err == nil {
		t.Errorf("SignV3 without host succeeded")
	}
	if StyleV1.String() != "V1" || StyleV3.String() != "V3" {
		t.Errorf("Style names: %v %v", StyleV1, StyleV3)
	}
}

// v1SetAfterSigning builds a signed V1 GET, then sets key to value in its query.
func v1SetAfterSigning(t *testing.T, key, value string) func() (*http.Request, []byte) {
	return func() (*http.Request, []byte) {
		r, b := v1Build(t, http.MethodGet, v1Base(), nil)
		q := r.URL.Query()
		q.Set(key, value)
		r.URL.RawQuery = q.Encode()
		return r, b
	}
}
