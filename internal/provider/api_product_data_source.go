package provider

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/cloudapi/terraform-provider-apigateway/internal/cloudapi"
)

var _ datasource.DataSourceWithConfigure = (*apiProductDataSource)(nil)

// NewAPIProductDataSource returns the apigateway_api_product data source.
func NewAPIProductDataSource() datasource.DataSource {
	return &apiProductDataSource{dataSourceBase{name: "_api_product"}}
}

// apiProductDataSource lists the APIs attached to an API product.
type apiProductDataSource struct{ dataSourceBase }

type apiProductDataSourceModel struct {
	ID             types.String             `tfsdk:"id"`
	APIProductID   types.String             `tfsdk:"api_product_id"`
	APIs           []apiProductAPIInfoModel `tfsdk:"apis"`
	TotalCount     types.Int64              `tfsdk:"total_count"`
	AuthorizedApps []authorizedAppInfoModel `tfsdk:"authorized_apps"`
}

type authorizedAppInfoModel struct {
	AppID          types.String `tfsdk:"app_id"`
	AppName        types.String `tfsdk:"app_name"`
	AuthValidTime  types.String `tfsdk:"auth_valid_time"`
	AuthorizedTime types.String `tfsdk:"authorized_time"`
	Description    types.String `tfsdk:"description"`
}

type apiProductAPIInfoModel struct {
	APIID       types.String `tfsdk:"api_id"`
	APIName     types.String `tfsdk:"api_name"`
	StageName   types.String `tfsdk:"stage_name"`
	GroupID     types.String `tfsdk:"group_id"`
	GroupName   types.String `tfsdk:"group_name"`
	Method      types.String `tfsdk:"method"`
	Path        types.String `tfsdk:"path"`
	Description types.String `tfsdk:"description"`
	RegionID    types.String `tfsdk:"region_id"`
}

// Schema implements datasource.DataSource.
func (d *apiProductDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computed := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{MarkdownDescription: desc, Computed: true}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the APIs attached to an API Gateway **API product** (`DescribeApiProductApis`, all pages) " +
			"and the apps authorized on it (`DescribeAppsByApiProduct`, all pages). " +
			"An API product that does not exist is an error; one whose APIs were all detached has `total_count = 0`.",
		Attributes: map[string]schema.Attribute{
			"id": computed("Same as `api_product_id`."),
			"api_product_id": schema.StringAttribute{
				MarkdownDescription: "ID of the API product.",
				Required:            true,
				Validators:          []validator.String{identifierValidator},
			},
			"total_count": schema.Int64Attribute{
				MarkdownDescription: "Number of (API, stage) attachments in the product.",
				Computed:            true,
			},
			"apis": schema.ListNestedAttribute{
				MarkdownDescription: "The attached APIs, one element per (API, stage) pair, ordered by `api_id` and then stage (`RELEASE`, `PRE`, `TEST`) so that indexes are stable between runs.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"api_id":      computed("ID of the API."),
						"api_name":    computed("Name of the API."),
						"stage_name":  computed("Stage the API is attached in: `RELEASE`, `PRE` or `TEST`."),
						"group_id":    computed("ID of the API group the API belongs to."),
						"group_name":  computed("Name of the API group the API belongs to."),
						"method":      computed("HTTP method of the API's request configuration."),
						"path":        computed("Request path of the API."),
						"description": computed("Description of the API."),
						"region_id":   computed("Region of the API."),
					},
				},
			},
			"authorized_apps": schema.ListNestedAttribute{
				MarkdownDescription: "The apps authorized to call the product's APIs, ordered by `app_id` (numerically). " +
					"An authorization whose `auth_valid_time` has passed is left out.",
				Computed: true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"app_id":          computed("ID of the app, as decimal digits."),
						"app_name":        computed("Name of the app."),
						"auth_valid_time": computed("When the authorization expires (UTC, `2006-01-02T15:04:05Z`); null if it never expires."),
						"authorized_time": computed("When the app was authorized (UTC)."),
						"description":     computed("Description of the authorization; null if none."),
					},
				},
			},
		},
	}
}

