package provider

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/credentials-go/credentials"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/cloudapi/terraform-provider-apigateway/internal/cloudapi"
	"github.com/cloudapi/terraform-provider-apigateway/internal/cloudapitest"
	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator"
)

// Acceptance tests run against an in-process emulator, one per test, unless APIGATEWAY_ACC_TARGET=alibaba,
// in which case they use the real service with the ALICLOUD_* (or ALIBABA_CLOUD_*) environment.
const (
	accTargetEnv   = "APIGATEWAY_ACC_TARGET"
	accTargetReal  = "alibaba"
	resourceType   = "apigateway_api_product_attachment"
	fixturePrefix  = "tf_testacc_" // API and group names allow only letters, digits and "_"
	testRegion     = emulator.DefaultRegion
	testAPIVersion = "test"
)

func TestMain(m *testing.M) {
	if os.Getenv("CHECKPOINT_DISABLE") == "" {
		os.Setenv("CHECKPOINT_DISABLE", "1")
	}
	// terraform-plugin-testing installs the latest terraform when it finds none; this project must
	// never download one, so pin the binary on PATH explicitly or stop.
	if os.Getenv(resource.EnvTfAcc) != "" && os.Getenv("TF_ACC_TERRAFORM_PATH") == "" && os.Getenv("TF_ACC_TERRAFORM_VERSION") == "" {
		tf, err := exec.LookPath("terraform")
		if err != nil {
			fmt.Fprintln(os.Stderr, "TF_ACC is set but no terraform binary is on PATH (or in TF_ACC_TERRAFORM_PATH); refusing to let the test framework download one")
			os.Exit(1)
		}
		os.Setenv("TF_ACC_TERRAFORM_PATH", tf)
	}
	if !realTarget() {
		if err := trustTestCA(); err != nil {
			fmt.Fprintln(os.Stderr, "setting up the emulators' certificate authority:", err)
			os.Exit(1)
		}
	}
	resource.TestMain(m)
}

// testCA signs the certificates of every TLS emulator of this test binary. Go reads SSL_CERT_FILE
// once per process, the first time it verifies a certificate, so one CA trusted from the start serves
// every test; an emulator with a CA of its own is what an untrusted endpoint looks like.
var testCA *emulator.CertificateAuthority

// trustTestCA creates testCA and points SSL_CERT_FILE at a bundle of it and whatever SSL_CERT_FILE
// named before, exactly as a user trusts a private CA.
func trustTestCA() error {
	ca, err := emulator.NewCertificateAuthority()
	if err != nil {
		return err
	}
	bundle := ca.CertPEM()
	if prev := os.Getenv("SSL_CERT_FILE"); prev != "" {
		if data, err := os.ReadFile(prev); err == nil {
			bundle = append(append(data, '\n'), bundle...)
		}
	}
	f, err := os.CreateTemp("", "apigateway-testacc-ca-*.pem")
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.Write(bundle); err != nil {
		return err
	}
	testCA = ca
	return os.Setenv("SSL_CERT_FILE", f.Name())
}

func init() {
	resource.AddTestSweepers(resourceType, &resource.Sweeper{
		Name: resourceType,
		F:    sweepFixtures,
	})
}

// realTarget reports whether acceptance tests talk to Alibaba Cloud instead of the emulator.
func realTarget() bool { return os.Getenv(accTargetEnv) == accTargetReal }

// fastRetry keeps injected throttling and 503s from slowing the suite; the real target keeps the
// client's defaults.
var fastRetry = cloudapi.RetryPolicy{MaxAttempts: 6, BaseDelay: 5 * time.Millisecond, MaxDelay: 50 * time.Millisecond}

// accTarget is one test's backend: its own emulator, or the real service.
type accTarget struct {
	t      *testing.T
	srv    *emulator.Server // nil for the real target
	client *cloudapi.Client
	// fixtures makes the groups and APIs a test attaches.
	fixtures *cloudapitest.Fixtures
	region   string
	account  string
	// endpoint is what goes into the provider block's endpoints.apigateway.
	endpoint string
	// tls is set when the emulator serves HTTPS: the provider block then leaves protocol unset, the
	// default every real configuration uses.
	tls bool
	// sts, when set, goes into endpoints.sts: the emulator's own address, for assume_role tests.
	sts string
}

// newAccTarget starts an emulator with opts (ignored for the real target) and a fixture client.
func newAccTarget(t *testing.T, opts ...emulator.Option) *accTarget {
	t.Helper()
	return startAccTarget(t, "HTTP", opts...)
}

