package proctest

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// badInputCase is one wrong input: the provider block's body and the resource's attributes (HCL),
// the stage that must fail (validate, plan or apply) and what its one diagnostic must say.
type badInputCase struct {
	name     string
	provider string // inside provider "apigateway" {}; "" = the working defaults
	resource string // inside the resource block; "" = the working defaults
	extra    string // more HCL (e.g. a terraform_data for unknown-at-plan values)
	stage    string
	want     string // regexp the one error diagnostic must match
}

// TestProcess_badInputMatrix runs every wrong input through terraform validate, plan and apply in
// that order, as a user meets them: the first stage that can know must fail, with exactly one
// error diagnostic that matches, and nothing may be written to the emulator.
func TestProcess_badInputMatrix(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 2)
	okProvider := func(e *env) string {
		return fmt.Sprintf("  region     = %q\n  access_key = %q\n  secret_key = %q\n  protocol   = \"HTTP\"\n  endpoints { apigateway = %q }\n",
			region, accessKey, secretKey, e.endpoint)
	}
	with := func(e *env, drop string, lines ...string) string {
		var out []string
		for _, l := range strings.Split(okProvider(e), "\n") {
			if drop != "" && strings.Contains(l, drop) {
				continue
			}
			out = append(out, l)
		}
		return strings.Join(append(out, lines...), "\n")
	}
	okResource := fmt.Sprintf("  api_product_id = \"badinput0001\"\n  api_id         = %q\n  stage_name     = \"RELEASE\"\n", apiID(0))
	res := func(attr, value string) string {
		var out []string
		for _, l := range strings.Split(okResource, "\n") {
			if !strings.Contains(l, attr+" ") {
				out = append(out, l)
			}
		}
		return strings.Join(append(out, fmt.Sprintf("  %s = %s", attr, value)), "\n")
	}
	long := strings.Repeat("a", 300)
	cases := []badInputCase{
		// Resource attributes.
		{name: "api_product_id empty", resource: res("api_product_id", `""`), stage: "validate", want: `Attribute api_product_id is empty`},
		{name: "api_product_id whitespace", resource: res("api_product_id", `" p1"`), stage: "validate", want: `api_product_id " p1" contains whitespace`},
		// Alibaba documents no limit for product ids (they are caller-chosen), so only the service
		// can refuse one: the apply fails, on the attach, with the service's answer.
		{name: "api_product_id too long", resource: res("api_product_id", `"`+long+`"`), stage: "apply", want: `Cannot attach API to API product(.|\n)*InvalidParameter`},
		{name: "api_id empty", resource: res("api_id", `""`), stage: "validate", want: `Attribute api_id is empty`},
		{name: "api_id whitespace", resource: res("api_id", `"a b"`), stage: "validate", want: `contains whitespace`},
		{name: "api_id too long", resource: res("api_id", `"`+long+`"`), stage: "plan", want: `API not found`},
		{name: "api_id wrong case", resource: res("api_id", fmt.Sprintf("%q", strings.ToUpper(apiID(0)))), stage: "plan", want: `API not found`},
		{name: "api_id unknown", resource: res("api_id", `"ffffffffffffffffffffffffffffffff"`), stage: "plan", want: `API not found`},
		{name: "stage_name empty", resource: res("stage_name", `""`), stage: "validate", want: `stage_name must be one of`},
		{name: "stage_name wrong case", resource: res("stage_name", `"release"`), stage: "validate", want: `did you mean "RELEASE"`},
		{name: "stage_name whitespace", resource: res("stage_name", `" RELEASE"`), stage: "validate", want: `stage_name must be one of`},
		{name: "stage_name too long", resource: res("stage_name", `"`+long+`"`), stage: "validate", want: `stage_name must be one of`},
		{name: "stage_name unknown at plan", resource: res("stage_name", `terraform_data.later.output`),
			extra: "resource \"terraform_data\" \"later\" {\n  input = \"release\"\n}\n", stage: "apply", want: `stage_name`},
		{name: "api_id unknown at plan", resource: res("api_id", `terraform_data.later.output`),
			extra: "resource \"terraform_data\" \"later\" {\n  input = \"a b\"\n}\n", stage: "apply", want: `api_id`},
		// Provider attributes.
		// An empty region, like an absent one, means ALICLOUD_REGION or the default (as in alicloud):
		// not an error.
		{name: "region empty", provider: with(e, "region", `  region = ""`), stage: "none"},
		{name: "region wrong case", provider: with(e, "region", `  region = "CN-HANGZHOU"`), stage: "plan", want: `region`},
		{name: "region whitespace", provider: with(e, "region", `  region = " cn-hangzhou"`), stage: "plan", want: `region`},
		{name: "region too long", provider: with(e, "region", `  region = "`+long+`"`), stage: "plan", want: `region`},
		// With an explicit endpoint the region only scopes the signature; no region catalog exists
		// to check it against, and the emulator (like a private endpoint) serves any region.
		{name: "region unknown", provider: with(e, "region", `  region = "xx-nowhere-9"`), stage: "none"},
		{name: "access_key empty", provider: with(e, "access_key", `  access_key = ""`), stage: "plan", want: `access_key|credentials`},
		{name: "access_key whitespace", provider: with(e, "access_key", `  access_key = " `+accessKey+`"`), stage: "plan", want: `access_key|access key`},
		{name: "access_key unknown", provider: with(e, "access_key", `  access_key = "LTAI5tNobodyHasThisKey"`), stage: "plan", want: `rejected the credentials`},
		{name: "secret_key wrong", provider: with(e, "secret_key", `  secret_key = "not-the-secret"`), stage: "plan", want: `rejected the credentials`},
		{name: "secret_key empty", provider: with(e, "secret_key", `  secret_key = ""`), stage: "plan", want: `secret_key`},
		{name: "security_token foreign", provider: with(e, "", `  security_token = "CAIS-foreign-token"`), stage: "plan", want: `rejected the credentials`},
		{name: "protocol wrong case", provider: with(e, "protocol", `  protocol = "http"`), stage: "validate", want: `protocol value must be one of`},
		{name: "endpoint malformed", provider: with(e, "endpoints", `  endpoints { apigateway = "http://[::1" }`), stage: "plan", want: `endpoints.apigateway`},
		{name: "endpoint with path", provider: with(e, "endpoints", `  endpoints { apigateway = "http://`+e.endpoint+`/x" }`), stage: "plan", want: `endpoints.apigateway`},
		{name: "endpoint whitespace", provider: with(e, "endpoints", `  endpoints { apigateway = " `+e.endpoint+`" }`), stage: "plan", want: `endpoints.apigateway`},
		{name: "endpoint scheme", provider: with(e, "endpoints", `  endpoints { apigateway = "ftp://`+e.endpoint+`" }`), stage: "plan", want: `endpoints.apigateway`},
		{name: "endpoint sts over HTTP", provider: with(e, "endpoints", fmt.Sprintf("  endpoints {\n    apigateway = %q\n    sts = \"http://127.0.0.1:1\"\n  }", e.endpoint)),
			stage: "plan", want: `endpoints.sts`},
		// Documented: an empty role_arn means no role is assumed (as in alicloud).
		{name: "assume_role empty arn", provider: with(e, "", `  assume_role { role_arn = "" }`), stage: "none"},
		{name: "assume_role short session", provider: with(e, "", `  assume_role {`, `    role_arn = "acs:ram::1:role/x"`, `    session_expiration = 1`, `  }`), stage: "validate", want: `session_expiration`},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(e.dir, fmt.Sprintf("case%02d", i))
			prov := tc.provider
			if prov == "" {
				prov = okProvider(e)
			}
			resBody := tc.resource
			if resBody == "" {
				resBody = okResource
			}
			cfg := "terraform {\n  required_providers {\n    apigateway = { source = \"cloudapi/apigateway\" }\n  }\n}\n" +
				"provider \"apigateway\" {\n" + prov + "\n}\n" + tc.extra +
				"resource \"apigateway_api_product_attachment\" \"x\" {\n" + resBody + "\n}\n"
			if err := os.MkdirAll(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(cfg), 0o600); err != nil {
				t.Fatal(err)
			}
			_, _, off := e.requestStats(0)
			failed, out := "", ""
			for _, stage := range []string{"validate", "plan", "apply"} {
				args := []string{stage, "-no-color"}
				if stage == "apply" {
					args = append(args, "-auto-approve")
				}
				cmd, buf := e.command(dir, nil, args...)
				if err := cmd.Run(); err != nil {
					failed, out = stage, buf.String()
					break
				}
			}
			var errs []string
			for d := range diagnostics(out) {
				if strings.HasPrefix(d, "Error: ") {
					errs = append(errs, d)
				}
			}
			errCount := strings.Count(out, "Error: ")
			if tc.stage == "none" {
				if failed != "" {
					t.Errorf("failed at %s, want success:\n%s", failed, tail(out))
				}
				e.terraform(dir, "destroy", "-auto-approve")
				return
			}
			if failed != tc.stage || errCount != 1 || !regexp.MustCompile(tc.want).MatchString(out) {
				t.Errorf("failed at %q (want %q) with %d error diagnostic(s) %v (want 1 matching %q):\n%s", failed, tc.stage, errCount, errs, tc.want, tail(out))
			}
			_, codes, _ := e.requestStats(off)
			data, _ := os.ReadFile(filepath.Join(e.dir, "emulator.log"))
			for _, line := range strings.Split(string(data[off:]), "\n") {
				if strings.Contains(line, "action=AttachApiProduct") && strings.Contains(line, "code=OK") ||
					strings.Contains(line, "action=DetachApiProduct") && strings.Contains(line, "code=OK") {
					t.Errorf("a write reached the emulator and succeeded: %s", line)
				}
			}
			t.Logf("failed at %s: %v; emulator answers other than OK: %v", failed, errs, codes)
		})
	}
	if got := e.attached("badinput0001"); len(got) > 0 {
		t.Errorf("the emulator holds %v after bad inputs", got)
	}
}
