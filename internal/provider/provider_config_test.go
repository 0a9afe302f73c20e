package provider

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

// testResolver resolves with a fake environment and home directory, never the real ones.
func testResolver(env map[string]string, home string) configResolver {
	return configResolver{
		getenv: func(k string) string { return env[k] },
		homeDir: func() (string, error) {
			if home == "" {
				return "", errors.New("no home")
			}
			return home, nil
		},
	}
}

func mustResolve(t *testing.T, r configResolver, in configInput) *resolvedConfig {
	t.Helper()
	rc, diags := r.resolve(in)
	if diags.HasError() {
		t.Fatalf("resolve: %s", diagText(diags))
	}
	return rc
}

func resolveError(t *testing.T, r configResolver, in configInput) string {
	t.Helper()
	_, diags := r.resolve(in)
	if !diags.HasError() {
		t.Fatalf("resolve succeeded, want an error")
	}
	if n := diags.ErrorsCount(); n != 1 {
		t.Fatalf("got %d errors, want exactly one: %s", n, diagText(diags))
	}
	return diagText(diags)
}

func diagText(diags diag.Diagnostics) string {
	var b strings.Builder
	for _, d := range diags {
		b.WriteString(d.Summary() + ": " + d.Detail() + "\n")
	}
	return b.String()
}

func credentialOf(t *testing.T, rc *resolvedConfig) (ak, sk, token, typ string) {
	t.Helper()
	m, err := rc.Credential.GetCredential()
	if err != nil {
		t.Fatalf("GetCredential: %v", err)
	}
	return *m.AccessKeyId, *m.AccessKeySecret, *m.SecurityToken, *m.Type
}

func TestResolveStaticKeysPrecedence(t *testing.T) {
	t.Parallel()

	env := map[string]string{
		"ALICLOUD_ACCESS_KEY":             "env-ak-1",
		"ALIBABA_CLOUD_ACCESS_KEY_ID":     "env-ak-2",
		"ALICLOUD_SECRET_KEY":             "env-sk-1",
		"ALIBABA_CLOUD_ACCESS_KEY_SECRET": "env-sk-2",
		"ALICLOUD_REGION":                 "cn-shanghai",
		"ALIBABA_CLOUD_REGION":            "cn-beijing",
	}

	// The first env var listed wins over the second.
	rc := mustResolve(t, testResolver(env, ""), configInput{})
	ak, sk, token, typ := credentialOf(t, rc)
	if ak != "env-ak-1" || sk != "env-sk-1" || token != "" || typ != "access_key" {
		t.Errorf("env credentials: got %q/%q/%q/%q", ak, sk, token, typ)
	}
	if rc.Region != "cn-shanghai" {
		t.Errorf("region = %q, want cn-shanghai from ALICLOUD_REGION", rc.Region)
	}

	// The second is used when the first is unset.
	env2 := map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": "b-ak", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "b-sk", "ALIBABA_CLOUD_REGION": "cn-beijing"}
	rc = mustResolve(t, testResolver(env2, ""), configInput{})
	if ak, sk, _, _ := credentialOf(t, rc); ak != "b-ak" || sk != "b-sk" || rc.Region != "cn-beijing" {
		t.Errorf("ALIBABA_CLOUD_* fallbacks: got %q/%q region %q", ak, sk, rc.Region)
	}

	// An attribute beats every env var.
	rc = mustResolve(t, testResolver(env, ""), configInput{AccessKey: "cfg-ak", SecretKey: "cfg-sk", Region: "eu-central-1"})
	if ak, sk, _, _ := credentialOf(t, rc); ak != "cfg-ak" || sk != "cfg-sk" {
		t.Errorf("attributes: got %q/%q", ak, sk)
	}
	if rc.Region != "eu-central-1" {
		t.Errorf("region = %q, want eu-central-1", rc.Region)
	}
	if strings.Contains(rc.CredentialSource, "cfg-sk") || !strings.Contains(rc.CredentialSource, "access_key") {
		t.Errorf("CredentialSource = %q", rc.CredentialSource)
	}
}

