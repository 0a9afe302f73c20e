package emulator_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	cloudapi "github.com/alibabacloud-go/cloudapi-20160714/v5/client"
	openapiutil "github.com/alibabacloud-go/darabonba-openapi/v2/utils"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"
	legacy "github.com/aliyun/alibaba-cloud-sdk-go/services/cloudapi"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator/signature/signaturetest"
)

// fixture is a group with one API deployed to RELEASE, created without HTTP.
type fixture struct {
	groupID, apiID string
}

func seedFixture(t testing.TB, s *emulator.Server, account string) fixture {
	t.Helper()
	gid, err := s.SeedGroup(account, "", "fixture_group")
	if err != nil {
		t.Fatal(err)
	}
	aid, err := s.SeedAPI(account, "", emulator.APISpec{GroupID: gid, Name: "fixture_api", Path: "/fixture"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SeedDeployment(account, "", aid, "RELEASE"); err != nil {
		t.Fatal(err)
	}
	return fixture{gid, aid}
}

func attachReq(product string, pairs ...string) *cloudapi.AttachApiProductRequest {
	r := &cloudapi.AttachApiProductRequest{}
	if product != "" {
		r.ApiProductId = tea.String(product)
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		r.Apis = append(r.Apis, &cloudapi.AttachApiProductRequestApis{ApiId: tea.String(pairs[i]), StageName: tea.String(pairs[i+1])})
	}
	return r
}

func detachReq(product string, pairs ...string) *cloudapi.DetachApiProductRequest {
	r := &cloudapi.DetachApiProductRequest{ApiProductId: tea.String(product)}
	for i := 0; i+1 < len(pairs); i += 2 {
		r.Apis = append(r.Apis, &cloudapi.DetachApiProductRequestApis{ApiId: tea.String(pairs[i]), StageName: tea.String(pairs[i+1])})
	}
	return r
}

// callAPI issues an arbitrary RPC action through darabonba's generic CallApi, the path every typed
// operation takes, so action and version can be chosen freely.
func callAPI(c *cloudapi.Client, action, version string, query map[string]string) error {
	q := map[string]*string{}
	for k, v := range query {
		q[k] = tea.String(v)
	}
	params := &openapiutil.Params{Action: tea.String(action), Version: tea.String(version), Protocol: tea.String("HTTP"),
		Pathname: tea.String("/"), Method: tea.String("POST"), AuthType: tea.String("AK"), Style: tea.String("RPC"),
		ReqBodyType: tea.String("formData"), BodyType: tea.String("json")}
	_, err := c.CallApi(params, &openapiutil.OpenApiRequest{Query: q}, &dara.RuntimeOptions{})
	return err
}

func TestErrorsAuthentication(t *testing.T) {
	s := startServer(t)
	fx := seedFixture(t, s, emulator.DefaultAccountID)
	ok := attachReq("p1", fx.apiID, "RELEASE")

	t.Run("unknown key V3", func(t *testing.T) {
		_, err := typedClient(t, clientConfig(s, "LTAI5tNoSuchKey", "x")).AttachApiProduct(ok)
		wantErr(t, err, "InvalidAccessKeyId.NotFound", 404)
	})
	t.Run("unknown key V1", func(t *testing.T) {
		cfg := clientConfig(s, "LTAI5tNoSuchKey", "x")
		cfg.SignatureAlgorithm = tea.String("v2")
		_, err := typedClient(t, cfg).AttachApiProduct(ok)
		wantErr(t, err, "InvalidAccessKeyId.NotFound", 404)
	})
	t.Run("wrong secret V3", func(t *testing.T) {
		_, err := typedClient(t, clientConfig(s, emulator.DefaultAccessKeyID, "wrong")).AttachApiProduct(ok)
		wantErr(t, err, "SignatureDoesNotMatch", 400)
	})
	t.Run("wrong secret V1", func(t *testing.T) {
		cfg := clientConfig(s, emulator.DefaultAccessKeyID, "wrong")
		cfg.SignatureAlgorithm = tea.String("v2")
		_, err := typedClient(t, cfg).AttachApiProduct(ok)
		wantErr(t, err, "SignatureDoesNotMatch", 400)
	})
	t.Run("wrong secret legacy", func(t *testing.T) {
		l := legacyClient(t, s, emulator.DefaultAccessKeyID, "wrong")
		req := legacy.CreateDeleteApiProductRequest()
		l.prep(req.RpcRequest)
		req.ApiProductId = "p1"
		_, err := l.c.DeleteApiProduct(req)
		wantErr(t, err, "SignatureDoesNotMatch", 400)
	})
	t.Run("invalid version", func(t *testing.T) {
		err := callAPI(defaultTyped(t, s), "DescribeApiProductApis", "2015-01-01", map[string]string{"ApiProductId": "p1"})
		wantErr(t, err, "InvalidVersion", 400)
	})
	t.Run("unknown action", func(t *testing.T) {
		err := callAPI(defaultTyped(t, s), "DescribeNothing", "2016-07-14", nil)
		wantErr(t, err, "InvalidAction.NotFound", 404)
		if got := s.RequestCount("DescribeNothing", "InvalidAction.NotFound"); got != 1 {
			t.Fatalf("RequestCount(DescribeNothing) = %d", got)
		}
	})
	if got := s.RequestCount("AttachApiProduct", "SignatureDoesNotMatch"); got != 2 {
		t.Fatalf("RequestCount(AttachApiProduct, SignatureDoesNotMatch) = %d, want 2", got)
	}
	if got := s.RequestCount("", "InvalidAccessKeyId.NotFound"); got != 2 {
		t.Fatalf("RequestCount(any, InvalidAccessKeyId.NotFound) = %d, want 2", got)
	}
	if _, ok := s.ProductAttachments(emulator.DefaultAccountID, "", "p1"); ok {
		t.Fatalf("a rejected request created the product")
	}
}

func TestErrorsTimestampSkew(t *testing.T) {
	// The SDK stamps requests with the real time; the emulator clock is moved around it.
	clock := emulator.NewManualClock(time.Now().Add(16 * time.Minute))
	s := startServer(t, emulator.WithClock(clock.Now))
	fx := seedFixture(t, s, emulator.DefaultAccountID)
	c := defaultTyped(t, s)
	_, err := c.AttachApiProduct(attachReq("p1", fx.apiID, "RELEASE"))
	wantErr(t, err, "InvalidTimeStamp.Expired", 400)
	_, err = v1Typed(t, s).AttachApiProduct(attachReq("p1", fx.apiID, "RELEASE"))
	wantErr(t, err, "InvalidTimeStamp.Expired", 400)

	clock.Advance(-32 * time.Minute) // 16 minutes behind the request time
	_, err = c.AttachApiProduct(attachReq("p1", fx.apiID, "RELEASE"))
	wantErr(t, err, "InvalidTimeStamp.Expired", 400)

	clock.Advance(30 * time.Minute) // 14 minutes ahead: inside the window
	if _, err := c.AttachApiProduct(attachReq("p1", fx.apiID, "RELEASE")); err != nil {
		t.Fatalf("within 15 minutes: %v", err)
	}
}

// rawV3 builds a V3-signed POST for action with query params.
func rawV3(t testing.TB, s *emulator.Server, action string, q url.Values, nonce string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL()+"/?"+q.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("x-acs-action", action)
	req.Header.Set("x-acs-version", "2016-07-14")
	if nonce != "" {
		req.Header.Set("x-acs-signature-nonce", nonce)
	}
	if err := signaturetest.SignV3(req, nil, emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret); err != nil {
		t.Fatal(err)
	}
	return req
}

// rawV1 builds a V1-signed POST; inBody puts every parameter in a form body instead of the query.
func rawV1(t testing.TB, s *emulator.Server, action string, q url.Values, nonce string, inBody bool) *http.Request {
	t.Helper()
	p := url.Values{}
	for k, v := range q {
		p[k] = v
	}
	signaturetest.SetV1(p, action, emulator.DefaultAccessKeyID, nonce, time.Now())
	p.Set("Format", "JSON")
	p.Set("Signature", signaturetest.SignV1(p, http.MethodPost, emulator.DefaultAccessKeySecret))
	var req *http.Request
	var err error
	if inBody {
		req, err = http.NewRequest(http.MethodPost, s.URL()+"/", strings.NewReader(p.Encode()))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	} else {
		req, err = http.NewRequest(http.MethodPost, s.URL()+"/?"+p.Encode(), nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// do sends req and decodes the JSON body, checking the headers every answer must have.
func do(t testing.TB, req *http.Request) (int, map[string]any) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); ct != "application/json;charset=utf-8" {
		t.Fatalf("Content-Type = %q", ct)
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("body %q: %v", body, err)
	}
	rid, _ := m["RequestId"].(string)
	if !regexp.MustCompile(`^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$`).MatchString(rid) || resp.Header.Get("x-acs-request-id") != rid {
		t.Fatalf("RequestId %q / header %q", rid, resp.Header.Get("x-acs-request-id"))
	}
	if resp.StatusCode >= 400 {
		for _, k := range []string{"HostId", "Code", "Message", "Recommend"} {
			if v, _ := m[k].(string); v == "" {
				t.Fatalf("error body lacks %s: %s", k, body)
			}
		}
	}
	return resp.StatusCode, m
}

func TestErrorsReplay(t *testing.T) {
	s := startServer(t)
	fx := seedFixture(t, s, emulator.DefaultAccountID)
	q := url.Values{"ApiProductId": {"p1"}, "Apis.1.ApiId": {fx.apiID}, "Apis.1.StageName": {"RELEASE"}}

	status, m := do(t, rawV3(t, s, "AttachApiProduct", q, "nonce-v3-1"))
	if status != 200 {
		t.Fatalf("first V3 request: %d %v", status, m)
	}
	status, m = do(t, rawV3(t, s, "AttachApiProduct", q, "nonce-v3-1"))
	if status != 400 || m["Code"] != "SignatureNonceUsed" {
		t.Fatalf("replayed V3 request: %d %v", status, m)
	}
	// The same nonce from V1 (same access key) is also a replay.
	status, m = do(t, rawV1(t, s, "AttachApiProduct", q, "nonce-v3-1", false))
	if status != 400 || m["Code"] != "SignatureNonceUsed" {
		t.Fatalf("V1 with used nonce: %d %v", status, m)
	}
	for _, inBody := range []bool{false, true} {
		nonce := fmt.Sprintf("nonce-v1-%v", inBody)
		status, m = do(t, rawV1(t, s, "DescribeApiProductApis", url.Values{"ApiProductId": {"p1"}}, nonce, inBody))
		if status != 200 || m["TotalCount"] != float64(1) {
			t.Fatalf("V1 inBody=%v: %d %v", inBody, status, m)
		}
		status, m = do(t, rawV1(t, s, "DescribeApiProductApis", url.Values{"ApiProductId": {"p1"}}, nonce, inBody))
		if status != 400 || m["Code"] != "SignatureNonceUsed" {
			t.Fatalf("V1 replay inBody=%v: %d %v", inBody, status, m)
		}
	}
	if got := s.RequestCount("", "SignatureNonceUsed"); got != 4 {
		t.Fatalf("RequestCount(SignatureNonceUsed) = %d, want 4", got)
	}
}

func TestErrorsRequestShape(t *testing.T) {
	s := startServer(t)
	big := url.Values{"ApiProductId": {"p1"}, "Pad": {strings.Repeat("x", 1<<20)}}
	req := rawV1(t, s, "DescribeApiProductApis", big, "n-big", true)
	status, m := do(t, req)
	if status != 400 || m["Code"] != "InvalidParameter" {
		t.Fatalf("oversized body: %d %v", status, m)
	}
	req, _ = http.NewRequest(http.MethodPost, s.URL()+"/", nil)
	status, m = do(t, req)
	if status != 400 || m["Code"] != "MissingParameter" {
		t.Fatalf("unsigned request: %d %v", status, m)
	}
	req, _ = http.NewRequest(http.MethodPut, s.URL()+"/", nil)
	status, m = do(t, req)
	if status != 404 || m["Code"] != "InvalidAction.NotFound" {
		t.Fatalf("PUT: %d %v", status, m)
	}
	// A tampered body after signing (V3 covers the payload hash).
	body := []byte("ApiProductId=p1")
	req, _ = http.NewRequest(http.MethodPost, s.URL()+"/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("x-acs-action", "DescribeApiProductApis")
	req.Header.Set("x-acs-version", "2016-07-14")
	if err := signaturetest.SignV3(req, body, emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret); err != nil {
		t.Fatal(err)
	}
	req.Body = io.NopCloser(strings.NewReader("ApiProductId=p2"))
	req.ContentLength = int64(len("ApiProductId=p2"))
	status, m = do(t, req)
	if status != 400 || m["Code"] != "SignatureDoesNotMatch" {
		t.Fatalf("tampered body: %d %v", status, m)
	}
}

func TestErrorsOperations(t *testing.T) {
	s := startServer(t, emulator.WithMaxItemsPerCall(3))
	fx := seedFixture(t, s, emulator.DefaultAccountID)
	c := defaultTyped(t, s)
	if _, err := c.AttachApiProduct(attachReq("p1", fx.apiID, "RELEASE")); err != nil {
		t.Fatal(err)
	}
	unknownAPI := strings.Repeat("0", 32)
	cases := []struct {
		name   string
		call   func() error
		code   string
		status int
		msg    string // substring the message must contain (the parameter name)
	}{
		{"attach missing product", sdkCall(c.AttachApiProduct, attachReq("", fx.apiID, "RELEASE")), "MissingParameter", 400, "ApiProductId"},
		{"attach missing apis", sdkCall(c.AttachApiProduct, attachReq("p1")), "MissingParameter", 400, "Apis.1.ApiId"},
		{"attach missing stage", func() error {
			r := attachReq("p1")
			r.Apis = []*cloudapi.AttachApiProductRequestApis{{ApiId: tea.String(fx.apiID)}}
			_, err := c.AttachApiProduct(r)
			return err
		}, "MissingParameter", 400, "Apis.1.StageName"},
		{"attach bad stage", sdkCall(c.AttachApiProduct, attachReq("p1", fx.apiID, "release")), "InvalidParameter", 400, "Apis.1.StageName"},
		{"attach too many", sdkCall(c.AttachApiProduct, attachReq("p1", fx.apiID, "RELEASE", fx.apiID, "PRE", fx.apiID, "TEST", fx.apiID, "RELEASE")), "InvalidParameter", 400, "Apis"},
		{"attach bad product id", sdkCall(c.AttachApiProduct, attachReq("a:b", fx.apiID, "RELEASE")), "InvalidParameter", 400, "ApiProductId"},
		{"attach unknown api", sdkCall(c.AttachApiProduct, attachReq("p1", unknownAPI, "RELEASE")), "NotFoundApi", 404, unknownAPI},
		{"detach unknown product", sdkCall(c.DetachApiProduct, detachReq("nope", fx.apiID, "RELEASE")), "NotFoundApiProduct", 404, "nope"},
		{"detach bad stage", sdkCall(c.DetachApiProduct, detachReq("p1", fx.apiID, "PROD")), "InvalidParameter", 400, "StageName"},
		{"describe unknown product", sdkCall(c.DescribeApiProductApis, &cloudapi.DescribeApiProductApisRequest{ApiProductId: tea.String("nope")}), "NotFoundApiProduct", 404, "nope"},
		{"describe page size above max", sdkCall(c.DescribeApiProductApis, &cloudapi.DescribeApiProductApisRequest{ApiProductId: tea.String("p1"), PageSize: tea.Int32(101)}), "InvalidParameter", 400, "PageSize"},
		{"describe page number zero", sdkCall(c.DescribeApiProductApis, &cloudapi.DescribeApiProductApisRequest{ApiProductId: tea.String("p1"), PageNumber: tea.Int32(0)}), "InvalidParameter", 400, "PageNumber"},
		{"delete unknown product", sdkCall(c.DeleteApiProduct, &cloudapi.DeleteApiProductRequest{ApiProductId: tea.String("nope")}), "NotFoundApiProduct", 404, "nope"},
		{"describe api unknown", sdkCall(c.DescribeApi, &cloudapi.DescribeApiRequest{ApiId: tea.String(unknownAPI)}), "NotFoundApi", 404, unknownAPI},
		{"describe api missing id", sdkCall(c.DescribeApi, &cloudapi.DescribeApiRequest{}), "MissingParameter", 400, "ApiId"},
		{"create api unknown group", func() error {
			_, err := c.CreateApi(&cloudapi.CreateApiRequest{GroupId: tea.String(unknownAPI), ApiName: tea.String("some_api"),
				Visibility: tea.String("PUBLIC"), RequestConfig: tea.String(requestConfig("GET", "/x")), ServiceConfig: tea.String(serviceConfigJSON)})
			return err
		}, "NotFoundApiGroup", 404, unknownAPI},
		{"create api bad name", func() error {
			_, err := c.CreateApi(&cloudapi.CreateApiRequest{GroupId: tea.String(fx.groupID), ApiName: tea.String("9lives"),
				Visibility: tea.String("PUBLIC"), RequestConfig: tea.String(requestConfig("GET", "/x")), ServiceConfig: tea.String(serviceConfigJSON)})
			return err
		}, "InvalidParameter", 400, "ApiName"},
		{"create api short name", func() error {
			_, err := c.CreateApi(&cloudapi.CreateApiRequest{GroupId: tea.String(fx.groupID), ApiName: tea.String("abc"),
				Visibility: tea.String("PUBLIC"), RequestConfig: tea.String(requestConfig("GET", "/x")), ServiceConfig: tea.String(serviceConfigJSON)})
			return err
		}, "InvalidParameter", 400, "ApiName"},
		{"create api duplicate name", func() error {
			_, err := c.CreateApi(&cloudapi.CreateApiRequest{GroupId: tea.String(fx.groupID), ApiName: tea.String("fixture_api"),
				Visibility: tea.String("PUBLIC"), RequestConfig: tea.String(requestConfig("GET", "/other")), ServiceConfig: tea.String(serviceConfigJSON)})
			return err
		}, "InvalidParameter", 400, "ApiName"},
		{"create api duplicate path", func() error {
			_, err := c.CreateApi(&cloudapi.CreateApiRequest{GroupId: tea.String(fx.groupID), ApiName: tea.String("other_api"),
				Visibility: tea.String("PUBLIC"), RequestConfig: tea.String(requestConfig("POST", "/fixture")), ServiceConfig: tea.String(serviceConfigJSON)})
			return err
		}, "InvalidParameter", 400, "RequestPath"},
		{"create api bad visibility", func() error {
			_, err := c.CreateApi(&cloudapi.CreateApiRequest{GroupId: tea.String(fx.groupID), ApiName: tea.String("other_api"),
				Visibility: tea.String("INTERNAL"), RequestConfig: tea.String(requestConfig("GET", "/y")), ServiceConfig: tea.String(serviceConfigJSON)})
			return err
		}, "InvalidParameter", 400, "Visibility"},
		{"create api bad request config", func() error {
			_, err := c.CreateApi(&cloudapi.CreateApiRequest{GroupId: tea.String(fx.groupID), ApiName: tea.String("other_api"),
				Visibility: tea.String("PUBLIC"), RequestConfig: tea.String("{not json"), ServiceConfig: tea.String(serviceConfigJSON)})
			return err
		}, "InvalidParameter", 400, "RequestConfig"},
		{"create api no path", func() error {
			_, err := c.CreateApi(&cloudapi.CreateApiRequest{GroupId: tea.String(fx.groupID), ApiName: tea.String("other_api"),
				Visibility: tea.String("PUBLIC"), RequestConfig: tea.String(`{"RequestHttpMethod":"GET"}`), ServiceConfig: tea.String(serviceConfigJSON)})
			return err
		}, "MissingParameter", 400, "RequestConfig.RequestPath"},
		{"create api no service config", func() error {
			_, err := c.CreateApi(&cloudapi.CreateApiRequest{GroupId: tea.String(fx.groupID), ApiName: tea.String("other_api"),
				Visibility: tea.String("PUBLIC"), RequestConfig: tea.String(requestConfig("GET", "/y"))})
			return err
		}, "MissingParameter", 400, "ServiceConfig"},
		{"deploy bad stage", sdkCall(c.DeployApi, &cloudapi.DeployApiRequest{ApiId: tea.String(fx.apiID), StageName: tea.String("PROD"), Description: tea.String("d")}), "InvalidParameter", 400, "StageName"},
		{"deploy missing description", sdkCall(c.DeployApi, &cloudapi.DeployApiRequest{ApiId: tea.String(fx.apiID), StageName: tea.String("PRE")}), "MissingParameter", 400, "Description"},
		{"deploy unknown api", sdkCall(c.DeployApi, &cloudapi.DeployApiRequest{ApiId: tea.String(unknownAPI), StageName: tea.String("PRE"), Description: tea.String("d")}), "NotFoundApi", 404, unknownAPI},
		{"delete deployed api", sdkCall(c.DeleteApi, &cloudapi.DeleteApiRequest{GroupId: tea.String(fx.groupID), ApiId: tea.String(fx.apiID)}), "InvalidParameter", 400, "AbolishApi"},
		{"delete group with apis", sdkCall(c.DeleteApiGroup, &cloudapi.DeleteApiGroupRequest{GroupId: tea.String(fx.groupID)}), "InvalidParameter", 400, "GroupId"},
		{"describe apis bad page size", sdkCall(c.DescribeApis, &cloudapi.DescribeApisRequest{PageSize: tea.Int32(1000)}), "InvalidParameter", 400, "PageSize"},
		{"create group missing name", sdkCall(c.CreateApiGroup, &cloudapi.CreateApiGroupRequest{}), "MissingParameter", 400, "GroupName"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			wantErrMentioning(t, err, tc.code, tc.status, tc.msg)
		})
	}
	// None of the failed calls changed the product.
	if got, _ := s.ProductAttachments(emulator.DefaultAccountID, "", "p1"); len(got) != 1 {
		t.Fatalf("product changed by failed calls: %v", got)
	}
}

func TestSecurityTokens(t *testing.T) {
	clock := emulator.NewManualClock(time.Now())
	s := startServer(t, emulator.WithClock(clock.Now))
	fx := seedFixture(t, s, emulator.DefaultAccountID)
	akid, secret, token := s.IssueTemporaryCredentials(emulator.DefaultAccountID, time.Minute)
	if !strings.HasPrefix(akid, "STS.") || secret == "" || len(token) < 32 {
		t.Fatalf("credentials look wrong: %q %q", akid, token)
	}
	withToken := func(tok string, v1 bool) *cloudapi.Client {
		cfg := clientConfig(s, akid, secret)
		if tok != "" {
			cfg.SecurityToken = tea.String(tok)
		}
		if v1 {
			cfg.SignatureAlgorithm = tea.String("v2")
		}
		return typedClient(t, cfg)
	}
	for _, v1 := range []bool{false, true} {
		if _, err := withToken(token, v1).AttachApiProduct(attachReq("sts", fx.apiID, "RELEASE")); err != nil {
			t.Fatalf("valid token (v1=%v): %v", v1, err)
		}
		_, err := withToken("", v1).AttachApiProduct(attachReq("sts", fx.apiID, "RELEASE"))
		wantErr(t, err, "MissingSecurityToken", 400)
		_, err = withToken(token+"x", v1).AttachApiProduct(attachReq("sts", fx.apiID, "RELEASE"))
		wantErr(t, err, "InvalidSecurityToken.MismatchWithAccessKey", 400)
	}
	// Legacy STS client.
	lc, err := legacy.NewClientWithStsToken(emulator.DefaultRegion, akid, secret, token)
	if err != nil {
		t.Fatal(err)
	}
	lf := legacyFlow{c: lc, endpoint: s.Endpoint()}
	if _, err := lf.describeProduct("sts", 1, 10); err != nil {
		t.Fatalf("legacy STS: %v", err)
	}
	// A permanent key must not carry a token.
	cfg := clientConfig(s, emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret)
	cfg.SecurityToken = tea.String(token)
	_, err = typedClient(t, cfg).AttachApiProduct(attachReq("sts", fx.apiID, "RELEASE"))
	wantErr(t, err, "InvalidSecurityToken.MismatchWithAccessKey", 400)

	clock.Advance(2 * time.Minute) // past the 1-minute TTL, still inside the timestamp window
	_, err = withToken(token, false).AttachApiProduct(attachReq("sts", fx.apiID, "RELEASE"))
	wantErr(t, err, "InvalidSecurityToken.Expired", 400)
}

func TestFaultsThroughClient(t *testing.T) {
	s := startServer(t)
	fx := seedFixture(t, s, emulator.DefaultAccountID)
	c := defaultTyped(t, s)
	for _, tc := range []struct {
		kind   emulator.FaultKind
		code   string
		status int
	}{
		{emulator.FaultThrottling, "Throttling", 400},
		{emulator.FaultServiceUnavailable, "ServiceUnavailable", 503},
		{emulator.FaultInternalError, "InternalError", 500},
	} {
		s.InjectFault(emulator.Fault{Action: "AttachApiProduct", Kind: tc.kind, Count: 1})
		_, err := c.AttachApiProduct(attachReq("f1", fx.apiID, "RELEASE"))
		wantErr(t, err, tc.code, tc.status)
		if _, ok := s.ProductAttachments(emulator.DefaultAccountID, "", "f1"); ok {
			t.Fatalf("%s: a faulted request changed state", tc.kind)
		}
		if got := s.RequestCount("AttachApiProduct", tc.code); got != 1 {
			t.Fatalf("RequestCount(%s) = %d", tc.code, got)
		}
	}
	// Faults for another action do not fire here.
	s.InjectFault(emulator.Fault{Action: "DetachApiProduct", Kind: emulator.FaultInternalError, Rate: 1})
	if _, err := c.AttachApiProduct(attachReq("f1", fx.apiID, "RELEASE")); err != nil {
		t.Fatalf("attach with a Detach fault active: %v", err)
	}
	_, err := c.DetachApiProduct(detachReq("f1", fx.apiID, "RELEASE"))
	wantErr(t, err, "InternalError", 500)
	s.ClearFaults()
	if _, err := c.DetachApiProduct(detachReq("f1", fx.apiID, "RELEASE")); err != nil {
		t.Fatalf("after ClearFaults: %v", err)
	}

	s.InjectFault(emulator.Fault{Kind: emulator.FaultDrop, Count: 1})
	_, err = c.DescribeApiProductApis(&cloudapi.DescribeApiProductApisRequest{ApiProductId: tea.String("f1")})
	var te *tea.SDKError
	if err == nil || (errors.As(err, &te) && te.StatusCode != nil && *te.StatusCode != 0) {
		t.Fatalf("dropped connection: err = %v", err)
	}
	if got := s.RequestCount("DescribeApiProductApis", "Drop"); got != 1 {
		t.Fatalf("RequestCount(Drop) = %d", got)
	}
}

func TestThrottlingUserHeader(t *testing.T) {
	s := startServer(t, emulator.WithQPSLimit(0.5, 1))
	fx := seedFixture(t, s, emulator.DefaultAccountID)
	c := defaultTyped(t, s)
	if _, err := c.AttachApiProduct(attachReq("q1", fx.apiID, "RELEASE")); err != nil {
		t.Fatal(err)
	}
	_, err := c.AttachApiProduct(attachReq("q1", fx.apiID, "PRE"))
	wantErr(t, err, "Throttling.User", 400)

	resp, err := http.DefaultClient.Do(rawV3(t, s, "DescribeApiProductApis", url.Values{"ApiProductId": {"q1"}}, ""))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	h := resp.Header.Get("x-ratelimit-user")
	if resp.StatusCode != 400 || !regexp.MustCompile(`(^|,)TimeLeft:\d+(,|$)`).MatchString(h) {
		t.Fatalf("status %d, x-ratelimit-user %q", resp.StatusCode, h)
	}
}

func TestRequestLogHasNoSecrets(t *testing.T) {
	var buf emulator.LogBuffer
	s := startServer(t, emulator.WithRequestLog(&buf))
	fx := seedFixture(t, s, emulator.DefaultAccountID)
	akid, secret, token := s.IssueTemporaryCredentials(emulator.DefaultAccountID, time.Hour)
	cfg := clientConfig(s, akid, secret)
	cfg.SecurityToken = tea.String(token)
	if _, err := typedClient(t, cfg).AttachApiProduct(attachReq("log1", fx.apiID, "RELEASE")); err != nil {
		t.Fatal(err)
	}
	_, err := typedClient(t, clientConfig(s, emulator.DefaultAccessKeyID, "wrong-secret")).AttachApiProduct(attachReq("log1", fx.apiID, "RELEASE"))
	wantErr(t, err, "SignatureDoesNotMatch", 400)

	out := buf.String()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 log lines, got %q", out)
	}
	line := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ action=AttachApiProduct account=(\S+) status=(\d+) code=(\S+) latency=\d+\.\d{3}ms request_id=\S+$`)
	m0, m1 := line.FindStringSubmatch(lines[0]), line.FindStringSubmatch(lines[1])
	if m0 == nil || m1 == nil {
		t.Fatalf("log lines do not match the format:\n%s", out)
	}
	if m0[1] != emulator.DefaultAccountID || m0[2] != "200" || m0[3] != "OK" {
		t.Fatalf("success line: %q", lines[0])
	}
	if m1[1] != "-" || m1[2] != "400" || m1[3] != "SignatureDoesNotMatch" {
		t.Fatalf("failure line: %q", lines[1])
	}
	for _, secretish := range []string{secret, token, emulator.DefaultAccessKeySecret, "wrong-secret", "Signature=", "ACS3-HMAC"} {
		if strings.Contains(out, secretish) {
			t.Fatalf("log contains a secret-ish value %q:\n%s", secretish, out)
		}
	}
}

// replayingCaller sends every request twice, unchanged, and returns the second answer: the SDK's
// own signed request replayed byte for byte.
type replayingCaller struct{ c *http.Client }

func (r replayingCaller) Call(req *http.Request, _ *http.Transport) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body.Close()
	}
	first := req.Clone(req.Context())
	first.Body = io.NopCloser(bytes.NewReader(body))
	resp, err := r.c.Do(first)
	if err != nil {
		return nil, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("first send failed with %d", resp.StatusCode)
	}
	second := req.Clone(req.Context())
	second.Body = io.NopCloser(bytes.NewReader(body))
	return r.c.Do(second)
}

func TestReplayThroughSDK(t *testing.T) {
	s := startServer(t)
	fx := seedFixture(t, s, emulator.DefaultAccountID)
	for _, v1 := range []bool{false, true} {
		cfg := clientConfig(s, emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret)
		cfg.HttpClient = replayingCaller{c: &http.Client{}}
		if v1 {
			cfg.SignatureAlgorithm = tea.String("v2")
		}
		_, err := typedClient(t, cfg).AttachApiProduct(attachReq("replayed", fx.apiID, "RELEASE"))
		wantErr(t, err, "SignatureNonceUsed", 400)
	}
	if got := s.RequestCount("AttachApiProduct", "OK"); got != 2 {
		t.Fatalf("first sends: %d OK, want 2", got)
	}
}

func TestFaultRateThroughHandler(t *testing.T) {
	const n, rate = 400, 0.25
	run := func() (int, []int) {
		s := startServer(t, emulator.WithRandSeed(7),
			emulator.WithFaults(emulator.Fault{Action: "DescribeApiProductApis", Kind: emulator.FaultServiceUnavailable, Rate: rate}))
		fx := seedFixture(t, s, emulator.DefaultAccountID)
		if _, err := defaultTyped(t, s).AttachApiProduct(attachReq("rated", fx.apiID, "RELEASE")); err != nil {
			t.Fatal(err)
		}
		h := s.Handler()
		failed := 0
		var which []int
		for i := range n {
			req := rawV3(t, s, "DescribeApiProductApis", url.Values{"ApiProductId": {"rated"}}, fmt.Sprintf("rate-%d", i))
			rec := httptestRecorder()
			h.ServeHTTP(rec, req)
			switch rec.Code {
			case 200:
			case 503:
				failed++
				which = append(which, i)
			default:
				t.Fatalf("unexpected status %d", rec.Code)
			}
		}
		if got := s.RequestCount("DescribeApiProductApis", "ServiceUnavailable"); got != failed {
			t.Fatalf("RequestCount = %d, observed %d", got, failed)
		}
		if got := s.RequestCount("AttachApiProduct", "ServiceUnavailable"); got != 0 {
			t.Fatalf("fault fired on another action: %d", got)
		}
		return failed, which
	}
	failed, first := run()
	// Binomial(400, 0.25): mean 100, sd ~8.7; ±5 sd.
	if failed < 57 || failed > 143 {
		t.Fatalf("%d of %d failed at rate %.2f", failed, n, rate)
	}
	if _, second := run(); !reflect.DeepEqual(first, second) {
		t.Fatalf("same seed, different faults")
	}
}

func httptestRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

// Unknown action names are client-chosen: past a bound they share one counter instead of growing the
// counters without limit, and every such request is still counted.
func TestUnknownActionCountersAreBounded(t *testing.T) {
	s := startServer(t)
	h := s.Handler()
	const n = 300
	for i := range n {
		rec := httptestRecorder()
		h.ServeHTTP(rec, rawV3(t, s, fmt.Sprintf("NoSuchAction%d", i), url.Values{}, fmt.Sprintf("unknown-%d", i)))
		if rec.Code != 404 {
			t.Fatalf("unknown action %d: status %d", i, rec.Code)
		}
	}
	if got := s.RequestCount("", "InvalidAction.NotFound"); got != n {
		t.Fatalf("RequestCount(any, InvalidAction.NotFound) = %d, want %d", got, n)
	}
	if got := s.RequestCount("NoSuchAction0", "InvalidAction.NotFound"); got != 1 {
		t.Fatalf("first unknown action counted %d times under its name, want 1", got)
	}
	if got := s.RequestCount("NoSuchAction299", ""); got != 0 {
		t.Fatalf("unknown action past the bound has its own counter (%d)", got)
	}
	if got := s.RequestCount("(other)", "InvalidAction.NotFound"); got != n-256 {
		t.Fatalf(`RequestCount("(other)") = %d, want %d`, got, n-256)
	}
}
