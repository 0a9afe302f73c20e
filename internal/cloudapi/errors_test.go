package cloudapi

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"
)

// sdkErr builds the *tea.SDKError darabonba v2.1.14 returns for an error response: it converts
// its ClientError/ServerError/ThrottlingError with dara.TeaSDKError, exactly like this.
func sdkErr(status int, code, msg, reqID string) error {
	body := map[string]interface{}{"Code": code, "Message": msg, "RequestId": reqID, "HostId": "apigateway.cn-hangzhou.aliyuncs.com"}
	sdkMsg := fmt.Sprintf("code: %d, %s request id: %s", status, msg, reqID)
	var raw error
	switch {
	case code == "Throttling" || strings.HasPrefix(code, "Throttling."):
		raw = &openapi.ThrottlingError{StatusCode: dara.Int(status), Code: dara.String(code), Message: dara.String(sdkMsg), Data: body, RequestId: dara.String(reqID), RetryAfter: dara.Int64(1200)}
	case status < 500:
		raw = &openapi.ClientError{StatusCode: dara.Int(status), Code: dara.String(code), Message: dara.String(sdkMsg), Data: body, RequestId: dara.String(reqID)}
	default:
		raw = &openapi.ServerError{StatusCode: dara.Int(status), Code: dara.String(code), Message: dara.String(sdkMsg), Data: body, RequestId: dara.String(reqID)}
	}
	return dara.TeaSDKError(raw)
}

func TestSDKConversionReallyYieldsTeaSDKError(t *testing.T) {
	// Guards the premise of sdkErr: if a future SDK stops returning *tea.SDKError, this fails.
	err := sdkErr(404, "NotFoundApi", "x", "R-1")
	var te *tea.SDKError
	if !errors.As(err, &te) || tea.StringValue(te.Code) != "NotFoundApi" || tea.IntValue(te.StatusCode) != 404 {
		t.Fatalf("got %T %#v", err, err)
	}
}