// Read implements datasource.DataSource.
func (d *apiProductDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx, cancel, cfg, ok := beginDataSourceRead[apiProductDataSourceModel](ctx, d.data, req, resp)
	if !ok {
		return
	}
	defer cancel()

	productID := cfg.APIProductID.ValueString()
	ctx = tflog.SetField(ctx, "api_product_id", productID)
	apis, err := d.data.client.ListProductAPIs(ctx, productID, d.data.refresh())
	if isGone(err) {
		addProductNotFound(&resp.Diagnostics, d.data, productID, "API products are created by attaching a first API to them; check api_product_id, region and credentials.")
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot list the APIs of the API product",
			fmt.Sprintf("Listing the APIs of API product %q failed: %s", productID, describeError(err)))
		return
	}

	// Strict: an app authorized earlier in this run must be listed with its name.
	grants, err := d.data.client.ListProductApps(ctx, productID, cloudapi.Strict)
	if err != nil && !isGone(err) {
		resp.Diagnostics.AddError("Cannot list the apps authorized on the API product",
			fmt.Sprintf("Listing the apps authorized on API product %q failed: %s", productID, describeError(err)))
		return
	}

	sortAPIInfos(apis)
	state := apiProductDataSourceModel{
		AuthorizedApps: authorizedAppModels(grants, d.data.now()),
		ID:             types.StringValue(productID),
		APIProductID:   cfg.APIProductID,
		APIs:           make([]apiProductAPIInfoModel, 0, len(apis)),
		TotalCount:     types.Int64Value(int64(len(apis))),
	}
	for _, a := range apis {
		state.APIs = append(state.APIs, apiProductAPIInfoModel{
			APIID:       types.StringValue(a.APIID),
			APIName:     types.StringValue(a.APIName),
			StageName:   types.StringValue(a.StageName),
			GroupID:     types.StringValue(a.GroupID),
			GroupName:   types.StringValue(a.GroupName),
			Method:      types.StringValue(a.Method),
			Path:        types.StringValue(a.Path),
			Description: types.StringValue(a.Description),
			RegionID:    types.StringValue(a.RegionID),
		})
	}
	tflog.Debug(ctx, "read API product", map[string]any{"total_count": len(apis)})
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// sortAPIInfos orders by API id, then stage, so that list indexes do not depend on the order the
// service happens to return.
func sortAPIInfos(apis []cloudapi.APIInfo) {
	sort.SliceStable(apis, func(i, j int) bool {
		if apis[i].APIID != apis[j].APIID {
			return apis[i].APIID < apis[j].APIID
		}
		return stageRank(apis[i].StageName) < stageRank(apis[j].StageName)
	})
}

// stageRank orders stages RELEASE, PRE, TEST (production first), unknown stages last.
func stageRank(stage string) int {
	for i, s := range validStages {
		if s == stage {
			return i
		}
	}
	return len(validStages)
}

// authorizedAppModels orders grants by app id and leaves out those expired at now (a service may
// still list them; they authorize nothing).
func authorizedAppModels(grants []cloudapi.AuthorizedApp, now time.Time) []authorizedAppInfoModel {
	sort.Slice(grants, func(i, j int) bool { return grants[i].AppID < grants[j].AppID })
	out := make([]authorizedAppInfoModel, 0, len(grants))
	for _, g := range grants {
		if t, err := time.Parse(time.RFC3339, g.AuthValidTime); g.AuthValidTime != "" && err == nil && !t.After(now) {
			continue
		}
		out = append(out, authorizedAppInfoModel{
			AppID:          types.StringValue(strconv.FormatInt(g.AppID, 10)),
			AppName:        types.StringValue(g.AppName),
			AuthValidTime:  optionalString(g.AuthValidTime),
			AuthorizedTime: types.StringValue(g.AuthorizedTime),
			Description:    optionalString(g.Description),
		})
	}
	return out
}