func TestResolveSecurityToken(t *testing.T) {
	t.Parallel()

	env := map[string]string{"ALIBABA_CLOUD_SECURITY_TOKEN": "tok-2", "ALICLOUD_SECURITY_TOKEN": "tok-1"}
	rc := mustResolve(t, testResolver(env, ""), configInput{AccessKey: "STS.ak", SecretKey: "sk"})
	if _, _, token, typ := credentialOf(t, rc); token != "tok-1" || typ != "sts" {
		t.Errorf("token = %q type %q, want tok-1/sts", token, typ)
	}

	msg := resolveError(t, testResolver(nil, ""), configInput{SecurityToken: "tok"})
	if !strings.Contains(msg, "security_token is set") {
		t.Errorf("token without keys: %s", msg)
	}
}

func TestResolveDefaults(t *testing.T) {
	t.Parallel()

	rc := mustResolve(t, testResolver(nil, ""), configInput{AccessKey: "ak", SecretKey: "sk"})
	if rc.Region != defaultRegion || rc.Protocol != "HTTPS" || rc.Endpoint != "" {
		t.Errorf("defaults: region %q protocol %q endpoint %q", rc.Region, rc.Protocol, rc.Endpoint)
	}
}

func TestResolveMissingCredentials(t *testing.T) {
	t.Parallel()

	home := t.TempDir() // no .aliyun/config.json in it
	msg := resolveError(t, testResolver(nil, home), configInput{Region: "cn-hangzhou"})
	for _, want := range []string{
		"No API Gateway credentials found",
		"access_key and secret_key",
		"ALICLOUD_ACCESS_KEY and ALICLOUD_SECRET_KEY",
		"ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET",
		"ALICLOUD_PROFILE",
		"ALICLOUD_SHARED_CREDENTIALS_FILE",
		"ecs_role_name",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("missing-credentials message lacks %q:\n%s", want, msg)
		}
	}
}

func TestResolveIncompleteKeys(t *testing.T) {
	t.Parallel()

	msg := resolveError(t, testResolver(map[string]string{"ALICLOUD_ACCESS_KEY": "ak"}, ""), configInput{})
	if !strings.Contains(msg, "access_key is set (from ALICLOUD_ACCESS_KEY) but secret_key is not") ||
		!strings.Contains(msg, "ALICLOUD_SECRET_KEY or ALIBABA_CLOUD_ACCESS_KEY_SECRET") {
		t.Errorf("incomplete keys: %s", msg)
	}
	msg = resolveError(t, testResolver(nil, ""), configInput{SecretKey: "sk"})
	if !strings.Contains(msg, "secret_key is set (from secret_key) but access_key is not") {
		t.Errorf("incomplete keys: %s", msg)
	}
	if strings.Contains(msg, `"sk"`) {
		t.Errorf("message leaks the secret: %s", msg)
	}
}

func TestResolveInvalidRegion(t *testing.T) {
	t.Parallel()

	msg := resolveError(t, testResolver(nil, ""), configInput{Region: "cn hangzhou", AccessKey: "ak", SecretKey: "sk"})
	if !strings.Contains(msg, `The region "cn hangzhou" (from region) is not a valid`) {
		t.Errorf("invalid region: %s", msg)
	}
}

