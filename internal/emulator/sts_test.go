package emulator_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	cloudapi "github.com/alibabacloud-go/cloudapi-20160714/v5/client"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator"
	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator/signature"
	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator/signature/signaturetest"
)

const (
	roleAccount = "2222222222222222"
	roleARN     = "acs:ram::" + roleAccount + ":role/deployer"
)

// AssumeRole signed and sent as credentials-go does (V1, form body), over HTTP here (credentials-go
// itself, over HTTPS, is exercised by the provider's acceptance tests): the credentials it returns
// work for CloudAPI in the role's account, and each refusal has its code.
func TestAssumeRoleIssuesCredentialsForTheRoleAccount(t *testing.T) {
	s := startServer(t, emulator.WithRole(emulator.Role{ARN: roleARN, TrustedAccounts: []string{emulator.DefaultAccountID}}),
		emulator.WithRole(emulator.Role{ARN: "acs:ram::" + roleAccount + ":role/private"}))
	assume := func(arn, duration string) (int, map[string]any) {
		p := url.Values{"RoleArn": {arn}, "RoleSessionName": {"tf-test"}, "Action": {"AssumeRole"}, "Version": {"2015-04-01"},
			"Format": {"JSON"}, "AccessKeyId": {emulator.DefaultAccessKeyID}, "SignatureMethod": {"HMAC-SHA1"},
			"SignatureVersion": {"1.0"}, "SignatureNonce": {"sts-" + arn + duration},
			"Timestamp": {time.Now().UTC().Format(signature.TimestampLayout)}}
		if duration != "" {
			p.Set("DurationSeconds", duration)
		}
		p.Set("Signature", signaturetest.SignV1(p, http.MethodPost, emulator.DefaultAccessKeySecret))
		req, err := http.NewRequest(http.MethodPost, s.URL()+"/", strings.NewReader(p.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return do(t, req)
	}
	status, m := assume(roleARN, "900")
	if status != http.StatusOK {
		t.Fatalf("AssumeRole: %d %v", status, m)
	}
	creds := m["Credentials"].(map[string]any)
	exp, err := time.Parse(time.RFC3339, creds["Expiration"].(string))
	if err != nil || time.Until(exp) > 16*time.Minute || time.Until(exp) < 14*time.Minute {
		t.Fatalf("Expiration %v (%v), want in 15 minutes", creds["Expiration"], err)
	}
	cfg := clientConfig(s, creds["AccessKeyId"].(string), creds["AccessKeySecret"].(string))
	cfg.SecurityToken = tea.String(creds["SecurityToken"].(string))
	g, err := typedClient(t, cfg).CreateApiGroup(&cloudapi.CreateApiGroupRequest{GroupName: tea.String("as_role")})
	if err != nil {
		t.Fatalf("CloudAPI with the role's credentials: %v", err)
	}
	// The group is the role account's: an API can be seeded into it there.
	if _, err := s.SeedAPI(roleAccount, "", emulator.APISpec{GroupID: tea.StringValue(g.Body.GroupId), Name: "api_one", Path: "/one"}); err != nil {
		t.Fatalf("group made with the role's credentials is not in the role's account: %v", err)
	}

	for _, tc := range []struct {
		arn, duration, code string
		status              int
	}{
		{"acs:ram::" + roleAccount + ":role/nobody", "", "EntityNotExist.Role", 404},
		{"acs:ram::" + roleAccount + ":role/private", "", "NoPermission", 403},
		{roleARN, "899", "InvalidParameter.DurationSeconds", 400},
		{roleARN, "43201", "InvalidParameter.DurationSeconds", 400},
		{"arn:aws:iam::1:role/x", "", "InvalidParameter.RoleArn", 400},
	} {
		status, m := assume(tc.arn, tc.duration)
		if status != tc.status || m["Code"] != tc.code {
			t.Errorf("AssumeRole(%s, %q) = %d %v, want %d %s", tc.arn, tc.duration, status, m["Code"], tc.status, tc.code)
		}
	}
}