// newTLSAccTarget is newAccTarget with the emulator on HTTPS, its certificate signed by testCA.
func newTLSAccTarget(t *testing.T, opts ...emulator.Option) *accTarget {
	t.Helper()
	return startAccTarget(t, "HTTPS", append(opts, emulator.WithTLS(testCA))...)
}

func startAccTarget(t *testing.T, protocol string, opts ...emulator.Option) *accTarget {
	t.Helper()
	if realTarget() {
		return newRealTarget(t)
	}
	srv := emulator.New(opts...)
	t.Cleanup(func() { _ = srv.Close() })
	cred, err := credentials.NewCredential(new(credentials.Config).
		SetType("access_key").
		SetAccessKeyId(emulator.DefaultAccessKeyID).
		SetAccessKeySecret(emulator.DefaultAccessKeySecret))
	if err != nil {
		t.Fatal(err)
	}
	cfg := cloudapi.Config{
		RegionID: testRegion, Endpoint: srv.Endpoint(), Protocol: protocol, Credential: cred, Retry: fastRetry, UserAgent: "tf-testacc",
	}
	client, err := cloudapi.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	fixtures, err := cloudapitest.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &accTarget{t: t, srv: srv, client: client, fixtures: fixtures, region: testRegion, account: emulator.DefaultAccountID,
		endpoint: srv.Endpoint(), tls: protocol == "HTTPS"}
}

func newRealTarget(t *testing.T) *accTarget {
	t.Helper()
	client, fixtures, region, err := realClient("")
	if err != nil {
		t.Fatalf("%s=%s: %v", accTargetEnv, accTargetReal, err)
	}
	return &accTarget{t: t, client: client, fixtures: fixtures, region: region}
}

// realClient builds a client, and fixtures with the same configuration, from the environment
// exactly as the provider would; a non-empty region beats the environment's, as the provider's
// region attribute does.
func realClient(region string) (*cloudapi.Client, *cloudapitest.Fixtures, string, error) {
	r := configResolver{getenv: os.Getenv, homeDir: os.UserHomeDir}
	rc, diags := r.resolve(configInput{Region: region})
	if diags.HasError() {
		return nil, nil, "", errors.New(diagText(diags))
	}
	cfg := cloudapi.Config{RegionID: rc.Region, Endpoint: rc.Endpoint, Protocol: rc.Protocol, Credential: rc.Credential, UserAgent: "tf-testacc"}
	c, err := cloudapi.New(cfg)
	if err != nil {
		return nil, nil, "", err
	}
	f, err := cloudapitest.New(cfg)
	return c, f, rc.Region, err
}

// wantNoCall fails the test if the emulator served action at all, for requests that must stop at
// plan.
func (a *accTarget) wantNoCall(action, why string) {
	a.t.Helper()
	if n := a.srv.RequestCount(action, ""); n != 0 {
		a.t.Errorf("%s called %d times; %s", action, n, why)
	}
}

// loseAnswer makes the next call of action answer only after the provider has given up on it (1s
// timeouts; the emulator applies it anyway once the client hangs up), and every listing call fail,
// so that nothing can settle the outcome and only the state can keep track of it.
func (a *accTarget) loseAnswer(action, listing string) {
	a.srv.InjectFault(emulator.Fault{Action: action, Kind: emulator.FaultLatency, Latency: 5 * time.Second, Count: 1})
	a.srv.InjectFault(emulator.Fault{Action: listing, Kind: emulator.FaultInternalError, Count: 1000})
}

// emulatorOnly skips tests that need the emulator's control knobs.
func emulatorOnly(t *testing.T) {
	t.Helper()
	if realTarget() {
		t.Skip("needs the emulator (fault injection, clock or inspection)")
	}
}

// providerOption adjusts the provider instance a test runs.
type providerOption func(*apigatewayProvider)

// factories serves the provider in-process. For the emulator target the provider sees an empty
// environment and home directory, so a developer's ALICLOUD_* variables or ~/.aliyun never leak in.
func (a *accTarget) factories(opts ...providerOption) map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"apigateway": func() (tfprotov6.ProviderServer, error) {
			p := &apigatewayProvider{version: testAPIVersion, getenv: os.Getenv, homeDir: os.UserHomeDir}
			if a.srv != nil {
				p.getenv = func(string) string { return "" }
				p.homeDir = func() (string, error) { return "", errors.New("no home directory in tests") }
				p.retry = fastRetry
			}
			for _, o := range opts {
				o(p)
			}
			return providerserver.NewProtocol6WithError(p)()
		},
	}
}

