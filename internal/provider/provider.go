// Package provider implements the apigateway Terraform provider: its configuration; the
// apigateway_api_product, apigateway_api_product_attachment and apigateway_api_product_authorization
// resources (with resource identities); the list resources of attachments and authorizations; and
// the apigateway_api_product and apigateway_app_api_products data sources. What the resources share
// (prelude, identity, import, "gone" rule) is in resource_plumbing.go, diagnostics worded once in
// diagnostics.go, and every decision on an error of the client in errors.go.
package provider

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"os"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/cloudapi/terraform-provider-apigateway/internal/cloudapi"
)

// Address is the provider's registry address.
const Address = "registry.terraform.io/cloudapi/apigateway"

var (
	_ provider.Provider                  = (*apigatewayProvider)(nil)
	_ provider.ProviderWithListResources = (*apigatewayProvider)(nil)
)

// apigatewayProvider is the provider implementation. The function fields are seams for tests, which
// must not depend on the environment or home directory of the machine running them.
type apigatewayProvider struct {
	version string
	getenv  func(string) string
	homeDir func() (string, error)
	// retry is passed to the client; the zero value means cloudapi.DefaultRetryPolicy.
	retry cloudapi.RetryPolicy
	// now is the clock that decides whether an authorization has expired; nil means time.Now.
	now func() time.Time
	// newClient builds the client; nil means cloudapi.New.
	newClient func(cloudapi.Config) (*cloudapi.Client, error)
}

// providerData is what Configure hands to resources and data sources.
type providerData struct {
	client *cloudapi.Client
	region string
	// endpoint is the host the client talks to, for messages.
	endpoint string
	// now tells the time (time.Now outside tests).
	now func() time.Time
	// refreshMaxStaleness is how old a product's listing may be to answer a refresh
	// (refresh_max_staleness).
	refreshMaxStaleness time.Duration
}

// refresh is the freshness a refresh's reads ask for: a product's listing at most
// refresh_max_staleness old (DESIGN.md, "Shared listings and their freshness rule").
func (d *providerData) refresh() cloudapi.Freshness { return cloudapi.AtMost(d.refreshMaxStaleness) }

// configuredData takes the provider data a resource or data source is configured with: nil before
// the provider itself is configured, and nil with an error in diags for anything this provider
// never hands out.
func configuredData(raw any, diags *diag.Diagnostics) *providerData {
	if raw == nil {
		return nil
	}
	data, ok := raw.(*providerData)
	if !ok {
		diags.AddError("Unexpected provider data",
			fmt.Sprintf("Expected *providerData, got %T. This is a bug in the provider; please report it.", raw))
		return nil
	}
	return data
}

// New returns a constructor of the provider for providerserver.Serve; version is the release
// version set at build time ("dev" for local builds, "test" in acceptance tests).
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &apigatewayProvider{
			version: version,
			getenv:  os.Getenv,
			homeDir: os.UserHomeDir,
		}
	}
}

type providerModel struct {
	Region                types.String `tfsdk:"region"`
	AccessKey             types.String `tfsdk:"access_key"`
	SecretKey             types.String `tfsdk:"secret_key"`
	SecurityToken         types.String `tfsdk:"security_token"`
	Profile               types.String `tfsdk:"profile"`
	SharedCredentialsFile types.String `tfsdk:"shared_credentials_file"`
	EcsRoleName           types.String `tfsdk:"ecs_role_name"`
	Protocol              types.String `tfsdk:"protocol"`
	AssumeRole            types.Object `tfsdk:"assume_role"`
	Endpoints             types.Object `tfsdk:"endpoints"`
	MaxBatchSize          types.Int64  `tfsdk:"max_batch_size"`
	RefreshMaxStaleness   types.String `tfsdk:"refresh_max_staleness"`
}

type assumeRoleModel struct {
	RoleARN           types.String `tfsdk:"role_arn"`
	SessionName       types.String `tfsdk:"session_name"`
	Policy            types.String `tfsdk:"policy"`
	SessionExpiration types.Int64  `tfsdk:"session_expiration"`
	ExternalID        types.String `tfsdk:"external_id"`
}

