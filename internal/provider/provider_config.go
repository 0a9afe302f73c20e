package provider

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/aliyun/credentials-go/credentials"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/cloudapi/terraform-provider-apigateway/internal/cloudapi"
)

// defaultRegion matches the alicloud provider's documented default, so that a configuration that
// uses both providers without a region talks to the same region with both.
const defaultRegion = "cn-beijing"

// defaultSessionName is what the alicloud provider passes to AssumeRole when session_name is unset.
const defaultSessionName = "terraform"

// Environment variables per attribute, in precedence order: the first non-empty one wins, and a
// value in the configuration beats all of them. ALICLOUD_* come first because they are the alicloud
// provider's primary names.
var (
	envRegion                = []string{"ALICLOUD_REGION", "ALIBABA_CLOUD_REGION"}
	envAccessKey             = []string{"ALICLOUD_ACCESS_KEY", "ALIBABA_CLOUD_ACCESS_KEY_ID"}
	envSecretKey             = []string{"ALICLOUD_SECRET_KEY", "ALIBABA_CLOUD_ACCESS_KEY_SECRET"}
	envSecurityToken         = []string{"ALICLOUD_SECURITY_TOKEN", "ALIBABA_CLOUD_SECURITY_TOKEN"}
	envProfile               = []string{"ALICLOUD_PROFILE"}
	envSharedCredentialsFile = []string{"ALICLOUD_SHARED_CREDENTIALS_FILE"}
	envEcsRoleName           = []string{"ALICLOUD_ECS_ROLE_NAME", "ALIBABA_CLOUD_ECS_METADATA"}
	envRoleARN               = []string{"ALICLOUD_ASSUME_ROLE_ARN", "ALIBABA_CLOUD_ROLE_ARN"}
	envSessionName           = []string{"ALICLOUD_ASSUME_ROLE_SESSION_NAME", "ALIBABA_CLOUD_ROLE_SESSION_NAME"}
	envSessionExpiration     = []string{"ALICLOUD_ASSUME_ROLE_SESSION_EXPIRATION"}
)

var regionPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// maxRegionLen is far above any Alibaba Cloud region id (the longest are about 20 characters), so
// that a value that cannot be a region (a pasted token, a whole URL without punctuation) fails
// when the provider is configured instead of being signed into every request.
const maxRegionLen = 64

// configInput holds the provider block's values after Terraform decoding; "" means "not set".
type configInput struct {
	Region                string
	AccessKey             string
	SecretKey             string
	SecurityToken         string
	Profile               string
	SharedCredentialsFile string
	EcsRoleName           string
	Protocol              string
	Endpoint              string
	STSEndpoint           string
	AssumeRole            *assumeRoleInput
}

// assumeRoleInput is the assume_role block; SessionExpiration 0 means "not set".
type assumeRoleInput struct {
	RoleARN           string
	SessionName       string
	Policy            string
	SessionExpiration int64
	ExternalID        string
}

// resolvedConfig is everything needed to build a cloudapi.Client.
type resolvedConfig struct {
	Region   string
	Endpoint string // host[:port]; "" means the regional default
	Protocol string // HTTPS or HTTP
	// Credential is lazy for role-based sources: nothing is fetched until the first API call.
	Credential credentials.Credential
	// CredentialSource says where the credential came from, for logs; it never contains a secret.
	CredentialSource string
}

// configResolver turns configInput into resolvedConfig. Its environment and home directory are
// injectable so tests never depend on the machine running them.
type configResolver struct {
	getenv  func(string) string
	homeDir func() (string, error)
}

// valueFrom returns the configured value, else the first non-empty environment variable, and names
// the source for messages.
func (r configResolver) valueFrom(configured, attribute string, envs []string) (value, source string) {
	if configured != "" {
		return configured, attribute
	}
	for _, e := range envs {
		if v := r.getenv(e); v != "" {
			return v, e
		}
	}
	return "", ""
}