// providerBlock is the provider configuration for this target; extra is added inside the block.
func (a *accTarget) providerBlock(extra string) string {
	if a.srv == nil {
		return fmt.Sprintf("provider \"apigateway\" {\n%s\n}\n", extra)
	}
	protocol := `protocol   = "HTTP"`
	if a.tls {
		protocol = "# protocol unset: HTTPS, the default"
	}
	endpoints := fmt.Sprintf("apigateway = %q", a.endpoint)
	if a.sts != "" {
		endpoints += fmt.Sprintf("\n    sts        = %q", a.sts)
	}
	return fmt.Sprintf(`
provider "apigateway" {
  region     = %q
  access_key = %q
  secret_key = %q
  %s
  endpoints {
    %s
  }
%s
}
`, a.region, emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret, protocol, endpoints, extra)
}

// config prefixes body with the default provider block.
func (a *accTarget) config(body string) string { return a.providerBlock("") + body }

// apiFixture is an API created for a test.
type apiFixture struct {
	GroupID, GroupName, APIID, APIName, Path string
}

func randomSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// newProductID returns a fresh API product id; products are created by their first attachment.
func (a *accTarget) newProductID() string {
	id := randomSuffix() + randomSuffix() + randomSuffix()[:8]
	a.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := a.client.DeleteAPIProduct(ctx, id); err != nil && !isGone(err) && a.srv == nil {
			a.t.Logf("cleanup: deleting API product %s: %v", id, err)
		}
	})
	return id
}

// newGroup creates an API group that is deleted when the test ends.
func (a *accTarget) newGroup() (id, name string) {
	a.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	name = fixturePrefix + randomSuffix()
	id, err := a.fixtures.CreateAPIGroup(ctx, name, "terraform acceptance test fixture")
	if err != nil {
		a.t.Fatalf("creating API group fixture: %v", err)
	}
	a.cleanupFixture("API group "+id, func(ctx context.Context) error { return a.fixtures.DeleteAPIGroup(ctx, id) })
	return id, name
}

// cleanupFixture deletes, when the test ends, a fixture made on the real service (the emulator's go
// with it); what names the fixture if that fails.
func (a *accTarget) cleanupFixture(what string, del func(ctx context.Context) error) {
	if a.srv != nil {
		return
	}
	a.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := del(ctx); err != nil && !isGone(err) {
			a.t.Logf("cleanup: deleting %s: %v", what, err)
		}
	})
}

// newAPI creates an API in group and deploys it to stages.
func (a *accTarget) newAPI(groupID, groupName string, stages ...string) apiFixture {
	a.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	suffix := randomSuffix()
	f := apiFixture{GroupID: groupID, GroupName: groupName, APIName: fixturePrefix + suffix, Path: "/testacc/" + suffix}
	var err error
	f.APIID, err = a.fixtures.CreateAPI(ctx, cloudapitest.APIInput{
		GroupID: groupID, Name: f.APIName, Description: "terraform acceptance test fixture", Method: "GET", Path: f.Path, Visibility: "PUBLIC",
	})
	if err != nil {
		a.t.Fatalf("creating API fixture: %v", err)
	}
	for _, s := range stages {
		if err := a.fixtures.DeployAPI(ctx, groupID, f.APIID, s, "terraform acceptance test"); err != nil {
			a.t.Fatalf("deploying API fixture to %s: %v", s, err)
		}
	}
	a.cleanupFixture("API "+f.APIID, func(ctx context.Context) error {
		for _, s := range stages {
			_ = a.fixtures.AbolishAPI(ctx, groupID, f.APIID, s)
		}
		return a.fixtures.DeleteAPI(ctx, groupID, f.APIID)
	})
	return f
}

// newDeployedAPI is the common fixture: a fresh group with one API deployed to stages.
func (a *accTarget) newDeployedAPI(stages ...string) apiFixture {
	a.t.Helper()
	gid, gname := a.newGroup()
	return a.newAPI(gid, gname, stages...)
}

