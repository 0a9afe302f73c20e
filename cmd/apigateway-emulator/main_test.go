package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator/sdktest"

	cloudapi "github.com/alibabacloud-go/cloudapi-20160714/v5/client"
	"github.com/alibabacloud-go/tea/dara"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator"
)

// waitLimit bounds every wait for the emulator, so a hung start fails the test instead of the run.
const waitLimit = 30 * time.Second

var listenLine = regexp.MustCompile(`^listening on https?://(127\.0\.0\.1:[0-9]+)$`)

// running is one in-process run() of the emulator.
type running struct {
	endpoint string
	header   []string // stdout lines after the first, up to the first blank read
	stdout   *emulator.LogBuffer
	stderr   *emulator.LogBuffer
	cancel   context.CancelFunc
	finished chan struct{} // closed when run returned; err is then set
	err      error
}

// startRun runs the command in-process and waits for the listening line and the credential lines.
func startRun(t *testing.T, args ...string) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	r := &running{stdout: &emulator.LogBuffer{}, stderr: &emulator.LogBuffer{}, cancel: cancel, finished: make(chan struct{})}
	go func() {
		r.err = run(ctx, args, pw, r.stderr)
		pw.CloseWithError(io.EOF)
		close(r.finished)
	}()
	lines := make(chan string, 64)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			_, _ = r.stdout.Write([]byte(sc.Text() + "\n"))
			lines <- sc.Text()
		}
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-r.finished:
		case <-time.After(waitLimit):
			t.Error("emulator did not stop")
		}
	})
	select {
	case first, ok := <-lines:
		if !ok {
			<-r.finished
			t.Fatalf("emulator exited before listening: %v\nstderr: %s", r.err, r.stderr)
		}
		m := listenLine.FindStringSubmatch(first)
		if m == nil {
			t.Fatalf("first stdout line = %q, want %q", first, "listening on http://127.0.0.1:PORT")
		}
		r.endpoint = m[1]
	case <-time.After(waitLimit):
		t.Fatal("no listening line")
	}
	// The credential lines are printed right after; collect the three that always appear.
	for len(r.header) < 3 {
		select {
		case l := <-lines:
			r.header = append(r.header, l)
		case <-time.After(waitLimit):
			t.Fatalf("credential lines missing; got %q", r.header)
		}
	}
	go func() {
		for range lines {
		}
	}()
	return r
}

// stop cancels the run like SIGTERM does and returns run's result.
func (r *running) stop(t *testing.T) error {
	t.Helper()
	r.cancel()
	select {
	case <-r.finished:
		return r.err
	case <-time.After(waitLimit):
		t.Fatal("emulator did not stop after cancel")
		return nil
	}
}

func sdkClient(t *testing.T, endpoint, keyID, secret string) *cloudapi.Client {
	t.Helper()
	return sdktest.Typed(t, sdktest.Config(endpoint, keyID, secret, "cn-hangzhou"))
}

func clearCredentialEnv(t *testing.T) {
	t.Setenv(envAccessKeyID, "")
	t.Setenv(envAccessKeySecret, "")
}

var hex32 = regexp.MustCompile(`^[0-9a-f]{32}$`)

