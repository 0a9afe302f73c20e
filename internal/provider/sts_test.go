package provider

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator"
)

// The role account owns the APIs; the provider's keys belong to the default account, which the
// role trusts. Only credentials obtained from the emulated STS can reach the role account.
const (
	roleAccount = "2222222222222222"
	roleARN     = "acs:ram::" + roleAccount + ":role/terraform"
)

// roleTarget is a TLS target whose provider block assumes role through the emulator's STS, with an
// API deployed to RELEASE in the role's account.
func roleTarget(t *testing.T, role emulator.Role) (*accTarget, apiFixture) {
	t.Helper()
	emulatorOnly(t)
	a := newTLSAccTarget(t, emulator.WithRole(role))
	a.sts = a.endpoint
	a.account = roleAccount
	gid, err := a.srv.SeedGroup(roleAccount, "", fixturePrefix+"role")
	if err != nil {
		t.Fatal(err)
	}
	f := apiFixture{GroupID: gid, GroupName: fixturePrefix + "role", APIName: fixturePrefix + "role_api", Path: "/role"}
	if f.APIID, err = a.srv.SeedAPI(roleAccount, "", emulator.APISpec{GroupID: gid, Name: f.APIName, Path: f.Path}); err != nil {
		t.Fatal(err)
	}
	if err := a.srv.SeedDeployment(roleAccount, "", f.APIID, "RELEASE"); err != nil {
		t.Fatal(err)
	}
	return a, f
}

func assumeRoleBlock(arn string) string {
	return fmt.Sprintf("  assume_role {\n    role_arn = %q\n    session_expiration = 900\n  }\n", arn)
}

// TestAccProvider_assumeRole: credentials-go obtains role credentials from the emulated STS over
// HTTPS (endpoints.sts), and the apply, plan and destroy that follow run in the role's account.
func TestAccProvider_assumeRole(t *testing.T) {
	a, api := roleTarget(t, emulator.Role{ARN: roleARN, TrustedAccounts: []string{emulator.DefaultAccountID}})
	product := a.newProductID()
	id := attachmentID{ProductID: product, APIID: api.APIID, StageName: "RELEASE"}
	cfg := a.providerBlock(assumeRoleBlock(roleARN)) + attachmentConfig(product, api.APIID, "RELEASE", "")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: a.factories(),
		CheckDestroy:             a.checkDestroy,
		Steps: []resource.TestStep{{
			Config: cfg,
			Check: resource.ComposeAggregateTestCheckFunc(
				a.checkAttached(id),
				resource.TestCheckResourceAttr(attachmentAddr, "api_name", api.APIName),
				func(*terraform.State) error {
					// Credentials far from expiry are reused: fewer AssumeRole calls than CloudAPI calls.
					calls := a.srv.RequestCount("", "OK") - a.srv.RequestCount("AssumeRole", "OK")
					if n := a.srv.RequestCount("AssumeRole", "OK"); n < 1 || n >= calls {
						return fmt.Errorf("AssumeRole answered OK %d times for %d CloudAPI calls, want at least once and fewer", n, calls)
					}
					if n := a.srv.RequestCount("AttachApiProduct", "OK"); n != 1 {
						return fmt.Errorf("AttachApiProduct answered OK %d times, want 1", n)
					}
					return nil
				},
			),
		}},
	})
}

// TestAccProvider_assumeRoleRefused: a role that does not trust the caller, or that does not exist,
// stops the plan with one error that says what STS answered.
func TestAccProvider_assumeRoleRefused(t *testing.T) {
	a, api := roleTarget(t, emulator.Role{ARN: roleARN, TrustedAccounts: []string{"9999999999999999"}})
	product := a.newProductID()
	body := attachmentConfig(product, api.APIID, "RELEASE", "")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: a.factories(),
		Steps: []resource.TestStep{
			{
				Config:      a.providerBlock(assumeRoleBlock(roleARN)) + body,
				ExpectError: messageRegexp("obtaining credentials for assume_role failed: STS AssumeRole answered NoPermission:"),
			},
			{
				Config:      a.providerBlock(assumeRoleBlock("acs:ram::"+roleAccount+":role/nobody")) + body,
				ExpectError: messageRegexp("obtaining credentials for assume_role failed: STS AssumeRole answered EntityNotExist.Role:"),
			},
		},
	})
	a.wantNoCall("AttachApiProduct", "refused role credentials must fail at plan")
}