// attachmentExists reports whether the (product, api, stage) attachment exists, asking the emulator
// directly when there is one (so the check does not depend on the code under test).
func (a *accTarget) attachmentExists(id attachmentID) (bool, error) {
	if a.srv != nil {
		atts, _ := a.srv.ProductAttachments(a.account, a.region, id.ProductID)
		for _, at := range atts {
			if at.APIID == id.APIID && at.StageName == id.StageName {
				return true, nil
			}
		}
		return false, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := a.client.FindAttachment(ctx, id.ProductID, id.APIID, id.StageName, cloudapi.Strict)
	if isGone(err) {
		return false, nil
	}
	return err == nil, err
}

// checkDestroy is the CheckDestroy of every test: no attachment in the final state may still exist.
func (a *accTarget) checkDestroy(s *terraform.State) error {
	for _, rs := range s.RootModule().Resources {
		if rs.Type != resourceType {
			continue
		}
		id, err := parseAttachmentID(rs.Primary.ID)
		if err != nil {
			return err
		}
		exists, err := a.attachmentExists(id)
		if err != nil {
			return err
		}
		if exists {
			return fmt.Errorf("attachment %s still exists after destroy", id)
		}
	}
	return nil
}

// checkAttached asserts the attachment exists on the backend.
func (a *accTarget) checkAttached(id attachmentID) resource.TestCheckFunc {
	return a.checkAttachment(id, true, "does not exist on the backend")
}

// checkNotAttached asserts the attachment does not exist on the backend.
func (a *accTarget) checkNotAttached(id attachmentID) resource.TestCheckFunc {
	return a.checkAttachment(id, false, "exists on the backend, want it gone")
}

// checkAttachment asserts whether the attachment exists on the backend; otherwise says how not.
func (a *accTarget) checkAttachment(id attachmentID, want bool, otherwise string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		exists, err := a.attachmentExists(id)
		if err != nil {
			return err
		}
		if exists != want {
			return fmt.Errorf("attachment %s %s", id, otherwise)
		}
		return nil
	}
}

// messageRegexp matches msg exactly, word for word, while tolerating the line wrapping and "│"
// gutters Terraform adds when it prints diagnostics.
func messageRegexp(msg string) *regexp.Regexp {
	words := strings.Fields(msg)
	for i, w := range words {
		words[i] = regexp.QuoteMeta(w)
	}
	return regexp.MustCompile(strings.Join(words, `[\s│]+`))
}

