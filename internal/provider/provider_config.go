package provider

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/aliyun/credentials-go/credentials"
	"github.com/aliyun/credentials-go/credentials/providers"
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

// baseCredentials picks the credential before any role assumption, in this order: static keys
// (configuration, then environment), an explicitly chosen profile or shared credentials file, an
// ECS instance RAM role, and finally the current profile of ~/.aliyun/config.json if that file exists.
// A method written in the provider block beats every method that only the environment names: a
// `profile = "prod"` in the block must not lose to ALICLOUD_ACCESS_KEY left in a shell, since the
// attribute is the more deliberate choice.
func (r configResolver) baseCredentials(in configInput) (cp providers.CredentialsProvider, source, profileRegion string, diags diag.Diagnostics) {
	staticInBlock := in.AccessKey != "" || in.SecretKey != "" || in.SecurityToken != ""
	profileInBlock := in.Profile != "" || in.SharedCredentialsFile != ""
	ecsInBlock := in.EcsRoleName != ""
	anyInBlock := staticInBlock || profileInBlock || ecsInBlock
	envFor := func(inBlock bool, envs []string) []string {
		if anyInBlock && !inBlock {
			return nil
		}
		return envs
	}

	accessKey, akSource := r.valueFrom(in.AccessKey, "access_key", envFor(staticInBlock, envAccessKey))
	secretKey, skSource := r.valueFrom(in.SecretKey, "secret_key", envFor(staticInBlock, envSecretKey))
	token, tokenSource := r.valueFrom(in.SecurityToken, "security_token", envFor(staticInBlock, envSecurityToken))

	switch {
	case accessKey != "" && secretKey == "":
		diags.AddAttributeError(path.Root("secret_key"), "Incomplete API Gateway credentials",
			fmt.Sprintf("access_key is set (from %s) but secret_key is not. Set secret_key in the provider block or the %s environment variable.", akSource, envList(envSecretKey)))
		return nil, "", "", diags
	case accessKey == "" && secretKey != "":
		diags.AddAttributeError(path.Root("access_key"), "Incomplete API Gateway credentials",
			fmt.Sprintf("secret_key is set (from %s) but access_key is not. Set access_key in the provider block or the %s environment variable.", skSource, envList(envAccessKey)))
		return nil, "", "", diags
	case accessKey == "" && token != "":
		diags.AddAttributeError(path.Root("security_token"), "Incomplete API Gateway credentials",
			fmt.Sprintf("security_token is set (from %s) but access_key and secret_key are not. An STS token is only valid with the temporary access key pair it was issued with.", tokenSource))
		return nil, "", "", diags
	case accessKey != "" && token != "":
		p, err := providers.NewStaticSTSCredentialsProviderBuilder().
			WithAccessKeyId(accessKey).WithAccessKeySecret(secretKey).WithSecurityToken(token).Build()
		if err != nil {
			diags.AddAttributeError(path.Root("security_token"), "Invalid API Gateway credentials", err.Error())
			return nil, "", "", diags
		}
		return p, fmt.Sprintf("STS token (access key from %s)", akSource), "", diags
	case accessKey != "":
		p, err := providers.NewStaticAKCredentialsProviderBuilder().
			WithAccessKeyId(accessKey).WithAccessKeySecret(secretKey).Build()
		if err != nil {
			diags.AddAttributeError(path.Root("access_key"), "Invalid API Gateway credentials", err.Error())
			return nil, "", "", diags
		}
		return p, fmt.Sprintf("access key (from %s)", akSource), "", diags
	}

	profile, profileSource := r.valueFrom(in.Profile, "profile", envFor(profileInBlock, envProfile))
	file, fileSource := r.valueFrom(in.SharedCredentialsFile, "shared_credentials_file", envFor(profileInBlock, envSharedCredentialsFile))
	if profile != "" || file != "" {
		return r.profileCredentials(profile, profileSource, file, fileSource, true)
	}

	if role, roleSource := r.valueFrom(in.EcsRoleName, "ecs_role_name", envFor(ecsInBlock, envEcsRoleName)); role != "" {
		p, err := providers.NewECSRAMRoleCredentialsProviderBuilder().WithRoleName(role).Build()
		if err != nil {
			diags.AddAttributeError(path.Root("ecs_role_name"), "Invalid ECS RAM role configuration",
				fmt.Sprintf("ecs_role_name = %q (from %s): %s", role, roleSource, err))
			return nil, "", "", diags
		}
		return p, fmt.Sprintf("ECS RAM role %q (from %s)", role, roleSource), "", diags
	}

	// Like the aliyun CLI, fall back to the current profile of the default file, but only if it exists:
	// its absence is the ordinary "no credentials" case below.
	cp, source, profileRegion, diags = r.profileCredentials("", "", "", "", false)
	if cp != nil || diags.HasError() {
		return cp, source, profileRegion, diags
	}

	diags.AddAttributeError(path.Root("access_key"), "No API Gateway credentials found",
		"The provider needs Alibaba Cloud credentials and found none. Use one of:\n"+
			"  - access_key and secret_key in the provider block, or the environment variables ALICLOUD_ACCESS_KEY and ALICLOUD_SECRET_KEY "+
			"(ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET also work); add security_token (ALICLOUD_SECURITY_TOKEN) for an STS token;\n"+
			"  - profile (or "+envList(envProfile)+") naming a profile of the aliyun CLI file ~/.aliyun/config.json, or shared_credentials_file (or "+envList(envSharedCredentialsFile)+") pointing at another one;\n"+
			"  - ecs_role_name (or "+envList(envEcsRoleName)+") when running on an ECS instance with a RAM role.")
	return nil, "", "", diags
}