func TestRunServesSignedRequestsAndStopsOnCancel(t *testing.T) {
	clearCredentialEnv(t)
	const secret = "given-secret-must-not-be-printed"
	r := startRun(t, "--listen", "127.0.0.1:0", "--access-key-id", "LTAI5tGivenKey", "--access-key-secret", secret)
	if r.header[0] != "access key id: LTAI5tGivenKey" || r.header[1] != "access key secret: (as given)" {
		t.Fatalf("credential lines = %q", r.header)
	}
	c := sdkClient(t, r.endpoint, "LTAI5tGivenKey", secret)
	resp, err := c.CreateApiGroup(&cloudapi.CreateApiGroupRequest{GroupName: dara.String("cli_group")})
	if err != nil {
		t.Fatalf("CreateApiGroup: %v", err)
	}
	if id := dara.StringValue(resp.Body.GroupId); !hex32.MatchString(id) {
		t.Fatalf("GroupId = %q", id)
	}
	_, err = sdkClient(t, r.endpoint, "LTAI5tGivenKey", "wrong").CreateApiGroup(
		&cloudapi.CreateApiGroupRequest{GroupName: dara.String("other_group")})
	if code := sdktest.Code(err); code != "SignatureDoesNotMatch" {
		t.Fatalf("wrong secret: code %q (%v), want SignatureDoesNotMatch", code, err)
	}
	if err := r.stop(t); err != nil {
		t.Fatalf("run returned %v after cancel, want nil", err)
	}
	log := r.stderr.String()
	if !strings.Contains(log, "CreateApiGroup") || !strings.Contains(log, "SignatureDoesNotMatch") {
		t.Errorf("request log lacks the requests:\n%s", log)
	}
	for name, out := range map[string]string{"stdout": r.stdout.String(), "stderr": log} {
		if strings.Contains(out, secret) || strings.Contains(out, "wrong") {
			t.Errorf("%s contains a secret:\n%s", name, out)
		}
	}
}

func TestRunGeneratesAndPrintsSecretWhenNoneGiven(t *testing.T) {
	clearCredentialEnv(t)
	r := startRun(t, "--listen", "127.0.0.1:0")
	if r.header[0] != "access key id: "+emulator.DefaultAccessKeyID {
		t.Fatalf("key line = %q", r.header[0])
	}
	m := regexp.MustCompile(`^access key secret: ([0-9a-f]{30}) \(generated`).FindStringSubmatch(r.header[1])
	if m == nil {
		t.Fatalf("secret line = %q, want the generated secret", r.header[1])
	}
	if m[1] == emulator.DefaultAccessKeySecret {
		t.Fatal("generated secret is the public default")
	}
	c := sdkClient(t, r.endpoint, emulator.DefaultAccessKeyID, m[1])
	if _, err := c.CreateApiGroup(&cloudapi.CreateApiGroupRequest{GroupName: dara.String("gen_group")}); err != nil {
		t.Fatalf("request with the printed secret: %v", err)
	}
	// Two starts must not share a secret.
	r2 := startRun(t, "--listen", "127.0.0.1:0")
	if r2.header[1] == r.header[1] {
		t.Fatal("two runs generated the same secret")
	}
}

func TestRunReadsCredentialsFromEnvironment(t *testing.T) {
	t.Setenv(envAccessKeyID, "LTAI5tFromEnv")
	t.Setenv(envAccessKeySecret, "env-secret")
	r := startRun(t, "--listen", "127.0.0.1:0")
	if r.header[0] != "access key id: LTAI5tFromEnv" || r.header[1] != "access key secret: (as given)" {
		t.Fatalf("credential lines = %q", r.header)
	}
	c := sdkClient(t, r.endpoint, "LTAI5tFromEnv", "env-secret")
	if _, err := c.CreateApiGroup(&cloudapi.CreateApiGroupRequest{GroupName: dara.String("env_group")}); err != nil {
		t.Fatal(err)
	}
	// Flags win over the environment.
	r2 := startRun(t, "--listen", "127.0.0.1:0", "--access-key-id", "LTAI5tFlag", "--access-key-secret", "flag-secret")
	if r2.header[0] != "access key id: LTAI5tFlag" {
		t.Fatalf("key line = %q", r2.header[0])
	}
	_, err := sdkClient(t, r2.endpoint, "LTAI5tFromEnv", "env-secret").CreateApiGroup(
		&cloudapi.CreateApiGroupRequest{GroupName: dara.String("env_group")})
	if code := sdktest.Code(err); code != "InvalidAccessKeyId.NotFound" {
		t.Fatalf("env key after flag override: code %q (%v)", code, err)
	}
}

