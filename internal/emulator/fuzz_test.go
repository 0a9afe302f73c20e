package emulator_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator"
	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator/signature"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator/signature/signaturetest"
)

// checkAnswer asserts what every answer must satisfy, whatever the input: a JSON object with a
// RequestId, the JSON content type, a status the SDKs understand, and no 5xx (only injected
// faults may produce those, and none are configured here).
func checkAnswer(t *testing.T, rec *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	if rec.Code != 200 && (rec.Code < 400 || rec.Code > 499) {
		t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json;charset=utf-8" {
		t.Fatalf("Content-Type %q", ct)
	}
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatalf("body is not JSON: %q", rec.Body.String())
	}
	if id, _ := m["RequestId"].(string); len(id) != 36 {
		t.Fatalf("RequestId %q", m["RequestId"])
	}
	if rec.Code >= 400 {
		if code, _ := m["Code"].(string); code == "" {
			t.Fatalf("error without Code: %s", rec.Body.String())
		}
	}
	return m
}

// FuzzHandler feeds arbitrary, mostly unsigned requests to the handler: parsing must never panic or
// answer anything but a well-formed error.
func FuzzHandler(f *testing.F) {
	s := emulator.New()
	defer s.Close()
	h := s.Handler()
	f.Add("POST", "Action=AttachApiProduct&Version=2016-07-14", "", "application/x-www-form-urlencoded", "")
	f.Add("GET", "Signature=abc&AccessKeyId=k&SignatureMethod=HMAC-SHA1&Timestamp=2026-01-01T00:00:00Z&SignatureNonce=1&Action=A&Version=2016-07-14", "", "", "")
	f.Add("POST", "", "a=%zz", "application/x-www-form-urlencoded", "")
	f.Add("POST", "ApiProductId=p", "", "", "ACS3-HMAC-SHA256 Credential=k,SignedHeaders=host;x-acs-action,Signature=00")
	f.Add("POST", "", "", "", "ACS3-HMAC-SHA256 Credential=,SignedHeaders=,Signature=")
	f.Add("POST", "%", "", "", "garbage")
	f.Fuzz(func(t *testing.T, method, query, body, contentType, auth string) {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		if method == "GET" || method == "POST" {
			req.Method = method
		}
		req.URL.RawQuery = query
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		if auth != "" {
			req.Header.Set("Authorization", auth)
			req.Header.Set("x-acs-action", "AttachApiProduct")
			req.Header.Set("x-acs-version", "2016-07-14")
			req.Header.Set("x-acs-date", time.Now().UTC().Format(signature.TimestampLayout))
			req.Header.Set("x-acs-signature-nonce", "n")
			req.Header.Set("x-acs-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if m := checkAnswer(t, rec); rec.Code == 200 {
			t.Fatalf("an unsigned request succeeded: %v", m)
		}
	})
}

var fuzzNonce atomic.Int64

// FuzzSignedParams signs arbitrary business parameters correctly (V3 in the query, V1 in the query
// or a form body), so they pass authentication and reach the operations: whatever the parameters,
// the answer is a success or a 4xx with a code, never a panic or 5xx.
func FuzzSignedParams(f *testing.F) {
	s := emulator.New()
	defer s.Close()
	gid, _ := s.SeedGroup(emulator.DefaultAccountID, "", "fuzz_group")
	aid, _ := s.SeedAPI(emulator.DefaultAccountID, "", emulator.APISpec{GroupID: gid, Name: "fuzz_api", Path: "/fuzz"})
	h := s.Handler()
	f.Add("AttachApiProduct", "ApiProductId=p1&Apis.1.ApiId="+aid+"&Apis.1.StageName=RELEASE", uint8(0))
	f.Add("DetachApiProduct", "ApiProductId=p1&Apis.1.ApiId="+aid+"&Apis.1.StageName=TEST", uint8(1))
	f.Add("DescribeApiProductApis", "ApiProductId=p1&PageNumber=2&PageSize=100", uint8(2))
	f.Add("DescribeApiProductApis", "ApiProductId=p1&PageNumber=99999999999999999999", uint8(0))
	f.Add("CreateApi", "GroupId="+gid+"&ApiName=x_fuzz&Visibility=PUBLIC&RequestConfig=%7B%22RequestHttpMethod%22%3A1%7D&ServiceConfig=%7B%7D", uint8(1))
	f.Add("CreateApi", "GroupId="+gid+"&ApiName=fuzz_two&Visibility=PRIVATE&RequestConfig=%7B%22RequestHttpMethod%22%3A%22get%22%2C%22RequestPath%22%3A%22%2Fa%20b%22%7D&ServiceConfig=%7B%22ServiceTimeout%22%3A%22-1%22%7D", uint8(2))
	f.Add("CreateApiGroup", "GroupName=%E4%B8%AD%E6%96%87+*~&Description=%00", uint8(0))
	f.Add("DescribeApis", "ApiName=fuzz&UnDeployed=maybe&StageName=PRE", uint8(1))
	f.Add("DeployApi", "ApiId="+aid+"&StageName=PRE&Description=d", uint8(2))
	f.Add("DeleteApi", "ApiId="+aid, uint8(0))
	f.Add("AbolishApi", "ApiId="+aid+"&StageName=PRE", uint8(1))
	f.Add("DeleteApiProduct", "ApiProductId=p1", uint8(2))
	f.Add("DeleteApiGroup", "GroupId="+gid, uint8(0))
	f.Fuzz(func(t *testing.T, action, query string, style uint8) {
		q, err := url.ParseQuery(query)
		if err != nil || len(action) > 64 || !isToken(action) {
			t.Skip()
		}
		nonce := fmt.Sprintf("fuzz-%d", fuzzNonce.Add(1))
		var req *http.Request
		switch style % 3 {
		case 0:
			req = httptest.NewRequest(http.MethodPost, "http://127.0.0.1/?"+q.Encode(), nil)
			req.Header.Set("x-acs-action", action)
			req.Header.Set("x-acs-version", "2016-07-14")
			req.Header.Set("x-acs-signature-nonce", nonce)
			if err := signaturetest.SignV3(req, nil, emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret); err != nil {
				t.Fatal(err)
			}
		default:
			signaturetest.SetV1(q, action, emulator.DefaultAccessKeyID, nonce, time.Now())
			q.Del("Signature")
			q.Del("SignatureType")
			q.Set("Signature", signaturetest.SignV1(q, http.MethodPost, emulator.DefaultAccessKeySecret))
			if style%3 == 1 {
				req = httptest.NewRequest(http.MethodPost, "http://127.0.0.1/?"+q.Encode(), nil)
			} else {
				req = httptest.NewRequest(http.MethodPost, "http://127.0.0.1/", strings.NewReader(q.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		m := checkAnswer(t, rec)
		if code, _ := m["Code"].(string); code == "SignatureDoesNotMatch" || code == "SignatureNonceUsed" || code == "InvalidTimeStamp.Expired" {
			t.Fatalf("a correctly signed request was rejected: %v", m)
		}
	})
}

func isToken(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r <= ' ' || r >= 0x7f {
			return false
		}
	}
	return true
}