// cliConfig is the part of the aliyun CLI configuration file (~/.aliyun/config.json) we need.
type cliConfig struct {
	Current  string       `json:"current"`
	Profiles []cliProfile `json:"profiles"`
}

type cliProfile struct {
	Name            string `json:"name"`
	Mode            string `json:"mode"`
	AccessKeyID     string `json:"access_key_id"`
	AccessKeySecret string `json:"access_key_secret"`
	StsToken        string `json:"sts_token"`
	RegionID        string `json:"region_id"`
}

// profileCredentials reads the aliyun CLI file itself, so that a missing file, an unknown profile or
// an incomplete access key is reported during Configure; modes that need a network call (RamRoleArn,
// EcsRamRole, OIDC, ...) are delegated to credentials-go, which only contacts STS or the metadata
// service on the first API call. With explicit false, a missing default file returns no provider and
// no error.
func (r configResolver) profileCredentials(profile, profileSource, file, fileSource string, explicit bool) (providers.CredentialsProvider, string, string, diag.Diagnostics) {
	var diags diag.Diagnostics
	fileAttr := path.Root("shared_credentials_file")
	if file == "" {
		home, err := r.homeDir()
		if err != nil || home == "" {
			if explicit {
				diags.AddAttributeError(path.Root("profile"), "Cannot locate the shared credentials file",
					fmt.Sprintf("profile %q is set (from %s) but the home directory, and so ~/.aliyun/config.json, cannot be determined. Set shared_credentials_file or %s.", profile, profileSource, envList(envSharedCredentialsFile)))
			}
			return nil, "", "", diags
		}
		file, fileSource = filepath.Join(home, ".aliyun", "config.json"), "default location"
	} else if expanded, ok := r.expandHome(file); ok {
		file = expanded
	}

	data, err := os.ReadFile(file)
	if err != nil {
		if !explicit && errors.Is(err, fs.ErrNotExist) {
			return nil, "", "", diags
		}
		wanted := ""
		if profile != "" {
			wanted = fmt.Sprintf(", needed for profile %q (from %s),", profile, profileSource)
		}
		diags.AddAttributeError(fileAttr, "Cannot read the shared credentials file",
			fmt.Sprintf("The aliyun CLI configuration file %s (%s)%s cannot be read: %s. Set shared_credentials_file or %s to an existing file, or configure access_key and secret_key instead.",
				file, fileSource, wanted, errorWithoutPath(err), envList(envSharedCredentialsFile)))
		return nil, "", "", diags
	}
	var conf cliConfig
	if err := json.Unmarshal(data, &conf); err != nil {
		diags.AddAttributeError(fileAttr, "Invalid shared credentials file",
			fmt.Sprintf("%s (%s) is not an aliyun CLI configuration file (JSON with \"current\" and \"profiles\"): %s.", file, fileSource, err))
		return nil, "", "", diags
	}

	if profile == "" {
		profile, profileSource = conf.Current, "\"current\" in "+file
		if profile == "" {
			profile, profileSource = "default", "default profile name"
		}
	}
	var p *cliProfile
	names := make([]string, 0, len(conf.Profiles))
	for i := range conf.Profiles {
		names = append(names, conf.Profiles[i].Name)
		if conf.Profiles[i].Name == profile {
			p = &conf.Profiles[i]
		}
	}
	if p == nil {
		sort.Strings(names)
		known := "it defines no profiles"
		if len(names) > 0 {
			known = "it defines " + quotedList(names)
		}
		diags.AddAttributeError(path.Root("profile"), "Unknown profile",
			fmt.Sprintf("Profile %q (from %s) is not in %s; %s. Set profile or %s to one of them.", profile, profileSource, file, known, envList(envProfile)))
		return nil, "", "", diags
	}

	source := fmt.Sprintf("profile %q in %s", profile, file)
	switch p.Mode {
	case "AK", "":
		cp, err := providers.NewStaticAKCredentialsProviderBuilder().
			WithAccessKeyId(p.AccessKeyID).WithAccessKeySecret(p.AccessKeySecret).Build()
		if err != nil || p.AccessKeyID == "" || p.AccessKeySecret == "" {
			diags.AddAttributeError(path.Root("profile"), "Incomplete profile",
				fmt.Sprintf("Profile %q in %s has mode AK but no complete access_key_id / access_key_secret.", profile, file))
			return nil, "", "", diags
		}
		return cp, source, p.RegionID, diags
	case "StsToken":
		cp, err := providers.NewStaticSTSCredentialsProviderBuilder().
			WithAccessKeyId(p.AccessKeyID).WithAccessKeySecret(p.AccessKeySecret).WithSecurityToken(p.StsToken).Build()
		if err != nil || p.AccessKeyID == "" || p.AccessKeySecret == "" || p.StsToken == "" {
			diags.AddAttributeError(path.Root("profile"), "Incomplete profile",
				fmt.Sprintf("Profile %q in %s has mode StsToken but no complete access_key_id / access_key_secret / sts_token.", profile, file))
			return nil, "", "", diags
		}
		return cp, source, p.RegionID, diags
	case "RamRoleArn", "ChainableRamRoleArn", "EcsRamRole", "OIDC", "CloudSSO", "OAuth", "External":
		cp, err := providers.NewCLIProfileCredentialsProviderBuilder().WithProfileFile(file).WithProfileName(profile).Build()
		if err != nil {
			diags.AddAttributeError(path.Root("profile"), "Unusable profile",
				fmt.Sprintf("Profile %q in %s (mode %s) cannot be used: %s.", profile, file, p.Mode, err))
			return nil, "", "", diags
		}
		return cp, source + " (mode " + p.Mode + ")", p.RegionID, diags
	default:
		diags.AddAttributeError(path.Root("profile"), "Unsupported profile mode",
			fmt.Sprintf("Profile %q in %s has mode %q, which is not supported; use AK, StsToken, RamRoleArn, ChainableRamRoleArn, EcsRamRole, OIDC, CloudSSO, OAuth or External.", profile, file, p.Mode))
		return nil, "", "", diags
	}
}