type endpointsModel struct {
	APIGateway types.String `tfsdk:"apigateway"`
	STS        types.String `tfsdk:"sts"`
}

// Metadata implements provider.Provider.
func (p *apigatewayProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "apigateway"
	resp.Version = p.version
}

// Schema implements provider.Provider.
func (p *apigatewayProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages which APIs, in which stage, belong to an Alibaba Cloud API Gateway (CloudAPI) **API product**. " +
			"Attribute names and environment variables mirror the `alicloud` provider, so an environment set up for it works unchanged. " +
			"A value in the provider block beats every environment variable; of two environment variables for one attribute, the first listed wins.\n\n" +
			"Credentials are taken from the first source that is configured: `access_key`/`secret_key` (optionally with `security_token`), " +
			"then `profile`/`shared_credentials_file`, then `ecs_role_name`, then the current profile of `~/.aliyun/config.json` if that file exists. " +
			"A source written in the provider block beats any source that only the environment names (a `profile` in the block wins over `ALICLOUD_ACCESS_KEY` in the environment). " +
			"`assume_role` wraps whichever of these was chosen. No request is made while configuring the provider: role credentials are fetched on the first API call.",
		Attributes: map[string]schema.Attribute{
			"region": schema.StringAttribute{
				MarkdownDescription: "Region of the API Gateway, e.g. `cn-hangzhou`. Also read from `ALICLOUD_REGION` or `ALIBABA_CLOUD_REGION`; " +
					"then from the `region_id` of the profile in use; defaults to `" + defaultRegion + "` (the `alicloud` provider's default).",
				Optional: true,
			},
			"access_key": schema.StringAttribute{
				MarkdownDescription: "Access key ID. Also read from `ALICLOUD_ACCESS_KEY` or `ALIBABA_CLOUD_ACCESS_KEY_ID`.",
				Optional:            true,
			},
			"secret_key": schema.StringAttribute{
				MarkdownDescription: "Access key secret. Also read from `ALICLOUD_SECRET_KEY` or `ALIBABA_CLOUD_ACCESS_KEY_SECRET`.",
				Optional:            true,
				Sensitive:           true,
			},
			"security_token": schema.StringAttribute{
				MarkdownDescription: "STS security token, for temporary access keys. Also read from `ALICLOUD_SECURITY_TOKEN` or `ALIBABA_CLOUD_SECURITY_TOKEN`.",
				Optional:            true,
				Sensitive:           true,
			},
			"profile": schema.StringAttribute{
				MarkdownDescription: "Name of a profile in the `aliyun` CLI configuration file (see `shared_credentials_file`). Also read from `ALICLOUD_PROFILE`. " +
					"When unset, the file's `current` profile is used. Profile modes `AK`, `StsToken`, `RamRoleArn`, `ChainableRamRoleArn`, `EcsRamRole`, `OIDC`, `CloudSSO`, `OAuth` and `External` are supported.",
				Optional: true,
			},
			"shared_credentials_file": schema.StringAttribute{
				MarkdownDescription: "Path of the `aliyun` CLI configuration file. Also read from `ALICLOUD_SHARED_CREDENTIALS_FILE`. Defaults to `~/.aliyun/config.json`.",
				Optional:            true,
			},
			"ecs_role_name": schema.StringAttribute{
				MarkdownDescription: "RAM role attached to the ECS instance Terraform runs on; credentials come from the instance metadata service. " +
					"Also read from `ALICLOUD_ECS_ROLE_NAME` or `ALIBABA_CLOUD_ECS_METADATA`.",
				Optional: true,
			},
			"protocol": schema.StringAttribute{
				MarkdownDescription: "Protocol used to call the API: `HTTPS` (default) or `HTTP` (for a local emulator). " +
					"When unset and `endpoints.apigateway` is a URL, its scheme decides.",
				Optional: true,
				Validators: []validator.String{
					stringvalidator.OneOf(cloudapi.ProtocolHTTPS, cloudapi.ProtocolHTTP),
				},
			},
		},
		Blocks: map[string]schema.Block{
			"assume_role": schema.SingleNestedBlock{
				MarkdownDescription: "Assume a RAM role with the credentials chosen above. STS is called on the first API request, not while configuring.",
				Attributes: map[string]schema.Attribute{
					"role_arn": schema.StringAttribute{
						MarkdownDescription: "ARN of the role to assume, e.g. `acs:ram::123456789012:role/terraform`. Also read from `ALICLOUD_ASSUME_ROLE_ARN` or `ALIBABA_CLOUD_ROLE_ARN`; " +
							"an empty value means no role is assumed.",
						Optional: true,
					},
					"session_name": schema.StringAttribute{
						MarkdownDescription: "Session name passed to AssumeRole. Also read from `ALICLOUD_ASSUME_ROLE_SESSION_NAME` or `ALIBABA_CLOUD_ROLE_SESSION_NAME`. Defaults to `" + defaultSessionName + "`.",
						Optional:            true,
					},
					"policy": schema.StringAttribute{
						MarkdownDescription: "A policy document further restricting the assumed role's permissions.",
						Optional:            true,
					},
					"session_expiration": schema.Int64Attribute{
						MarkdownDescription: "Lifetime of the role session in seconds, 900 to 43200. Also read from `ALICLOUD_ASSUME_ROLE_SESSION_EXPIRATION`. Defaults to 3600.",
						Optional:            true,
						Validators: []validator.Int64{
							int64validator.Between(900, 43200),
						},
					},
					"external_id": schema.StringAttribute{
						MarkdownDescription: "External ID required by the role's trust policy, if any.",
						Optional:            true,
					},
				},
			},
			"endpoints": schema.SingleNestedBlock{
				MarkdownDescription: "Custom service endpoints.",
				Attributes: map[string]schema.Attribute{
					"apigateway": schema.StringAttribute{
						MarkdownDescription: "API Gateway endpoint as `host` or `host:port`, replacing `apigateway.<region>.aliyuncs.com`. " +
							"A URL such as `http://127.0.0.1:8080` is accepted too; its scheme sets `protocol` unless `protocol` is set (they must then agree).",
						Optional: true,
					},
					"sts": schema.StringAttribute{
						MarkdownDescription: "STS endpoint for `assume_role` as `host` or `host:port`, replacing `sts.<region>.aliyuncs.com` " +
							"(for example a VPC endpoint such as `sts-vpc.cn-hangzhou.aliyuncs.com`). STS is always called over HTTPS, so " +
							"`https://host` is accepted and `http://` is not; a private CA is trusted through `SSL_CERT_FILE`.",
						Optional: true,
					},
				},
			},
		},
	}
	maps.Copy(resp.Schema.Attributes, tuningAttributes())
}