// createAttached creates group → API → deployment → attachment through the SDK and returns the API id.
func createAttached(t *testing.T, c *cloudapi.Client, product string) string {
	t.Helper()
	g, err := c.CreateApiGroup(&cloudapi.CreateApiGroupRequest{GroupName: dara.String("persist_group")})
	if err != nil {
		t.Fatalf("CreateApiGroup: %v", err)
	}
	a, err := c.CreateApi(&cloudapi.CreateApiRequest{
		GroupId:       g.Body.GroupId,
		ApiName:       dara.String("persist_api"),
		Visibility:    dara.String("PUBLIC"),
		AuthType:      dara.String("APP"),
		RequestConfig: dara.String(`{"RequestProtocol":"HTTP","RequestHttpMethod":"GET","RequestPath":"/persist","BodyFormat":"FORM","PostBodyDescription":""}`),
		ServiceConfig: dara.String(`{"ServiceProtocol":"HTTP","ServiceHttpMethod":"GET","ServiceAddress":"http://example.com","ServiceTimeout":"1000","ServicePath":"/persist"}`),
		ResultType:    dara.String("JSON"),
		ResultSample:  dara.String("{}"),
	})
	if err != nil {
		t.Fatalf("CreateApi: %v", err)
	}
	if _, err := c.DeployApi(&cloudapi.DeployApiRequest{ApiId: a.Body.ApiId, GroupId: g.Body.GroupId,
		StageName: dara.String("RELEASE"), Description: dara.String("first")}); err != nil {
		t.Fatalf("DeployApi: %v", err)
	}
	if _, err := c.AttachApiProduct(&cloudapi.AttachApiProductRequest{ApiProductId: dara.String(product),
		Apis: []*cloudapi.AttachApiProductRequestApis{{ApiId: a.Body.ApiId, StageName: dara.String("RELEASE")}}}); err != nil {
		t.Fatalf("AttachApiProduct: %v", err)
	}
	return dara.StringValue(a.Body.ApiId)
}

func productAPIs(t *testing.T, c *cloudapi.Client, product string) []string {
	t.Helper()
	resp, err := c.DescribeApiProductApis(&cloudapi.DescribeApiProductApisRequest{ApiProductId: dara.String(product)})
	if err != nil {
		t.Fatalf("DescribeApiProductApis: %v", err)
	}
	var out []string
	if l := resp.Body.ApiInfoList; l != nil {
		for _, a := range l.ApiInfo {
			out = append(out, dara.StringValue(a.ApiId)+"/"+dara.StringValue(a.StageName))
		}
	}
	return out
}

func TestRunStateFileSurvivesRestart(t *testing.T) {
	clearCredentialEnv(t)
	path := filepath.Join(t.TempDir(), "state.json")
	args := []string{"--listen", "127.0.0.1:0", "--access-key-id", "LTAI5tPersist", "--access-key-secret", "persist-secret", "--state-file", path}
	r := startRun(t, args...)
	c := sdkClient(t, r.endpoint, "LTAI5tPersist", "persist-secret")
	apiID := createAttached(t, c, "persistprod")
	if err := r.stop(t); err != nil {
		t.Fatalf("stop: %v", err)
	}
	data, err := os.ReadFile(path)
	if err != nil || !bytes.Contains(data, []byte(`"version"`)) || !bytes.Contains(data, []byte(apiID)) {
		t.Fatalf("state file after shutdown: %v\n%s", err, data)
	}

	r2 := startRun(t, args...)
	c2 := sdkClient(t, r2.endpoint, "LTAI5tPersist", "persist-secret")
	if got := productAPIs(t, c2, "persistprod"); len(got) != 1 || got[0] != apiID+"/RELEASE" {
		t.Fatalf("after restart product APIs = %q, want [%s/RELEASE]", got, apiID)
	}
	if err := r2.stop(t); err != nil {
		t.Fatal(err)
	}
}

