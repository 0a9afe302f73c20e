package emulator_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	cloudapi "github.com/alibabacloud-go/cloudapi-20160714/v5/client"
	openapiutil "github.com/alibabacloud-go/darabonba-openapi/v2/utils"
	"github.com/alibabacloud-go/tea/tea"
	legacyerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator"
	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator/sdktest"
)

// startServer starts an emulator that is closed when the test ends.
func startServer(t testing.TB, opts ...emulator.Option) *emulator.Server {
	t.Helper()
	s, err := emulator.Start(opts...)
	if err != nil {
		t.Fatalf("emulator.Start: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// twoAccounts starts an emulator with two accounts, alice and bob (no default account), and returns
// it, both accounts and a typed client for each.
func twoAccounts(t *testing.T) (s *emulator.Server, alice, bob emulator.Account, a, b *cloudapi.Client) {
	t.Helper()
	alice = emulator.Account{ID: "1111111111111111", AccessKeyID: "LTAI5tAlice", AccessKeySecret: "alice-secret"}
	bob = emulator.Account{ID: "2222222222222222", AccessKeyID: "LTAI5tBob", AccessKeySecret: "bob-secret"}
	s = startServer(t, emulator.WithAccount(alice), emulator.WithAccount(bob))
	a = typedClient(t, clientConfig(s, alice.AccessKeyID, alice.AccessKeySecret))
	b = typedClient(t, clientConfig(s, bob.AccessKeyID, bob.AccessKeySecret))
	return s, alice, bob, a, b
}

// clientConfig is the SDK configuration for a local emulator: endpoint without scheme, HTTP.
func clientConfig(s *emulator.Server, akid, secret string) *openapiutil.Config {
	return sdktest.Config(s.Endpoint(), akid, secret, emulator.DefaultRegion)
}

// typedClient is the official typed CloudAPI client (V3 signatures unless cfg says otherwise).
var typedClient = sdktest.Typed

func defaultTyped(t testing.TB, s *emulator.Server) *cloudapi.Client {
	return typedClient(t, clientConfig(s, emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret))
}

func v1Typed(t testing.TB, s *emulator.Server) *cloudapi.Client {
	cfg := clientConfig(s, emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret)
	cfg.SignatureAlgorithm = tea.String("v2")
	return typedClient(t, cfg)
}

// errCodeStatus extracts (Code, HTTP status) from an error of either SDK.
func errCodeStatus(t testing.TB, err error) (string, int) {
	t.Helper()
	if err == nil {
		t.Fatalf("expected an error, got success")
	}
	var te *tea.SDKError
	if errors.As(err, &te) {
		return tea.StringValue(te.Code), tea.IntValue(te.StatusCode)
	}
	var le legacyerrors.Error
	if se := (*legacyerrors.ServerError)(nil); errors.As(err, &se) {
		return se.ErrorCode(), se.HttpStatus()
	}
	if errors.As(err, &le) {
		return le.ErrorCode(), 0
	}
	t.Fatalf("unexpected error type %T: %v", err, err)
	return "", 0
}

// sdkCall is a call of an SDK method with req as a test case's func() error.
func sdkCall[Req, Resp any](call func(Req) (Resp, error), req Req) func() error {
	return func() error {
		_, err := call(req)
		return err
	}
}

// wantErrMentioning asserts a typed-SDK error with code and status whose body mentions detail.
func wantErrMentioning(t testing.TB, err error, code string, status int, detail string) {
	t.Helper()
	wantErr(t, err, code, status)
	var te *tea.SDKError
	if errors.As(err, &te) && !strings.Contains(tea.StringValue(te.Data), detail) {
		t.Fatalf("error body %s does not mention %q", tea.StringValue(te.Data), detail)
	}
}

// wantErr asserts an SDK error with code and status.
func wantErr(t testing.TB, err error, code string, status int) {
	t.Helper()
	gotCode, gotStatus := errCodeStatus(t, err)
	if gotCode != code || gotStatus != status {
		t.Fatalf("error = %s/%d, want %s/%d (%v)", gotCode, gotStatus, code, status, err)
	}
}

// raceFreeCaller replaces tea's shared per-endpoint HTTP client. tea v1.5.3 dara.DoRequest writes
// that shared client's Timeout (under its own lock) while other goroutines' http.Client.Do read it
// (without the lock): a data race whenever two goroutines call the same endpoint, even through
// different SDK clients. Config.HttpClient bypasses the shared client.
type raceFreeCaller struct{ c *http.Client }

func (r raceFreeCaller) Call(req *http.Request, _ *http.Transport) (*http.Response, error) {
	return r.c.Do(req)
}

// concurrentTyped is a typed V3 client safe to use from many goroutines under -race.
func concurrentTyped(t testing.TB, s *emulator.Server) *cloudapi.Client {
	cfg := clientConfig(s, emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret)
	cfg.HttpClient = raceFreeCaller{c: &http.Client{Timeout: 30 * time.Second}}
	return typedClient(t, cfg)
}
