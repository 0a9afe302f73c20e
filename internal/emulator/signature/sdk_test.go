package signature

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	cloudapi "github.com/alibabacloud-go/cloudapi-20160714/v5/client"
	openapiutil "github.com/alibabacloud-go/darabonba-openapi/v2/utils"
	"github.com/alibabacloud-go/tea/dara"
	legacy "github.com/aliyun/alibaba-cloud-sdk-go/services/cloudapi"
)

const (
	testAK     = "LTAI5tSignatureTestKey"
	testSecret = "sig-test-secret-0123456789"
	testToken  = "CAIS-sts-token/with+odd=chars"
)

// awkward exercises every percent-encoding fixup the SDKs apply: space, '*',
// '~', '/', '+', '%', '&', '=', and multi-byte UTF-8.
const awkward = "a b*c~d/e+f%g&h=i ü 中文 🙂"

// captured is one request exactly as the server received it.
type captured struct {
	req  *http.Request
	body []byte
}

// captureServer records every request and answers like a successful RPC call.
type captureServer struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []captured
}

func newCaptureServer(t *testing.T) *captureServer {
	t.Helper()
	cs := &captureServer{}
	cs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		cs.mu.Lock()
		cs.reqs = append(cs.reqs, captured{req: r.Clone(context.Background()), body: body})
		cs.mu.Unlock()
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
		_, _ = io.WriteString(w, `{"RequestId":"x"}`)
	}))
	t.Cleanup(cs.Close)
	return cs
}

func (cs *captureServer) endpoint() string { return strings.TrimPrefix(cs.URL, "http://") }

func (cs *captureServer) only(t *testing.T) captured {
	t.Helper()
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if len(cs.reqs) != 1 {
		t.Fatalf("server captured %d requests, want 1", len(cs.reqs))
	}
	return cs.reqs[0]
}

func typedClient(t *testing.T, endpoint, algorithm, token string) *cloudapi.Client {
	t.Helper()
	cfg := &openapiutil.Config{
		AccessKeyId:     dara.String(testAK),
		AccessKeySecret: dara.String(testSecret),
		Endpoint:        dara.String(endpoint),
		Protocol:        dara.String("HTTP"),
	}
	if algorithm != "" {
		cfg.SignatureAlgorithm = dara.String(algorithm)
	}
	if token != "" {
		cfg.SecurityToken = dara.String(token)
	}
	c, err := cloudapi.NewClient(cfg)
	if err != nil {
		t.Fatalf("cloudapi.NewClient: %v", err)
	}
	return c
}

func typedAttach(t *testing.T, endpoint, algorithm, token string) error {
	_, err := typedClient(t, endpoint, algorithm, token).AttachApiProduct(&cloudapi.AttachApiProductRequest{
		ApiProductId: dara.String(awkward),
		Apis: []*cloudapi.AttachApiProductRequestApis{
			{ApiId: dara.String("a1"), StageName: dara.String("RELEASE")},
			{ApiId: dara.String("a2~x"), StageName: dara.String("TEST")},
		},
	})
	return err
}

func typedCreateAPI(t *testing.T, endpoint, algorithm string) error {
	_, err := typedClient(t, endpoint, algorithm, "").CreateApi(&cloudapi.CreateApiRequest{
		GroupId:      dara.String("g1"),
		ApiName:      dara.String("api_1"),
		Visibility:   dara.String("PRIVATE"),
		Description:  dara.String(awkward),
		ResultSample: dara.String("body " + awkward),
	})
	return err
}

func legacyClient(t *testing.T, token string) *legacy.Client {
	t.Helper()
	var (
		c   *legacy.Client
		err error
	)
	if token != "" {
		c, err = legacy.NewClientWithStsToken("cn-hangzhou", testAK, testSecret, token)
	} else {
		c, err = legacy.NewClientWithAccessKey("cn-hangzhou", testAK, testSecret)
	}
	if err != nil {
		t.Fatalf("legacy client: %v", err)
	}
	return c
}