// assumeRole wraps base in a RAM role assumption when a role ARN is configured (block or
// environment). credentials-go calls STS AssumeRole lazily, on the first request that needs keys.
func (r configResolver) assumeRole(in *assumeRoleInput, base providers.CredentialsProvider, baseSource, region, stsEndpoint string) (providers.CredentialsProvider, string, diag.Diagnostics) {
	var diags diag.Diagnostics
	if in == nil {
		in = &assumeRoleInput{}
	}
	arn, arnSource := r.valueFrom(in.RoleARN, "assume_role.role_arn", envRoleARN)
	if arn == "" {
		return base, baseSource, diags
	}
	sessionName, _ := r.valueFrom(in.SessionName, "assume_role.session_name", envSessionName)
	if sessionName == "" {
		sessionName = defaultSessionName
	}
	expiration := in.SessionExpiration
	if expiration == 0 {
		if v, src := r.valueFrom("", "assume_role.session_expiration", envSessionExpiration); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 900 || n > 43200 {
				diags.AddAttributeError(path.Root("assume_role").AtName("session_expiration"), "Invalid session expiration",
					fmt.Sprintf("%s = %q must be a number of seconds between 900 and 43200.", src, v))
				return nil, "", diags
			}
			expiration = n
		}
	}
	if expiration == 0 {
		expiration = 3600
	}
	builder := providers.NewRAMRoleARNCredentialsProviderBuilder().
		WithCredentialsProvider(base).
		WithRoleArn(arn).
		WithRoleSessionName(sessionName).
		WithDurationSeconds(int(expiration)).
		WithPolicy(in.Policy).
		WithExternalId(in.ExternalID).
		WithStsRegionId(region)
	if stsEndpoint != "" {
		builder = builder.WithStsEndpoint(stsEndpoint)
	}
	// credentials-go refreshes the role's credentials itself, 3 minutes before they expire, so a long
	// apply keeps working past the session duration.
	cp, err := builder.Build()
	if err != nil {
		diags.AddAttributeError(path.Root("assume_role").AtName("role_arn"), "Invalid assume_role configuration",
			fmt.Sprintf("Role %q (from %s) cannot be assumed: %s.", arn, arnSource, err))
		return nil, "", diags
	}
	return cp, fmt.Sprintf("RAM role %q (from %s) assumed with %s", arn, arnSource, baseSource), diags
}

func (r configResolver) expandHome(p string) (string, bool) {
	if p != "~" && !strings.HasPrefix(p, "~/") {
		return p, false
	}
	home, err := r.homeDir()
	if err != nil || home == "" {
		return p, false
	}
	return filepath.Join(home, strings.TrimPrefix(p, "~")), true
}

// credentialType names the credentials-go type for a provider, so SDK user agents and logs say what
// kind of credential signs the requests.
func credentialType(cp providers.CredentialsProvider) string {
	switch cp.(type) {
	case *providers.StaticAKCredentialsProvider:
		return "access_key"
	case *providers.StaticSTSCredentialsProvider:
		return "sts"
	case *providers.RAMRoleARNCredentialsProvider:
		return "ram_role_arn"
	case *providers.ECSRAMRoleCredentialsProvider:
		return "ecs_ram_role"
	default:
		return cp.GetProviderName()
	}
}

// errorWithoutPath drops the path os.ReadFile repeats in its error, since the message already names it.
func errorWithoutPath(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func envList(envs []string) string {
	if len(envs) == 1 {
		return envs[0]
	}
	return strings.Join(envs[:len(envs)-1], ", ") + " or " + envs[len(envs)-1]
}