func TestClassification(t *testing.T) {
	dnsNotFound := &net.DNSError{Err: "no such host", Name: "nope.invalid", IsNotFound: true}
	cases := []struct {
		name                           string
		err                            error
		notFound, throttled, retryable bool
		code, requestID                string
	}{
		{name: "nil", err: nil},
		{name: "NotFoundApi 404", err: sdkErr(404, "NotFoundApi", "The API does not exist", "R-1"), notFound: true, code: "NotFoundApi", requestID: "R-1"},
		{name: "NotFoundApiProduct 404", err: sdkErr(404, "NotFoundApiProduct", "no product", "R-2"), notFound: true, code: "NotFoundApiProduct", requestID: "R-2"},
		{name: "NotFound code with 400", err: sdkErr(400, "NotFoundApiGroup", "no group", "R-3"), notFound: true, code: "NotFoundApiGroup", requestID: "R-3"},
		{name: "x.NotFound code", err: sdkErr(400, "Product.NotFound", "gone", "R-4"), notFound: true, code: "Product.NotFound", requestID: "R-4"},
		// A 404 without a CloudAPI code is a proxy's or load balancer's answer, not the service's:
		// never "not found", worth another attempt.
		{name: "plain 404 without code", err: tea.NewSDKError(map[string]interface{}{"statusCode": 404, "message": "code: 404,  request id: "}), retryable: true},
		{name: "plain 408 without code", err: tea.NewSDKError(map[string]interface{}{"statusCode": 408, "message": "code: 408,  request id: "}), retryable: true},
		{name: "plain 400 without code", err: tea.NewSDKError(map[string]interface{}{"statusCode": 400, "message": "code: 400,  request id: "})},
		{name: "ConcurrencyLockTimeout 400", err: sdkErr(400, "ConcurrencyLockTimeout", "lock", "R-23"), retryable: true, code: "ConcurrencyLockTimeout", requestID: "R-23"},
		{name: "ConcurrencyLockTimeout 409", err: sdkErr(409, "ConcurrencyLockTimeout", "lock", "R-24"), retryable: true, code: "ConcurrencyLockTimeout", requestID: "R-24"},
		{name: "InvalidAccessKeyId.NotFound is auth", err: sdkErr(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.", "R-5"), code: "InvalidAccessKeyId.NotFound", requestID: "R-5"},
		{name: "InvalidAction.NotFound is config", err: sdkErr(404, "InvalidAction.NotFound", "Specified api is not found", "R-6"), code: "InvalidAction.NotFound", requestID: "R-6"},
		{name: "SignatureDoesNotMatch", err: sdkErr(400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation.", "R-7"), code: "SignatureDoesNotMatch", requestID: "R-7"},
		{name: "InvalidParameter", err: sdkErr(400, "InvalidParameter", "bad", "R-8"), code: "InvalidParameter", requestID: "R-8"},
		{name: "Throttling", err: sdkErr(400, "Throttling", "flow control", "R-9"), throttled: true, retryable: true, code: "Throttling", requestID: "R-9"},
		{name: "Throttling.User", err: sdkErr(400, "Throttling.User", "user flow control", "R-10"), throttled: true, retryable: true, code: "Throttling.User", requestID: "R-10"},
		{name: "Throttling.Api", err: sdkErr(400, "Throttling.Api", "api flow control", "R-11"), throttled: true, retryable: true, code: "Throttling.Api", requestID: "R-11"},
		{name: "Rejected.Throttling", err: sdkErr(400, "Rejected.Throttling", "rejected", "R-12"), throttled: true, retryable: true, code: "Rejected.Throttling", requestID: "R-12"},
		{name: "ServiceUnavailable 503", err: sdkErr(503, "ServiceUnavailable", "try later", "R-13"), retryable: true, code: "ServiceUnavailable", requestID: "R-13"},
		{name: "InternalError 500", err: sdkErr(500, "InternalError", "oops", "R-14"), retryable: true, code: "InternalError", requestID: "R-14"},
		{name: "other 5xx", err: sdkErr(504, "GatewayTimeout", "slow", "R-15"), retryable: true, code: "GatewayTimeout", requestID: "R-15"},
		{name: "ServiceUnavailable with 400", err: sdkErr(400, "ServiceUnavailable", "busy", "R-16"), retryable: true, code: "ServiceUnavailable", requestID: "R-16"},
		{name: "wrapped SDK error", err: fmt.Errorf("reading: %w", sdkErr(404, "NotFoundApi", "x", "R-17")), notFound: true, code: "NotFoundApi", requestID: "R-17"},
		{name: "raw darabonba ThrottlingError", err: &openapi.ThrottlingError{StatusCode: dara.Int(400), Code: dara.String("Throttling.User"), Message: dara.String("code: 400, m request id: R-18"), RequestId: dara.String("R-18")}, throttled: true, retryable: true, code: "Throttling.User", requestID: "R-18"},
		{name: "raw darabonba ClientError 404", err: &openapi.ClientError{StatusCode: dara.Int(404), Code: dara.String("NotFoundApi"), Data: map[string]interface{}{"RequestId": "R-19", "Message": "m"}}, notFound: true, code: "NotFoundApi", requestID: "R-19"},
		{name: "raw darabonba ServerError", err: &openapi.ServerError{StatusCode: dara.Int(500), Code: dara.String("InternalError"), RequestId: dara.String("R-20")}, retryable: true, code: "InternalError", requestID: "R-20"},
		{name: "dara.SDKError", err: dara.NewSDKError(map[string]interface{}{"code": "NotFoundApi", "statusCode": 404, "message": "code: 404, gone request id: R-21"}), notFound: true, code: "NotFoundApi", requestID: "R-21"},
		{name: "dara.SDKError throttled", err: dara.NewSDKError(map[string]interface{}{"code": "Throttling", "statusCode": 400}), throttled: true, retryable: true, code: "Throttling"},
		{name: "SDK client-side ParameterMissing", err: dara.TeaSDKError(&openapi.ClientError{Code: dara.String("ParameterMissing"), Message: dara.String("'config.endpoint' can not be empty")}), code: "ParameterMissing"},
		{name: "NotFoundError", err: &NotFoundError{Kind: NotFoundAttachment, ProductID: "p", APIID: "a", StageName: "RELEASE"}, notFound: true},
		{name: "NotFoundError wrapping product 404", err: &NotFoundError{Kind: NotFoundProduct, Err: sdkErr(404, "NotFoundApiProduct", "x", "R-22")}, notFound: true, code: "NotFoundApiProduct", requestID: "R-22"},
		{name: "EOF via url.Error", err: &url.Error{Op: "Post", URL: "http://h/?a=1", Err: io.EOF}, retryable: true},
		{name: "unexpected EOF", err: fmt.Errorf("reading body: %w", io.ErrUnexpectedEOF), retryable: true},
		{name: "ECONNRESET", err: &url.Error{Op: "Post", URL: "http://h/", Err: &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}}, retryable: true},
		{name: "ECONNREFUSED", err: &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, retryable: true},
		{name: "flattened reset message", err: errors.New("read tcp 1.2.3.4:5->6.7.8.9:443: read: connection reset by peer"), retryable: true},
		{name: "flattened EOF message", err: errors.New(`Post "http://h/": EOF`), retryable: true},
		{name: "client timeout", err: &url.Error{Op: "Post", URL: "http://h/", Err: timeoutErr{}}, retryable: true},
		{name: "TLS unknown authority", err: &url.Error{Op: "Post", URL: "https://h/", Err: x509.UnknownAuthorityError{}}},
		{name: "DNS no such host", err: &url.Error{Op: "Post", URL: "https://h/", Err: &net.OpError{Op: "dial", Net: "tcp", Err: dnsNotFound}}},
		{name: "context canceled", err: context.Canceled},
		{name: "context deadline", err: context.DeadlineExceeded},
		{name: "random error", err: errors.New("something else")},
		// What the SDK returns for an HTML answer it cannot parse (a proxy's page).
		{name: "answer that is not JSON", err: &json.SyntaxError{Offset: 1}, retryable: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := IsNotFound(tc.err); got != tc.notFound {
				t.Errorf("IsNotFound = %v, want %v", got, tc.notFound)
			}
			if got := inspect(tc.err).isThrottled(); got != tc.throttled {
				t.Errorf("isThrottled = %v, want %v", got, tc.throttled)
			}
			if got := IsRetryable(tc.err); got != tc.retryable {
				t.Errorf("IsRetryable = %v, want %v", got, tc.retryable)
			}
			if got := ErrorCode(tc.err); got != tc.code {
				t.Errorf("ErrorCode = %q, want %q", got, tc.code)
			}
			if got := requestIDOf(tc.err); got != tc.requestID {
				t.Errorf("RequestID = %q, want %q", got, tc.requestID)
			}
			// Wrapping in APIError (what callers get) must classify the same way.
			if tc.err != nil {
				ae := newAPIError("DescribeApi", tc.err, &attemptProbe{}, 1)
				if IsNotFound(ae) != tc.notFound || inspect(ae).isThrottled() != tc.throttled || IsRetryable(ae) != tc.retryable || ErrorCode(ae) != tc.code {
					t.Errorf("APIError classification differs: nf=%v th=%v re=%v code=%q", IsNotFound(ae), inspect(ae).isThrottled(), IsRetryable(ae), ErrorCode(ae))
				}
			}
		})
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string {
	return "net/http: request canceled (Client.Timeout exceeded while awaiting headers)"
}
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestAPIErrorMessage(t *testing.T) {
	ae := newAPIError("AttachApiProduct", sdkErr(404, "NotFoundApi", "The specified API does not exist.", "REQ-42"), &attemptProbe{}, 3)
	want := "CloudAPI AttachApiProduct failed after 3 attempts: NotFoundApi: The specified API does not exist. (HTTP 404, RequestId: REQ-42)"
	if ae.Error() != want {
		t.Fatalf("got  %q\nwant %q", ae.Error(), want)
	}
	var te *tea.SDKError
	if !errors.As(ae, &te) {
		t.Fatal("APIError must unwrap to *tea.SDKError")
	}

	// The request URL's query (V1 would carry Signature there) never reaches the message.
	tr := newAPIError("DescribeApiProductApis", &url.Error{Op: "Post", URL: "http://h:1/?ApiProductId=p&Signature=abc", Err: io.EOF}, &attemptProbe{}, 1)
	if got := tr.Error(); got != "CloudAPI DescribeApiProductApis failed: connection error: Post http://h:1/: EOF" {
		t.Fatalf("transport message = %q", got)
	}

	// Throttling hint of a raw darabonba error is kept.
	th := newAPIError("X", &openapi.ThrottlingError{Code: dara.String("Throttling.User"), StatusCode: dara.Int(400), RetryAfter: dara.Int64(2500)}, &attemptProbe{}, 1)
	if th.RetryAfter != 2500*time.Millisecond {
		t.Fatalf("RetryAfter = %v", th.RetryAfter)
	}
}

func TestThrottlingTimeLeftHeader(t *testing.T) {
	for _, tc := range []struct {
		user, userAPI string
		want          time.Duration
	}{
		{"Limit:10,Remain:0,TimeLeft:650,Reset:0", "", 650 * time.Millisecond},
		{"Limit:10,Remain:0,TimeLeft:650", "TimeLeft:1200,Limit:1", 1200 * time.Millisecond},
		{"TimeLeft:abc", "", 0},
		{"", "", 0},
		{"TimeLeft:99999999999999", "", time.Hour},
	} {
		h := make(map[string][]string)
		if tc.user != "" {
			h["X-Ratelimit-User"] = []string{tc.user}
		}
		if tc.userAPI != "" {
			h["X-Ratelimit-User-Api"] = []string{tc.userAPI}
		}
		if got := throttlingTimeLeft(h); got != tc.want {
			t.Errorf("throttlingTimeLeft(%q, %q) = %v, want %v", tc.user, tc.userAPI, got, tc.want)
		}
	}
}

// A refusal from STS while credentials-go refreshes role credentials is a credential error, and
// says what STS answered; an untrusted certificate says how to trust it, and is not retried.
func TestSTSRefusalAndUntrustedCertificate(t *testing.T) {
	sts := fmt.Errorf("wrapped: %w", errors.New(`refresh session token failed: {"RequestId":"R-1","Code":"NoPermission","Message":"You are not authorized."}`))
	ae := newAPIError("DescribeApi", sts, &attemptProbe{}, 1)
	if !IsCredentialError(ae) || IsRetryable(ae) || IsNotFound(ae) {
		t.Fatalf("STS refusal: credential=%v retryable=%v notFound=%v", IsCredentialError(ae), IsRetryable(ae), IsNotFound(ae))
	}
	if want := "CloudAPI DescribeApi failed: obtaining credentials for assume_role failed: STS AssumeRole answered NoPermission: You are not authorized. (RequestId: R-1)"; ae.Error() != want {
		t.Fatalf("STS refusal renders as\n%s\nwant\n%s", ae, want)
	}
	cert := newAPIError("DescribeApi", &url.Error{Op: "Post", URL: "https://h:1/?x=1", Err: x509.UnknownAuthorityError{}}, &attemptProbe{}, 1)
	if IsRetryable(cert) || IsCredentialError(cert) || !strings.Contains(cert.Error(), "SSL_CERT_FILE") || !strings.Contains(cert.Error(), "not trusted") {
		t.Fatalf("untrusted certificate: retryable=%v, %s", IsRetryable(cert), cert)
	}
}

// Forbidden and routing codes are neither not-found nor credential errors: the provider only warns
// when it may not describe an API it is about to attach.
func TestMisdirectedIsNotCredentialError(t *testing.T) {
	for _, code := range []string{"Forbidden", "Forbidden.RAM", "InvalidRegionId", "InvalidEndpoint.NotFound"} {
		err := sdkErr(404, code, "m", "R")
		if IsNotFound(err) || IsCredentialError(err) {
			t.Errorf("%s: notFound=%v credential=%v, want neither", code, IsNotFound(err), IsCredentialError(err))
		}
	}
	if !IsCredentialError(sdkErr(400, "InvalidTimeStamp.Expired", "m", "R")) {
		t.Error("InvalidTimeStamp.Expired is not a credential error")
	}
}

// One not-found type speaks for every kind in the words each had before, and the service's own
// not-found codes have the kind they name.
func TestNotFoundKinds(t *testing.T) {
	svc := sdkErr(404, "NotFoundApiProduct", "no product", "R-30")
	for _, tc := range []struct {
		err  error
		kind NotFoundKind
		text string
	}{
		{&NotFoundError{Kind: NotFoundAttachment, ProductID: "p", APIID: "a", StageName: "PRE"}, NotFoundAttachment, `API "a" in stage PRE is not attached to API product "p"`},
		{&NotFoundError{Kind: NotFoundGrant, ProductID: "p", AppID: 7}, NotFoundGrant, `app 7 is not authorized on API product "p"`},
		{&NotFoundError{Kind: NotFoundApp, AppID: 7, RequestID: "R-31"}, NotFoundApp, `app 7 not found (RequestId: R-31)`},
		{&NotFoundError{Kind: NotFoundProduct, ProductID: "p", Err: svc}, NotFoundProduct, `API product "p" not found (RequestId: R-30)`},
		{&NotFoundError{Kind: NotFoundProduct, ProductID: "p", APIID: "a", StageName: "PRE", Err: svc}, NotFoundProduct, `API product "p" not found (looking for API "a" in stage PRE) (RequestId: R-30)`},
		{&NotFoundError{Kind: NotFoundProduct, ProductID: "p", AppID: 7}, NotFoundProduct, `API product "p" not found (looking for the authorization of app 7)`},
		{svc, NotFoundProduct, ""},
		{sdkErr(400, "NotFoundApp", "no app", "R-32"), NotFoundApp, ""},
		{sdkErr(404, "NotFoundApi", "no api", "R-33"), NotFoundOther, ""},
	} {
		if tc.text != "" && tc.err.Error() != tc.text {
			t.Errorf("Error() = %q, want %q", tc.err.Error(), tc.text)
		}
		for _, k := range []NotFoundKind{NotFoundOther, NotFoundProduct, NotFoundAttachment, NotFoundGrant, NotFoundApp} {
			if got := IsNotFoundKind(tc.err, k); got != (k == tc.kind) {
				t.Errorf("IsNotFoundKind(%v, %d) = %v", tc.err, k, got)
			}
		}
		if !IsNotFound(tc.err) || IsRetryable(tc.err) {
			t.Errorf("%v: IsNotFound %v, IsRetryable %v", tc.err, IsNotFound(tc.err), IsRetryable(tc.err))
		}
	}
}