func legacyAttach(t *testing.T, endpoint, token string) error {
	req := legacy.CreateAttachApiProductRequest()
	req.Scheme = "http"
	req.Domain = endpoint
	req.ApiProductId = awkward
	req.Apis = &[]legacy.AttachApiProductApis{{ApiId: "a1", StageName: "RELEASE"}, {ApiId: "a2~x", StageName: "TEST"}}
	_, err := legacyClient(t, token).AttachApiProduct(req)
	return err
}

func legacyCreateAPI(t *testing.T, endpoint string) error {
	req := legacy.CreateCreateApiRequest()
	req.Scheme = "http"
	req.Domain = endpoint
	req.GroupId = "g1"
	req.ApiName = "api_1"
	req.Visibility = "PRIVATE"
	req.Description = awkward
	req.ResultSample = "body " + awkward
	_, err := legacyClient(t, "").CreateApi(req)
	return err
}

var attachParams = map[string]string{
	"ApiProductId":     awkward,
	"Apis.1.ApiId":     "a1",
	"Apis.1.StageName": "RELEASE",
	"Apis.2.ApiId":     "a2~x",
	"Apis.2.StageName": "TEST",
	"Action":           "", // must not leak into Params
	"Signature":        "",
	"Timestamp":        "",
	"AccessKeyId":      "",
	"SignatureNonce":   "",
	"SignatureMethod":  "",
	"SignatureVersion": "",
	"Format":           "",
	"Version":          "",
}

var createAPIParams = map[string]string{
	"GroupId":      "g1",
	"ApiName":      "api_1",
	"Visibility":   "PRIVATE",
	"Description":  awkward,
	"ResultSample": "body " + awkward,
	"Signature":    "",
}