// Configure implements provider.Provider. It makes no network call: credentials that need one
// (assume_role, ECS role, role-based profiles) are resolved lazily by credentials-go.
func (p *apigatewayProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}

	in, unknown := p.configInput(ctx, cfg, resp)
	tn, tunknown := clientTuning(cfg, &resp.Diagnostics)
	unknown = cmp.Or(unknown, tunknown)
	if resp.Diagnostics.HasError() {
		return
	}
	if unknown != "" {
		// Unknown values are legitimate during plan (e.g. region from another resource). Where
		// Terraform supports deferred actions the framework then defers everything; otherwise the
		// provider stays unconfigured: resources skip their plan-time checks and keep their state,
		// and data sources explain why they cannot be read yet.
		tflog.Debug(ctx, "provider configuration has unknown values, deferring configuration", map[string]any{"attribute": unknown})
		if req.ClientCapabilities.DeferralAllowed {
			resp.Deferred = &provider.Deferred{Reason: provider.DeferredReasonProviderConfigUnknown}
		}
		return
	}

	resolver := configResolver{getenv: p.getenv, homeDir: p.homeDir}
	rc, diags := resolver.resolve(in)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	newClient := p.newClient
	if newClient == nil {
		newClient = cloudapi.New
	}
	client, err := newClient(cloudapi.Config{
		RegionID:     rc.Region,
		Endpoint:     rc.Endpoint,
		Protocol:     rc.Protocol,
		Credential:   rc.Credential,
		UserAgent:    fmt.Sprintf("terraform-provider-apigateway/%s terraform/%s", p.version, req.TerraformVersion),
		Retry:        p.retry,
		MaxBatchSize: tn.maxBatchSize,
	})
	if err != nil {
		resp.Diagnostics.AddError("Cannot create the API Gateway client", err.Error())
		return
	}

	endpoint := client.Endpoint()
	tflog.Info(ctx, "configured API Gateway provider", map[string]any{
		"region":            rc.Region,
		"endpoint":          endpoint,
		"protocol":          rc.Protocol,
		"credential_source": rc.CredentialSource,
	})

	now := p.now
	if now == nil {
		now = time.Now
	}
	data := &providerData{client: client, region: rc.Region, endpoint: endpoint, now: now, refreshMaxStaleness: tn.refreshMaxStaleness}
	resp.ResourceData = data
	resp.DataSourceData = data
	resp.ListResourceData = data
}