func TestResolveEndpoint(t *testing.T) {
	t.Parallel()

	keys := configInput{AccessKey: "ak", SecretKey: "sk"}
	cases := []struct {
		endpoint, protocol     string
		wantEndpoint, wantProt string
	}{
		{"127.0.0.1:8080", "HTTP", "127.0.0.1:8080", "HTTP"},
		{"127.0.0.1:8080", "", "127.0.0.1:8080", "HTTPS"},
		{"http://127.0.0.1:8080", "", "127.0.0.1:8080", "HTTP"},
		{"http://127.0.0.1:8080/", "HTTP", "127.0.0.1:8080", "HTTP"},
		{"https://apigateway.cn-hangzhou.aliyuncs.com", "", "apigateway.cn-hangzhou.aliyuncs.com", "HTTPS"},
		{"", "HTTP", "", "HTTP"},
	}
	for _, tc := range cases {
		in := keys
		in.Endpoint, in.Protocol = tc.endpoint, tc.protocol
		rc := mustResolve(t, testResolver(nil, ""), in)
		if rc.Endpoint != tc.wantEndpoint || rc.Protocol != tc.wantProt {
			t.Errorf("endpoint %q protocol %q: got %q/%q, want %q/%q", tc.endpoint, tc.protocol, rc.Endpoint, rc.Protocol, tc.wantEndpoint, tc.wantProt)
		}
	}

	in := keys
	in.Endpoint, in.Protocol = "http://127.0.0.1:8080", "HTTPS"
	msg := resolveError(t, testResolver(nil, ""), in)
	if !strings.Contains(msg, "Conflicting protocol settings") || !strings.Contains(msg, `protocol = "HTTPS"`) {
		t.Errorf("conflict: %s", msg)
	}

	in.Endpoint, in.Protocol = "ftp://host", ""
	msg = resolveError(t, testResolver(nil, ""), in)
	if !strings.Contains(msg, "Invalid API Gateway endpoint") || !strings.Contains(msg, `"ftp://host"`) {
		t.Errorf("malformed endpoint: %s", msg)
	}

	// A password in the URL is an error that must not repeat the password.
	in.Endpoint, in.Protocol = "http://admin:hunter2@127.0.0.1:8080", ""
	msg = resolveError(t, testResolver(nil, ""), in)
	if strings.Contains(msg, "hunter2") || !strings.Contains(msg, `"http://***@127.0.0.1:8080"`) {
		t.Errorf("endpoint with user information: %s", msg)
	}
}

func writeCLIConfig(t *testing.T, dir, content string) string {
	t.Helper()
	p := filepath.Join(dir, "config.json")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const cliConfigJSON = `{
  "current": "main",
  "profiles": [
    {"name": "main", "mode": "AK", "access_key_id": "main-ak", "access_key_secret": "main-sk", "region_id": "cn-shenzhen"},
    {"name": "temp", "mode": "StsToken", "access_key_id": "STS.temp", "access_key_secret": "temp-sk", "sts_token": "temp-token"},
    {"name": "role", "mode": "RamRoleArn", "access_key_id": "r-ak", "access_key_secret": "r-sk", "ram_role_arn": "acs:ram::1:role/x", "ram_session_name": "s"},
    {"name": "broken", "mode": "AK", "access_key_id": "only-id"},
    {"name": "weird", "mode": "Magic"}
  ]
}`

func TestResolveProfile(t *testing.T) {
	t.Parallel()

	dir := t.TempDir()
	file := writeCLIConfig(t, dir, cliConfigJSON)

	// Explicit file, current profile; its region_id is used when no region is set.
	rc := mustResolve(t, testResolver(nil, ""), configInput{SharedCredentialsFile: file})
	if ak, sk, _, _ := credentialOf(t, rc); ak != "main-ak" || sk != "main-sk" {
		t.Errorf("current profile: got %q/%q", ak, sk)
	}
	if rc.Region != "cn-shenzhen" {
		t.Errorf("region = %q, want the profile's cn-shenzhen", rc.Region)
	}
	// A configured region beats the profile's.
	rc = mustResolve(t, testResolver(map[string]string{"ALICLOUD_REGION": "cn-qingdao"}, ""), configInput{SharedCredentialsFile: file})
	if rc.Region != "cn-qingdao" {
		t.Errorf("region = %q, want cn-qingdao from ALICLOUD_REGION", rc.Region)
	}

	// Profile from the environment, file from the environment.
	env := map[string]string{"ALICLOUD_PROFILE": "temp", "ALICLOUD_SHARED_CREDENTIALS_FILE": file}
	rc = mustResolve(t, testResolver(env, ""), configInput{})
	if ak, _, token, typ := credentialOf(t, rc); ak != "STS.temp" || token != "temp-token" || typ != "sts" {
		t.Errorf("StsToken profile: got %q/%q/%q", ak, token, typ)
	}

	// Static keys beat a profile.
	rc = mustResolve(t, testResolver(env, ""), configInput{AccessKey: "k", SecretKey: "s"})
	if ak, _, _, _ := credentialOf(t, rc); ak != "k" {
		t.Errorf("static keys should beat the profile, got %q", ak)
	}

	// A profile written in the provider block beats static keys that only the environment names,
	// while keys from the environment still beat a profile from the environment.
	envKeys := map[string]string{"ALICLOUD_ACCESS_KEY": "env-ak", "ALICLOUD_SECRET_KEY": "env-sk", "ALICLOUD_PROFILE": "temp", "ALICLOUD_SHARED_CREDENTIALS_FILE": file}
	rc = mustResolve(t, testResolver(envKeys, ""), configInput{SharedCredentialsFile: file, Profile: "main"})
	if ak, _, _, _ := credentialOf(t, rc); ak != "main-ak" {
		t.Errorf("profile in the block should beat env keys, got %q", ak)
	}
	rc = mustResolve(t, testResolver(envKeys, ""), configInput{})
	if ak, _, _, _ := credentialOf(t, rc); ak != "env-ak" {
		t.Errorf("env keys should beat an env profile, got %q", ak)
	}
	// A block access key still completes with a secret from the environment.
	rc = mustResolve(t, testResolver(envKeys, ""), configInput{AccessKey: "block-ak"})
	if ak, sk, _, _ := credentialOf(t, rc); ak != "block-ak" || sk != "env-sk" {
		t.Errorf("block access key + env secret: got %q/%q", ak, sk)
	}

	// A role profile is accepted without any network call (credentials-go fetches lazily).
	rc = mustResolve(t, testResolver(nil, ""), configInput{SharedCredentialsFile: file, Profile: "role"})
	if !strings.Contains(rc.CredentialSource, "RamRoleArn") {
		t.Errorf("role profile source = %q", rc.CredentialSource)
	}

	// Default location under the home directory, with "~" expansion for an explicit path.
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, ".aliyun"), 0o700); err != nil {
		t.Fatal(err)
	}
	writeCLIConfig(t, filepath.Join(home, ".aliyun"), cliConfigJSON)
	rc = mustResolve(t, testResolver(nil, home), configInput{})
	if ak, _, _, _ := credentialOf(t, rc); ak != "main-ak" {
		t.Errorf("implicit ~/.aliyun/config.json: got %q", ak)
	}
	rc = mustResolve(t, testResolver(nil, home), configInput{SharedCredentialsFile: "~/.aliyun/config.json", Profile: "temp"})
	if ak, _, _, _ := credentialOf(t, rc); ak != "STS.temp" {
		t.Errorf("~ expansion: got %q", ak)
	}
}

