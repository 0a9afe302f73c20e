package provider

import (
	"fmt"
	"strconv"

	"github.com/aliyun/credentials-go/credentials/providers"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
)

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
		diags.AddAttributeError(path.Root("secret_key"), summaryIncompleteCredentials,
			fmt.Sprintf("access_key is set (from %s) but secret_key is not. Set secret_key in the provider block or the %s environment variable.", akSource, envList(envSecretKey)))
		return nil, "", "", diags
	case accessKey == "" && secretKey != "":
		diags.AddAttributeError(path.Root("access_key"), summaryIncompleteCredentials,
			fmt.Sprintf("secret_key is set (from %s) but access_key is not. Set access_key in the provider block or the %s environment variable.", skSource, envList(envAccessKey)))
		return nil, "", "", diags
	case accessKey == "" && token != "":
		diags.AddAttributeError(path.Root("security_token"), summaryIncompleteCredentials,
			fmt.Sprintf("security_token is set (from %s) but access_key and secret_key are not. An STS token is only valid with the temporary access key pair it was issued with.", tokenSource))
		return nil, "", "", diags
	case accessKey != "" && token != "":
		p, err := providers.NewStaticSTSCredentialsProviderBuilder().
			WithAccessKeyId(accessKey).WithAccessKeySecret(secretKey).WithSecurityToken(token).Build()
		if err != nil {
			diags.AddAttributeError(path.Root("security_token"), summaryInvalidCredentials, err.Error())
			return nil, "", "", diags
		}
		return p, fmt.Sprintf("STS token (access key from %s)", akSource), "", diags
	case accessKey != "":
		p, err := providers.NewStaticAKCredentialsProviderBuilder().
			WithAccessKeyId(accessKey).WithAccessKeySecret(secretKey).Build()
		if err != nil {
			diags.AddAttributeError(path.Root("access_key"), summaryInvalidCredentials, err.Error())
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