func (r configResolver) resolve(in configInput) (*resolvedConfig, diag.Diagnostics) {
	var diags diag.Diagnostics
	out := &resolvedConfig{}

	region, regionSource := r.valueFrom(in.Region, "region", envRegion)
	if region != "" && (len(region) > maxRegionLen || !regionPattern.MatchString(region)) {
		diags.AddAttributeError(path.Root("region"), "Invalid region",
			fmt.Sprintf("The region %q (from %s) is not a valid Alibaba Cloud region id such as \"cn-hangzhou\" or \"ap-southeast-1\".", region, regionSource))
		return nil, diags
	}

	endpoint, protocol, d := resolveEndpoint(in.Endpoint, in.Protocol)
	diags.Append(d...)
	if diags.HasError() {
		return nil, diags
	}
	out.Endpoint, out.Protocol = endpoint, protocol

	base, source, profileRegion, d := r.baseCredentials(in)
	diags.Append(d...)
	if diags.HasError() {
		return nil, diags
	}
	switch {
	case region != "":
		out.Region = region
	case profileRegion != "":
		out.Region = profileRegion
	default:
		out.Region = defaultRegion
	}

	stsEndpoint, d := resolveSTSEndpoint(in.STSEndpoint)
	diags.Append(d...)
	if diags.HasError() {
		return nil, diags
	}
	cp, source, d := r.assumeRole(in.AssumeRole, base, source, out.Region, stsEndpoint)
	diags.Append(d...)
	if diags.HasError() {
		return nil, diags
	}
	out.Credential = credentials.FromCredentialsProvider(credentialType(cp), cp)
	out.CredentialSource = source
	return out, diags
}

// resolveEndpoint turns cloudapi.ResolveEndpoint's verdict on endpoints.apigateway and protocol
// into a diagnostic on the attribute at fault. endpoint is "" when none is configured.
func resolveEndpoint(rawEndpoint, explicitProtocol string) (endpoint, protocol string, diags diag.Diagnostics) {
	attr := path.Root("endpoints").AtName("apigateway")
	endpoint, protocol, err := cloudapi.ResolveEndpoint(rawEndpoint, explicitProtocol)
	var ee *cloudapi.EndpointError
	switch {
	case err == nil:
		return endpoint, protocol, diags
	case errors.As(err, &ee) && ee.Scheme != "":
		diags.AddAttributeError(attr, "Conflicting protocol settings",
			fmt.Sprintf("endpoints.apigateway = %q uses %s, but protocol = %q. Remove the scheme from the endpoint or make protocol match it.", ee.Endpoint, ee.Scheme, explicitProtocol))
	case errors.As(err, &ee) && ee.Setting == "protocol":
		diags.AddAttributeError(path.Root("protocol"), "Invalid protocol", err.Error()+".")
	default:
		diags.AddAttributeError(attr, "Invalid API Gateway endpoint",
			fmt.Sprintf("endpoints.apigateway = %q cannot be used: %s. Use \"host\", \"host:port\" or a URL such as \"http://127.0.0.1:8080\".", cloudapi.RedactEndpoint(rawEndpoint), err))
	}
	return "", "", diags
}

// resolveSTSEndpoint reads endpoints.sts. credentials-go always calls STS over HTTPS, so a scheme
// other than https is a mistake worth stopping at, not something to ignore.
func resolveSTSEndpoint(raw string) (string, diag.Diagnostics) {
	var diags diag.Diagnostics
	if raw == "" {
		return "", diags
	}
	hostPort, _, err := cloudapi.ResolveEndpoint(raw, cloudapi.ProtocolHTTPS)
	var ee *cloudapi.EndpointError
	switch {
	case err == nil:
		return hostPort, diags
	case errors.As(err, &ee) && ee.Scheme != "":
		diags.AddAttributeError(path.Root("endpoints").AtName("sts"), "STS is called over HTTPS only",
			fmt.Sprintf("endpoints.sts = %q uses %s, but STS is always called over HTTPS. Write the endpoint as \"host[:port]\" (or with https://).", ee.Endpoint, ee.Scheme))
	default:
		diags.AddAttributeError(path.Root("endpoints").AtName("sts"), "Invalid STS endpoint",
			fmt.Sprintf("endpoints.sts = %q cannot be used: %s. Use \"host\" or \"host:port\".", cloudapi.RedactEndpoint(raw), err))
	}
	return "", diags
}

func envList(envs []string) string {
	if len(envs) == 1 {
		return envs[0]
	}
	return strings.Join(envs[:len(envs)-1], ", ") + " or " + envs[len(envs)-1]
}