// TestAccProvider_expiredSecurityToken: temporary keys whose token has expired get one error that
// says so and what to check.
func TestAccProvider_expiredSecurityToken(t *testing.T) {
	emulatorOnly(t)
	a := newTLSAccTarget(t)
	api := a.newDeployedAPI("RELEASE")
	keyID, secret, token := a.srv.IssueTemporaryCredentials(emulator.DefaultAccountID, time.Millisecond)
	time.Sleep(5 * time.Millisecond)
	cfg := fmt.Sprintf(`
provider "apigateway" {
  region         = %q
  access_key     = %q
  secret_key     = %q
  security_token = %q
  endpoints {
    apigateway = %q
  }
}
`, a.region, keyID, secret, token, a.endpoint) + attachmentConfig(a.newProductID(), api.APIID, "RELEASE", "")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: a.factories(),
		Steps: []resource.TestStep{{
			Config:      cfg,
			ExpectError: messageRegexp("InvalidSecurityToken.Expired: The security token has expired."),
		}},
	})
}

// TestAccProvider_untrustedCertificate: an endpoint whose certificate the client does not trust fails
// the plan at once (one attempt, no retries) with a message that says so and names SSL_CERT_FILE.
func TestAccProvider_untrustedCertificate(t *testing.T) {
	emulatorOnly(t)
	srv := emulator.New(emulator.WithTLS(nil)) // a CA of its own, which nobody trusts
	t.Cleanup(func() { _ = srv.Close() })
	a := &accTarget{t: t, srv: srv, region: testRegion, account: emulator.DefaultAccountID, endpoint: srv.Endpoint(), tls: true}
	gid, _ := srv.SeedGroup(emulator.DefaultAccountID, "", "g")
	apiID, err := srv.SeedAPI(emulator.DefaultAccountID, "", emulator.APISpec{GroupID: gid, Name: "api_one", Path: "/one"})
	if err != nil {
		t.Fatal(err)
	}
	// "failed: connection error" directly, not "failed after N attempts": the call was made once.
	want := regexp.MustCompile("(?s)" + messageRegexp("API Gateway's TLS certificate is not trusted").String() + ".*" +
		messageRegexp("CloudAPI DescribeApi failed: connection error:").String() + ".*" +
		messageRegexp("the server's TLS certificate is not trusted").String() + ".*" +
		messageRegexp("named by the SSL_CERT_FILE environment variable").String())
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: a.factories(),
		Steps: []resource.TestStep{{
			Config:      a.config(attachmentConfig("untrusted", apiID, "RELEASE", "")),
			ExpectError: want,
		}},
	})
	if n := srv.RequestCount("", ""); n != 0 {
		t.Fatalf("the emulator answered %d requests through an untrusted connection", n)
	}
}

// TestAccProvider_assumeRoleRefreshesCredentials: role credentials close to their expiry are fetched
// again before use (credentials-go refreshes 3 minutes ahead), so a long apply never signs with an
// expired token. The emulator's clock runs 800 s behind, so every session it hands out expires
// 100 s from now by the provider's clock.
func TestAccProvider_assumeRoleRefreshesCredentials(t *testing.T) {
	emulatorOnly(t)
	behind := func() time.Time { return time.Now().Add(-800 * time.Second) }
	a := newTLSAccTarget(t, emulator.WithClock(behind),
		emulator.WithRole(emulator.Role{ARN: roleARN, TrustedAccounts: []string{emulator.DefaultAccountID}}))
	a.sts, a.account = a.endpoint, roleAccount
	gid, _ := a.srv.SeedGroup(roleAccount, "", "g")
	apiID, err := a.srv.SeedAPI(roleAccount, "", emulator.APISpec{GroupID: gid, Name: "api_one", Path: "/one"})
	if err != nil {
		t.Fatal(err)
	}
	product := a.newProductID()
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: a.factories(),
		CheckDestroy:             a.checkDestroy,
		Steps: []resource.TestStep{{
			Config: a.providerBlock(assumeRoleBlock(roleARN)) + attachmentConfig(product, apiID, "RELEASE", ""),
			Check: func(*terraform.State) error {
				calls := a.srv.RequestCount("", "OK") - a.srv.RequestCount("AssumeRole", "OK")
				if assumed := a.srv.RequestCount("AssumeRole", "OK"); assumed < calls {
					return fmt.Errorf("AssumeRole answered %d times for %d CloudAPI calls: near-expiry credentials were reused", assumed, calls)
				}
				return nil
			},
		}},
	})
}