// sweepFixtures deletes leftover tf_testacc_* APIs and their groups on the real service, in the
// region given to -sweep (which `make sweep SWEEP=<region>` documents as the region swept).
func sweepFixtures(region string) error {
	_, fixtures, _, err := realClient(region)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	apis, err := fixtures.ListAPIs(ctx, "", fixturePrefix)
	if err != nil {
		return fmt.Errorf("listing %s* APIs: %w", fixturePrefix, err)
	}
	groups := map[string]string{}
	var errs []error
	for _, api := range apis {
		if !strings.HasPrefix(api.APIName, fixturePrefix) {
			continue
		}
		for _, s := range api.DeployedStages {
			if err := fixtures.AbolishAPI(ctx, api.GroupID, api.APIID, s); err != nil && !isGone(err) {
				errs = append(errs, err)
			}
		}
		if err := fixtures.DeleteAPI(ctx, api.GroupID, api.APIID); err != nil && !isGone(err) {
			errs = append(errs, err)
		}
		if strings.HasPrefix(api.GroupName, fixturePrefix) {
			groups[api.GroupID] = api.GroupName
		}
	}
	for id := range groups {
		if err := fixtures.DeleteAPIGroup(ctx, id); err != nil && !isGone(err) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// TestAccProvider_credentialSources: credentials from the environment naming an aliyun CLI profile,
// then (same state, no changes planned) from STS keys in the provider block, which beat the
// environment.
func TestAccProvider_credentialSources(t *testing.T) {
	emulatorOnly(t)
	a := newAccTarget(t)
	api, product, id, _ := a.singleAttachment()

	file := writeCLIConfig(t, t.TempDir(), fmt.Sprintf(`{
  "current": "other",
  "profiles": [
    {"name": "other", "mode": "AK", "access_key_id": "LTAI-not-this-one", "access_key_secret": "nope"},
    {"name": "emu", "mode": "AK", "access_key_id": %q, "access_key_secret": %q, "region_id": %q}
  ]
}`, emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret, a.region))
	env := map[string]string{"ALICLOUD_PROFILE": "emu", "ALICLOUD_SHARED_CREDENTIALS_FILE": file}
	withEnv := func(p *apigatewayProvider) { p.getenv = func(k string) string { return env[k] } }

	ak, sk, token := a.srv.IssueTemporaryCredentials(emulator.DefaultAccountID, time.Hour)
	endpointOnly := fmt.Sprintf("provider \"apigateway\" {\n  endpoints {\n    apigateway = %q\n  }\n%%s}\n", "http://"+a.endpoint)
	body := attachmentConfig(product, api.APIID, "RELEASE", "")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: a.factories(withEnv),
		CheckDestroy:             a.checkDestroy,
		Steps: []resource.TestStep{
			{
				Config: fmt.Sprintf(endpointOnly, "") + body,
				Check: resource.ComposeAggregateTestCheckFunc(
					a.checkAttached(id),
					resource.TestCheckResourceAttr(attachmentAddr, "api_name", api.APIName),
				),
			},
			{
				Config: fmt.Sprintf(endpointOnly, fmt.Sprintf("  access_key = %q\n  secret_key = %q\n  security_token = %q\n", ak, sk, token)) + body,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
	if n := a.srv.RequestCount("", "OK"); n == 0 {
		t.Error("no successful request reached the emulator")
	}
}

// TestAccProvider_configErrors: provider configuration mistakes are one diagnostic that names the
// attribute, before any request.
func TestAccProvider_configErrors(t *testing.T) {
	emulatorOnly(t)
	a := newAccTarget(t)
	body := attachmentConfig("p1", "a1", "RELEASE", "")
	block := func(inner string) string { return "provider \"apigateway\" {\n" + inner + "\n}\n" + body }

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: a.factories(),
		Steps: []resource.TestStep{
			{
				Config:      block(`  access_key = "ak"` + "\n" + `  secret_key = "sk"` + "\n" + `  endpoints { apigateway = "http://127.0.0.1:8080/some/path" }`),
				PlanOnly:    true,
				ExpectError: messageRegexp(`endpoints.apigateway = "http://127.0.0.1:8080/some/path" cannot be used:`),
			},
			{
				Config:      block(`  access_key = "ak"` + "\n" + `  secret_key = "sk"` + "\n" + `  protocol = "HTTPS"` + "\n" + `  endpoints { apigateway = "http://127.0.0.1:8080" }`),
				PlanOnly:    true,
				ExpectError: messageRegexp(`endpoints.apigateway = "http://127.0.0.1:8080" uses HTTP, but protocol = "HTTPS".`),
			},
			{
				Config:      block(`  access_key = "ak"` + "\n" + `  secret_key = "sk"` + "\n" + `  protocol = "http"`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Attribute protocol value must be one of`),
			},
			{
				Config:      block(`  access_key = "ak"`),
				PlanOnly:    true,
				ExpectError: messageRegexp(`access_key is set (from access_key) but secret_key is not.`),
			},
			{
				Config:      block(`  profile = "missing"` + "\n" + `  shared_credentials_file = "/nonexistent/config.json"`),
				PlanOnly:    true,
				ExpectError: messageRegexp(`The aliyun CLI configuration file /nonexistent/config.json (shared_credentials_file), needed for profile "missing" (from profile), cannot be read: no such file or directory.`),
			},
		},
	})
	if n := a.srv.RequestCount("", ""); n != 0 {
		t.Errorf("%d requests reached the emulator; configuration errors must stop before any", n)
	}
}

// TestRealClientRegion: the sweeper's region (make sweep SWEEP=<region>) beats ALICLOUD_REGION, so
// the region swept is the one asked for. No request is made.
func TestRealClientRegion(t *testing.T) {
	t.Setenv("ALICLOUD_ACCESS_KEY", "LTAI-sweeper-test")
	t.Setenv("ALICLOUD_SECRET_KEY", "sweeper-test-secret")
	t.Setenv("ALICLOUD_REGION", "cn-hangzhou")
	t.Setenv("ALICLOUD_ASSUME_ROLE_ARN", "")
	t.Setenv("ALIBABA_CLOUD_ROLE_ARN", "")

	c, _, region, err := realClient("cn-shanghai")
	if err != nil {
		t.Fatal(err)
	}
	if region != "cn-shanghai" || c.Endpoint() != "apigateway.cn-shanghai.aliyuncs.com" {
		t.Errorf("realClient(cn-shanghai): region %q, endpoint %q", region, c.Endpoint())
	}
	if _, _, region, _ := realClient(""); region != "cn-hangzhou" {
		t.Errorf("realClient(\"\"): region %q, want the environment's cn-hangzhou", region)
	}
}

// settledCount reads the emulator's count of action once it stops moving: the emulator counts a
// request when its answer has been written, which the client may have read a moment earlier, so a
// count read right after a command can still miss its last request.
func (a *accTarget) settledCount(action string) int {
	got := a.srv.RequestCount(action, "")
	for i := 0; i < 50; i++ {
		time.Sleep(10 * time.Millisecond)
		next := a.srv.RequestCount(action, "")
		if next == got {
			return got
		}
		got = next
	}
	return got
}
