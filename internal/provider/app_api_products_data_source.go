package provider

import (
	"context"
	"fmt"
	"sort"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

var _ datasource.DataSourceWithConfigure = (*appAPIProductsDataSource)(nil)

// NewAppAPIProductsDataSource returns the apigateway_app_api_products data source.
func NewAppAPIProductsDataSource() datasource.DataSource {
	return &appAPIProductsDataSource{dataSourceBase{name: "_app_api_products"}}
}

// appAPIProductsDataSource lists the API products an app is authorized on.
type appAPIProductsDataSource struct{ dataSourceBase }

type appAPIProductsDataSourceModel struct {
	ID            types.String   `tfsdk:"id"`
	AppID         types.String   `tfsdk:"app_id"`
	APIProductIDs []types.String `tfsdk:"api_product_ids"`
	TotalCount    types.Int64    `tfsdk:"total_count"`
}

// Schema implements datasource.DataSource.
func (d *appAPIProductsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the API products an app is authorized to call (`DescribeApiProductsByApp`, all pages). " +
			"An app that does not exist is an error. The service reports only the products' ids; use the `apigateway_api_product` " +
			"data source for a product's APIs and the terms of each authorization.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{MarkdownDescription: "Same as `app_id`.", Computed: true},
			"app_id": schema.StringAttribute{
				MarkdownDescription: "ID of the app, as decimal digits (for example `alicloud_api_gateway_app.this.id`).",
				Required:            true,
				Validators:          []validator.String{appIDValidator},
			},
			"api_product_ids": schema.ListAttribute{
				MarkdownDescription: "IDs of the API products the app is authorized on, sorted.",
				ElementType:         types.StringType,
				Computed:            true,
			},
			"total_count": schema.Int64Attribute{MarkdownDescription: "Number of API products the app is authorized on.", Computed: true},
		},
	}
}

// Read implements datasource.DataSource.
func (d *appAPIProductsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx, cancel, cfg, ok := beginDataSourceRead[appAPIProductsDataSourceModel](ctx, d.data, req, resp)
	if !ok {
		return
	}
	defer cancel()
	app, _ := strconv.ParseInt(cfg.AppID.ValueString(), 10, 64)
	ctx = tflog.SetField(ctx, "app_id", app)
	products, err := d.data.client.ListAppProducts(ctx, app)
	if isGone(err) {
		addAppNotFound(&resp.Diagnostics, d.data, app, " for the configured credentials. Check app_id, region and credentials.")
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot list the API products of the app",
			fmt.Sprintf("Listing the API products app %d is authorized on failed: %s", app, describeError(err)))
		return
	}
	sort.Strings(products)
	state := appAPIProductsDataSourceModel{
		ID:            cfg.AppID,
		AppID:         cfg.AppID,
		APIProductIDs: make([]types.String, 0, len(products)),
		TotalCount:    types.Int64Value(int64(len(products))),
	}
	for _, p := range products {
		state.APIProductIDs = append(state.APIProductIDs, types.StringValue(p))
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}