func TestResolveProfileErrors(t *testing.T) {
	t.Parallel()

	dir := t.TempDir()
	file := writeCLIConfig(t, dir, cliConfigJSON)

	msg := resolveError(t, testResolver(nil, ""), configInput{SharedCredentialsFile: file, Profile: "nope"})
	for _, want := range []string{`Unknown profile`, `Profile "nope" (from profile) is not in ` + file, `"broken", "main", "role", "temp", "weird"`, "ALICLOUD_PROFILE"} {
		if !strings.Contains(msg, want) {
			t.Errorf("unknown profile message lacks %q:\n%s", want, msg)
		}
	}

	msg = resolveError(t, testResolver(nil, ""), configInput{SharedCredentialsFile: filepath.Join(dir, "missing.json")})
	if !strings.Contains(msg, "Cannot read the shared credentials file") || !strings.Contains(msg, "no such file") ||
		!strings.Contains(msg, "ALICLOUD_SHARED_CREDENTIALS_FILE") {
		t.Errorf("missing file: %s", msg)
	}

	// An explicitly named profile with no file anywhere is an error, not "no credentials".
	msg = resolveError(t, testResolver(map[string]string{"ALICLOUD_PROFILE": "main"}, t.TempDir()), configInput{})
	if !strings.Contains(msg, "Cannot read the shared credentials file") {
		t.Errorf("profile without file: %s", msg)
	}

	msg = resolveError(t, testResolver(nil, ""), configInput{SharedCredentialsFile: file, Profile: "broken"})
	if !strings.Contains(msg, `Profile "broken"`) || !strings.Contains(msg, "no complete access_key_id / access_key_secret") {
		t.Errorf("incomplete profile: %s", msg)
	}
	msg = resolveError(t, testResolver(nil, ""), configInput{SharedCredentialsFile: file, Profile: "weird"})
	if !strings.Contains(msg, `mode "Magic"`) {
		t.Errorf("unsupported mode: %s", msg)
	}

	bad := writeCLIConfig(t, t.TempDir(), "not json")
	msg = resolveError(t, testResolver(nil, ""), configInput{SharedCredentialsFile: bad})
	if !strings.Contains(msg, "is not an aliyun CLI configuration file") {
		t.Errorf("corrupt file: %s", msg)
	}
}