// TestSDKSignaturesVerify drives the official SDKs against a capturing server
// and checks that Parse+Verify accept exactly what they sent, and reject it
// with a wrong secret or after tampering.
func TestSDKSignaturesVerify(t *testing.T) {
	tests := []struct {
		name       string
		send       func(t *testing.T, endpoint string) error
		style      Style
		action     string
		params     map[string]string // "" value = must be absent
		token      string
		region     string
		bodyParams bool // the SDK put business params in a form body
	}{
		{
			name:   "typed V3 AttachApiProduct (query)",
			send:   func(t *testing.T, ep string) error { return typedAttach(t, ep, "", "") },
			style:  StyleV3,
			action: "AttachApiProduct",
			params: attachParams,
		},
		{
			name:       "typed V3 CreateApi (query + form body)",
			send:       func(t *testing.T, ep string) error { return typedCreateAPI(t, ep, "") },
			style:      StyleV3,
			action:     "CreateApi",
			params:     createAPIParams,
			bodyParams: true,
		},
		{
			name:   "typed V3 STS token",
			send:   func(t *testing.T, ep string) error { return typedAttach(t, ep, "", testToken) },
			style:  StyleV3,
			action: "AttachApiProduct",
			params: attachParams,
			token:  testToken,
		},
		{
			name:   "typed v2 (V1) AttachApiProduct (query)",
			send:   func(t *testing.T, ep string) error { return typedAttach(t, ep, "v2", "") },
			style:  StyleV1,
			action: "AttachApiProduct",
			params: attachParams,
		},
		{
			name:       "typed v2 (V1) CreateApi (query + form body)",
			send:       func(t *testing.T, ep string) error { return typedCreateAPI(t, ep, "v2") },
			style:      StyleV1,
			action:     "CreateApi",
			params:     createAPIParams,
			bodyParams: true,
		},
		{
			name:   "typed v2 (V1) STS token",
			send:   func(t *testing.T, ep string) error { return typedAttach(t, ep, "v2", testToken) },
			style:  StyleV1,
			action: "AttachApiProduct",
			params: attachParams,
			token:  testToken,
		},
		{
			name:   "legacy V1 AttachApiProduct (form content type, RegionId)",
			send:   func(t *testing.T, ep string) error { return legacyAttach(t, ep, "") },
			style:  StyleV1,
			action: "AttachApiProduct",
			params: attachParams,
			region: "cn-hangzhou",
		},
		{
			name:       "legacy V1 CreateApi (query + form body)",
			send:       func(t *testing.T, ep string) error { return legacyCreateAPI(t, ep) },
			style:      StyleV1,
			action:     "CreateApi",
			params:     createAPIParams,
			region:     "cn-hangzhou",
			bodyParams: true,
		},
		{
			name:   "legacy V1 STS token",
			send:   func(t *testing.T, ep string) error { return legacyAttach(t, ep, testToken) },
			style:  StyleV1,
			action: "AttachApiProduct",
			params: attachParams,
			token:  testToken,
			region: "cn-hangzhou",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newCaptureServer(t)
			if err := tc.send(t, srv.endpoint()); err != nil {
				t.Fatalf("SDK call: %v", err)
			}
			c := srv.only(t)
			if tc.bodyParams && len(c.body) == 0 {
				t.Fatalf("expected the SDK to send a form body")
			}

			got, err := Parse(c.req, c.body)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if err := got.Verify(testSecret); err != nil {
				t.Fatalf("Verify with the right secret: %v", err)
			}
			if got.Style != tc.style {
				t.Errorf("Style = %v, want %v", got.Style, tc.style)
			}
			if got.AccessKeyID != testAK {
				t.Errorf("AccessKeyID = %q", got.AccessKeyID)
			}
			if got.Action != tc.action || got.Version != "2016-07-14" {
				t.Errorf("Action/Version = %q/%q", got.Action, got.Version)
			}
			if got.Nonce == "" || got.Timestamp.IsZero() {
				t.Errorf("Nonce %q / Timestamp %v not set", got.Nonce, got.Timestamp)
			}
			if got.SecurityToken != tc.token {
				t.Errorf("SecurityToken = %q, want %q", got.SecurityToken, tc.token)
			}
			if got.RegionID != tc.region {
				t.Errorf("RegionID = %q, want %q", got.RegionID, tc.region)
			}
			for k, want := range tc.params {
				if want == "" {
					if _, ok := got.Params[k]; ok {
						t.Errorf("protocol parameter %q leaked into Params", k)
					}
					continue
				}
				if v := got.Params[k]; len(v) != 1 || v[0] != want {
					t.Errorf("Params[%q] = %q, want [%q]", k, v, want)
				}
			}
			if _, ok := got.Params["SecurityToken"]; ok && tc.style == StyleV1 && tc.token != "" {
				t.Errorf("V1 SecurityToken left in Params")
			}

			var se *Error
			if err := got.Verify(testSecret + "x"); !errors.As(err, &se) || se.Code != "SignatureDoesNotMatch" || se.Status != 400 {
				t.Fatalf("Verify with wrong secret = %v, want SignatureDoesNotMatch/400", err)
			}
			if strings.Contains(err2str(got.Verify("nope")), testSecret) {
				t.Errorf("error leaks the secret")
			}

			// Tamper with one business value wherever the SDK put it.
			tampered := tamper(t, c, tc.bodyParams)
			got2, err := Parse(tampered.req, tampered.body)
			if err != nil {
				t.Fatalf("Parse tampered: %v", err)
			}
			if err := got2.Verify(testSecret); !errors.As(err, &se) || se.Code != "SignatureDoesNotMatch" {
				t.Fatalf("Verify tampered = %v, want SignatureDoesNotMatch", err)
			}
		})
	}
}

func err2str(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// tamper returns a copy of c with one business parameter changed: in the
// form body when inBody, else in the query.
func tamper(t *testing.T, c captured, inBody bool) captured {
	t.Helper()
	r := c.req.Clone(context.Background())
	body := append([]byte(nil), c.body...)
	if inBody {
		f, err := url.ParseQuery(string(body))
		if err != nil {
			t.Fatal(err)
		}
		f.Set("ResultSample", f.Get("ResultSample")+"!")
		body = []byte(f.Encode())
		return captured{req: r, body: body}
	}
	q := r.URL.Query()
	if q.Get("ApiProductId") == "" {
		t.Fatalf("no ApiProductId in query %q", r.URL.RawQuery)
	}
	q.Set("ApiProductId", "evil")
	r.URL.RawQuery = q.Encode()
	return captured{req: r, body: body}
}