// stringField ties a configuration value to its destination in configInput.
type stringField struct {
	name string
	v    types.String
	dst  *string
}

// configInput flattens the model into plain strings. It returns the name of the first unknown
// attribute, if any.
func (p *apigatewayProvider) configInput(ctx context.Context, cfg providerModel, resp *provider.ConfigureResponse) (configInput, string) {
	var in configInput
	strs := []stringField{
		{"region", cfg.Region, &in.Region},
		{"access_key", cfg.AccessKey, &in.AccessKey},
		{"secret_key", cfg.SecretKey, &in.SecretKey},
		{"security_token", cfg.SecurityToken, &in.SecurityToken},
		{"profile", cfg.Profile, &in.Profile},
		{"shared_credentials_file", cfg.SharedCredentialsFile, &in.SharedCredentialsFile},
		{"ecs_role_name", cfg.EcsRoleName, &in.EcsRoleName},
		{"protocol", cfg.Protocol, &in.Protocol},
	}
	if cfg.AssumeRole.IsUnknown() {
		return in, "assume_role"
	}
	if cfg.Endpoints.IsUnknown() {
		return in, "endpoints"
	}
	if !cfg.Endpoints.IsNull() {
		var ep endpointsModel
		resp.Diagnostics.Append(cfg.Endpoints.As(ctx, &ep, basetypes.ObjectAsOptions{})...)
		strs = append(strs, stringField{"endpoints.apigateway", ep.APIGateway, &in.Endpoint},
			stringField{"endpoints.sts", ep.STS, &in.STSEndpoint})
	}
	if !cfg.AssumeRole.IsNull() {
		var ar assumeRoleModel
		resp.Diagnostics.Append(cfg.AssumeRole.As(ctx, &ar, basetypes.ObjectAsOptions{})...)
		if ar.SessionExpiration.IsUnknown() {
			return in, "assume_role.session_expiration"
		}
		in.AssumeRole = &assumeRoleInput{SessionExpiration: ar.SessionExpiration.ValueInt64()}
		strs = append(strs, []stringField{
			{"assume_role.role_arn", ar.RoleARN, &in.AssumeRole.RoleARN},
			{"assume_role.session_name", ar.SessionName, &in.AssumeRole.SessionName},
			{"assume_role.policy", ar.Policy, &in.AssumeRole.Policy},
			{"assume_role.external_id", ar.ExternalID, &in.AssumeRole.ExternalID},
		}...)
	}
	for _, s := range strs {
		if s.v.IsUnknown() {
			return in, s.name
		}
		*s.dst = s.v.ValueString()
	}
	return in, ""
}

// Resources implements provider.Provider.
func (p *apigatewayProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewAPIProductAttachmentResource,
		NewAPIProductAuthorizationResource,
		NewAPIProductResource,
	}
}

// ListResources implements provider.ProviderWithListResources.
func (p *apigatewayProvider) ListResources(context.Context) []func() list.ListResource {
	return []func() list.ListResource{
		NewAPIProductAttachmentListResource,
		NewAPIProductAuthorizationListResource,
	}
}

// DataSources implements provider.Provider.
func (p *apigatewayProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewAPIProductDataSource,
		NewAppAPIProductsDataSource,
	}
}