func TestRunRefusesCorruptStateFileAndLeavesIt(t *testing.T) {
	clearCredentialEnv(t)
	path := filepath.Join(t.TempDir(), "state.json")
	corrupt := []byte(`{"version": 1, "state": [` + "\n" + `garbage`)
	if err := os.WriteFile(path, corrupt, 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr emulator.LogBuffer
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	err := run(ctx, []string{"--listen", "127.0.0.1:0", "--state-file", path}, &stdout, &stderr)
	if err == nil {
		t.Fatal("run accepted a corrupt state file")
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name the file", err)
	}
	if strings.Contains(stdout.String(), "listening") {
		t.Errorf("printed a listening line despite the error: %q", stdout.String())
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, corrupt) {
		t.Errorf("corrupt file was modified: %q", got)
	}
}

func TestRunWithDemoSeed(t *testing.T) {
	t.Setenv(envAccessKeyID, "LTAI5tDemoAccessKeyId")
	t.Setenv(envAccessKeySecret, "demo-secret-not-for-production")
	r := startRun(t, "--listen", "127.0.0.1:0", "--seed", filepath.Join("..", "..", "examples", "emulator", "demo-seed.json"))
	c := sdkClient(t, r.endpoint, "LTAI5tDemoAccessKeyId", "demo-secret-not-for-production")
	const getUser = "a1f3c5e7092b4d6f8a0c2e4f6b8d0a11"
	d, err := c.DescribeApi(&cloudapi.DescribeApiRequest{ApiId: dara.String(getUser)})
	if err != nil {
		t.Fatalf("DescribeApi(get_user): %v", err)
	}
	if dara.StringValue(d.Body.ApiName) != "get_user" || dara.StringValue(d.Body.GroupName) != "demo" ||
		dara.StringValue(d.Body.GroupId) != "6b2f9c1d4e8a4f0b9c3d2e1f0a9b8c7d" {
		t.Fatalf("get_user = %s", d.Body)
	}
	if _, err := c.AttachApiProduct(&cloudapi.AttachApiProductRequest{ApiProductId: dara.String("demoprod"),
		Apis: []*cloudapi.AttachApiProductRequestApis{{ApiId: dara.String(getUser), StageName: dara.String("PRE")}}}); err != nil {
		t.Fatalf("AttachApiProduct: %v", err)
	}
	if got := productAPIs(t, c, "demoprod"); len(got) != 1 || got[0] != getUser+"/PRE" {
		t.Fatalf("product APIs = %q", got)
	}
}

func TestRunFaultFlags(t *testing.T) {
	clearCredentialEnv(t)
	r := startRun(t, "--listen", "127.0.0.1:0", "--access-key-id", "K1", "--access-key-secret", "S1",
		"--fault", "CreateApiGroup:ServiceUnavailable:count=1", "--fault", "DescribeApis:Drop:count=1",
		"--qps", "0.001", "--burst", "3")
	c := sdkClient(t, r.endpoint, "K1", "S1")
	req := &cloudapi.CreateApiGroupRequest{GroupName: dara.String("fault_group")}
	_, err := c.CreateApiGroup(req)
	if code := sdktest.Code(err); code != "ServiceUnavailable" {
		t.Fatalf("first call: code %q (%v), want ServiceUnavailable", code, err)
	}
	// A dropped connection is a transport error, not an API error.
	_, err = c.DescribeApis(&cloudapi.DescribeApisRequest{})
	if err == nil || sdktest.Code(err) != "" {
		t.Fatalf("dropped DescribeApis: err = %v, want a transport error", err)
	}
	if _, err := c.CreateApiGroup(req); err != nil {
		t.Fatalf("second call (fault used up): %v", err)
	}
	// The burst of 3 is spent and 0.001 qps refills nothing within the test.
	_, err = c.CreateApiGroup(&cloudapi.CreateApiGroupRequest{GroupName: dara.String("fault_group2")})
	if code := sdktest.Code(err); code != "Throttling.User" {
		t.Fatalf("third call: code %q (%v), want Throttling.User", code, err)
	}
}

// TestRunBehaviourFlags: the profile flags reach the served behaviour, as a client sees it.
func TestRunBehaviourFlags(t *testing.T) {
	clearCredentialEnv(t)
	r := startRun(t, "--listen", "127.0.0.1:0", "--access-key-id", "K1", "--access-key-secret", "S1",
		"--unknown-product", "other-code", "--refuse-detach-unattached")
	c := sdkClient(t, r.endpoint, "K1", "S1")
	_, err := c.DescribeApiProductApis(&cloudapi.DescribeApiProductApisRequest{ApiProductId: dara.String("nope")})
	if code := sdktest.Code(err); code != "EntityNotExist.ApiProduct" {
		t.Fatalf("listing an unknown product: code %q (%v), want EntityNotExist.ApiProduct", code, err)
	}
	_, err = c.DetachApiProduct(&cloudapi.DetachApiProductRequest{ApiProductId: dara.String("nope"),
		Apis: []*cloudapi.DetachApiProductRequestApis{{ApiId: dara.String("a1"), StageName: dara.String("RELEASE")}}})
	if code := sdktest.Code(err); code != "EntityNotExist.ApiProduct" {
		t.Fatalf("detaching from an unknown product: code %q (%v), want EntityNotExist.ApiProduct", code, err)
	}
	r2 := startRun(t, "--listen", "127.0.0.1:0", "--access-key-id", "K2", "--access-key-secret", "S2", "--unknown-product", "empty", "--refuse-detach-unattached")
	c2 := sdkClient(t, r2.endpoint, "K2", "S2")
	resp, err := c2.DescribeApiProductApis(&cloudapi.DescribeApiProductApisRequest{ApiProductId: dara.String("nope")})
	if err != nil || dara.Int32Value(resp.Body.TotalCount) != 0 {
		t.Fatalf("listing an unknown product under empty: %v %v", resp, err)
	}
	_, err = c2.DetachApiProduct(&cloudapi.DetachApiProductRequest{ApiProductId: dara.String("nope"),
		Apis: []*cloudapi.DetachApiProductRequestApis{{ApiId: dara.String("a1"), StageName: dara.String("RELEASE")}}})
	if code := sdktest.Code(err); code != "ApiNotAttached" {
		t.Fatalf("detaching an unattached pair: code %q (%v), want ApiNotAttached", code, err)
	}
}

// TestRunPagingAndConcurrencyFlags: --cap-page-size, --refuse-page-size-above,
// --lock-timeout-every and --proxy-not-found-every reach the emulator.
func TestRunPagingAndConcurrencyFlags(t *testing.T) {
	clearCredentialEnv(t)
	r := startRun(t, "--listen", "127.0.0.1:0", "--access-key-id", "K1", "--access-key-secret", "S1",
		"--unknown-product", "empty", "--cap-page-size", "3", "--refuse-page-size-above", "50")
	c := sdkClient(t, r.endpoint, "K1", "S1")
	resp, err := c.DescribeApiProductApis(&cloudapi.DescribeApiProductApisRequest{ApiProductId: dara.String("nope"), PageSize: dara.Int32(50)})
	if err != nil || dara.Int32Value(resp.Body.PageSize) != 3 {
		t.Fatalf("PageSize 50 under --cap-page-size 3: %v %v", resp, err)
	}
	_, err = c.DescribeApiProductApis(&cloudapi.DescribeApiProductApisRequest{ApiProductId: dara.String("nope"), PageSize: dara.Int32(51)})
	if code := sdktest.Code(err); code != "InvalidParameter" {
		t.Fatalf("PageSize 51 under --refuse-page-size-above 50: code %q (%v)", code, err)
	}

	r2 := startRun(t, "--listen", "127.0.0.1:0", "--access-key-id", "K2", "--access-key-secret", "S2",
		"--lock-timeout-every", "2", "--proxy-not-found-every", "3")
	c2 := sdkClient(t, r2.endpoint, "K2", "S2")
	detach := func() error {
		_, err := c2.DetachApiProduct(&cloudapi.DetachApiProductRequest{ApiProductId: dara.String("nope"),
			Apis: []*cloudapi.DetachApiProductRequestApis{{ApiId: dara.String("a1"), StageName: dara.String("RELEASE")}}})
		return err
	}
	// Request 1: a first write to "nope" (not found); 2: its second write, refused for the lock;
	// 3: the proxy's 404.
	if code := sdktest.Code(detach()); code != "NotFoundApiProduct" {
		t.Fatalf("first detach: code %q", code)
	}
	if code := sdktest.Code(detach()); code != "ConcurrencyLockTimeout" {
		t.Fatalf("second detach: code %q, want ConcurrencyLockTimeout", code)
	}
	if err := detach(); err == nil || sdktest.Code(err) != "" {
		t.Fatalf("third request: %v, want a 404 without a CloudAPI code", err)
	}
}

func TestParseFault(t *testing.T) {
	good := map[string]emulator.Fault{
		"AttachApiProduct:Throttling:0.25":    {Action: "AttachApiProduct", Kind: emulator.FaultThrottling, Rate: 0.25},
		":internalerror:1":                    {Kind: emulator.FaultInternalError, Rate: 1},
		"*:Drop:count=3":                      {Kind: emulator.FaultDrop, Count: 3},
		"*:proxynotfound:0.1":                 {Kind: emulator.FaultProxyNotFound, Rate: 0.1},
		"DescribeApis:ServiceUnavailable:0.5": {Action: "DescribeApis", Kind: emulator.FaultServiceUnavailable, Rate: 0.5},
		"*:Latency:150ms":                     {Kind: emulator.FaultLatency, Latency: 150 * time.Millisecond},
		"DeployApi:Latency:2s:0.1":            {Action: "DeployApi", Kind: emulator.FaultLatency, Latency: 2 * time.Second, Rate: 0.1},
	}
	for in, want := range good {
		got, err := parseFault(in)
		if err != nil || got != want {
			t.Errorf("parseFault(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "Throttling", "A:Throttling", "A:Boom:0.1", "A:Throttling:0", "A:Throttling:1.5",
		"A:Throttling:abc", "A:Drop:count=0", "A:Drop:count=x", "A:Throttling:0.1:extra", "A:Latency:-1s",
		"A:Latency:fast", "A:Latency:1s:2", "A:Latency:1s:0.5:x"} {
		if f, err := parseFault(in); err == nil {
			t.Errorf("parseFault(%q) = %+v, want an error", in, f)
		}
	}
}

func TestRunRejectsBadCommandLines(t *testing.T) {
	clearCredentialEnv(t)
	cases := [][]string{
		{"--no-such-flag"},
		{"--burst", "5"},
		{"extra-argument"},
		{"--fault", "A:Boom:0.1"},
		{"--throttle-rate", "1.5"},
		{"--max-items", "0"},
		{"--max-page-size", "-1"},
		{"--listen", "8080"},
		{"--unknown-product", "maybe"},
		{"--detach-visibility-delay", "-1s"},
		{"--cap-page-size", "-1"},
		{"--refuse-page-size-above", "-5"},
		{"--lock-timeout-every", "1"},
		{"--lock-timeout-after-apply"},
		{"--proxy-not-found-every", "-2"},
	}
	for _, args := range cases {
		var stdout, stderr emulator.LogBuffer
		err := run(t.Context(), append([]string{"--listen", "127.0.0.1:0"}, args...), &stdout, &stderr)
		var uerr usageError
		if !errors.As(err, &uerr) {
			t.Errorf("%q: err = %v, want a usage error", args, err)
		}
		if stdout.String() != "" {
			t.Errorf("%q: printed %q on stdout", args, stdout.String())
		}
	}
	var stdout, stderr emulator.LogBuffer
	t.Setenv(envAccessKeySecret, "env-secret-not-for-help")
	if err := run(t.Context(), []string{"--help"}, &stdout, &stderr); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("--help: err = %v", err)
	}
	if !strings.Contains(stderr.String(), "-fault") || !strings.Contains(stderr.String(), envAccessKeySecret) {
		t.Errorf("--help output lacks the flags:\n%s", stderr.String())
	}
	if strings.Contains(stderr.String(), "env-secret-not-for-help") {
		t.Errorf("--help shows the secret from the environment:\n%s", stderr.String())
	}
	// A seed that does not parse is a plain error naming the file.
	bad := filepath.Join(t.TempDir(), "seed.json")
	if err := os.WriteFile(bad, []byte(`{"accounts": [{"id": "1", "bogus": 1}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	err := run(t.Context(), []string{"--listen", "127.0.0.1:0", "--seed", bad}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), "bogus") {
		t.Errorf("bad seed: err = %v", err)
	}
}

// TestBinaryStartsAndStopsOnSIGTERM builds the real binary and checks the process contract: the first
// stdout line, and exit status 0 after SIGTERM.
func TestBinaryStartsAndStopsOnSIGTERM(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("SIGTERM is not deliverable on Windows")
	}
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "apigateway-emulator")
	build := exec.CommandContext(t.Context(), "go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	state := filepath.Join(t.TempDir(), "state.json")
	cmd := exec.CommandContext(t.Context(), bin, "--listen", "127.0.0.1:0", "--state-file", state)
	cmd.Env = append(os.Environ(), envAccessKeyID+"=", envAccessKeySecret+"=")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr emulator.LogBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	first := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			first <- sc.Text()
		}
		close(first)
		for sc.Scan() {
		}
		exited <- cmd.Wait()
	}()
	var line string
	select {
	case line = <-first:
	case <-time.After(waitLimit):
		_ = cmd.Process.Kill()
		t.Fatal("no output from the binary")
	}
	m := listenLine.FindStringSubmatch(line)
	if m == nil {
		_ = cmd.Process.Kill()
		t.Fatalf("first line = %q\nstderr: %s", line, stderr.String())
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v (want status 0)\nstderr: %s", err, stderr.String())
		}
	case <-time.After(waitLimit):
		_ = cmd.Process.Kill()
		t.Fatal("binary did not exit after SIGTERM")
	}
}

// An empty host must not bind every interface: ":PORT" means loopback, and the first line says so.
func TestRunEmptyListenHostMeansLoopback(t *testing.T) {
	clearCredentialEnv(t)
	// startRun requires the first line to be "listening on http://127.0.0.1:PORT".
	r := startRun(t, "--listen", ":0", "--access-key-secret", "loopback-secret")
	c := sdkClient(t, r.endpoint, emulator.DefaultAccessKeyID, "loopback-secret")
	if _, err := c.CreateApiGroup(&cloudapi.CreateApiGroupRequest{GroupName: dara.String("loopback_group")}); err != nil {
		t.Fatalf("CreateApiGroup via %s: %v", r.endpoint, err)
	}
	if err := r.stop(t); err != nil {
		t.Fatal(err)
	}
}

func TestListenAddr(t *testing.T) {
	for in, want := range map[string]string{
		":8080":          "127.0.0.1:8080",
		":0":             "127.0.0.1:0",
		"127.0.0.1:8080": "127.0.0.1:8080",
		"0.0.0.0:8080":   "0.0.0.0:8080",
		"[::]:8080":      "[::]:8080",
		"[::1]:0":        "[::1]:0",
		"localhost:9000": "localhost:9000",
	} {
		if got, err := listenAddr(in); err != nil || got != want {
			t.Errorf("listenAddr(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"8080", "", "1.2.3.4"} {
		if got, err := listenAddr(in); err == nil {
			t.Errorf("listenAddr(%q) = %q, want an error", in, got)
		}
	}
}

// --tls serves HTTPS and writes the private CA to the file it names on stdout; a client trusting that
// file gets answers.
func TestRunTLSWritesTheCAFile(t *testing.T) {
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	r := startRun(t, "--listen", "127.0.0.1:0", "--tls", "--ca-file", caFile)
	if !strings.HasPrefix(r.stdout.String(), "listening on https://") || r.header[0] != "ca certificate: "+caFile+" (trust it with SSL_CERT_FILE or NODE_EXTRA_CA_CERTS)" {
		t.Fatalf("stdout = %q", r.stdout)
	}
	pemData, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemData) {
		t.Fatalf("%s holds no certificate", caFile)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := client.Get("https://" + r.endpoint + "/")
	if err != nil {
		t.Fatalf("GET over TLS: %v", err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest && resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unsigned GET answered %d, want a CloudAPI error", resp.StatusCode)
	}
	if err := r.stop(t); err != nil {
		t.Fatal(err)
	}
	if _, err := parseAndOptions("--ca-file", caFile); err == nil {
		t.Fatal("--ca-file without --tls accepted")
	}
}

func parseAndOptions(args ...string) ([]emulator.Option, error) {
	c, err := parseArgs(args, io.Discard)
	if err != nil {
		return nil, err
	}
	return c.options()
}