func TestResolveEcsRole(t *testing.T) {
	t.Parallel()

	rc := mustResolve(t, testResolver(map[string]string{"ALICLOUD_ECS_ROLE_NAME": "tf-role"}, ""), configInput{})
	if typ := *rc.Credential.GetType(); typ != "ecs_ram_role" {
		t.Errorf("type = %q, want ecs_ram_role", typ)
	}
	if !strings.Contains(rc.CredentialSource, `"tf-role"`) {
		t.Errorf("source = %q", rc.CredentialSource)
	}
}

func TestResolveAssumeRole(t *testing.T) {
	t.Parallel()

	in := configInput{AccessKey: "ak", SecretKey: "sk", Region: "cn-hangzhou",
		AssumeRole: &assumeRoleInput{RoleARN: "acs:ram::123:role/tf", SessionExpiration: 1800}}
	rc := mustResolve(t, testResolver(nil, ""), in)
	if typ := *rc.Credential.GetType(); typ != "ram_role_arn" {
		t.Errorf("type = %q, want ram_role_arn", typ)
	}
	if !strings.Contains(rc.CredentialSource, "acs:ram::123:role/tf") || !strings.Contains(rc.CredentialSource, "access key") {
		t.Errorf("source = %q", rc.CredentialSource)
	}

	// The role ARN may come from the environment alone.
	rc = mustResolve(t, testResolver(map[string]string{"ALICLOUD_ASSUME_ROLE_ARN": "acs:ram::1:role/env"}, ""), configInput{AccessKey: "ak", SecretKey: "sk"})
	if typ := *rc.Credential.GetType(); typ != "ram_role_arn" {
		t.Errorf("env role: type = %q", typ)
	}

	msg := resolveError(t, testResolver(map[string]string{"ALICLOUD_ASSUME_ROLE_ARN": "acs:ram::1:role/env", "ALICLOUD_ASSUME_ROLE_SESSION_EXPIRATION": "60"}, ""),
		configInput{AccessKey: "ak", SecretKey: "sk"})
	if !strings.Contains(msg, "ALICLOUD_ASSUME_ROLE_SESSION_EXPIRATION") || !strings.Contains(msg, "between 900 and 43200") {
		t.Errorf("bad expiration: %s", msg)
	}

	// Assuming a role still needs base credentials.
	msg = resolveError(t, testResolver(nil, t.TempDir()), configInput{AssumeRole: &assumeRoleInput{RoleARN: "acs:ram::1:role/x"}})
	if !strings.Contains(msg, "No API Gateway credentials found") {
		t.Errorf("role without base credentials: %s", msg)
	}
}

// endpoints.sts is host[:port]; https:// is tolerated, http:// refused (STS is HTTPS only).
func TestResolveSTSEndpoint(t *testing.T) {
	for _, tc := range []struct{ raw, want, summary string }{
		{"", "", ""},
		{"sts-vpc.cn-hangzhou.aliyuncs.com", "sts-vpc.cn-hangzhou.aliyuncs.com", ""},
		{"https://127.0.0.1:8443/", "127.0.0.1:8443", ""},
		{"http://127.0.0.1:8080", "", "STS is called over HTTPS only"},
		{"127.0.0.1:8080/path", "", "Invalid STS endpoint"},
	} {
		got, diags := resolveSTSEndpoint(tc.raw)
		summary := ""
		if diags.HasError() {
			summary = diags.Errors()[0].Summary()
		}
		if got != tc.want || summary != tc.summary {
			t.Errorf("resolveSTSEndpoint(%q) = %q, %q; want %q, %q", tc.raw, got, summary, tc.want, tc.summary)
		}
	}
}
