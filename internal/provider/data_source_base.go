package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
)

// What the data sources do the same way.

// dataSourceReadTimeout bounds one read of a data source, all pages included.
const dataSourceReadTimeout = 5 * time.Minute

// dataSourceBase is embedded by every data source: its type name, after the provider's, and what
// Configure hands it.
type dataSourceBase struct {
	name string
	data *providerData
}

// Metadata implements datasource.DataSource.
func (b *dataSourceBase) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + b.name
}

// Configure implements datasource.DataSourceWithConfigure.
func (b *dataSourceBase) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if data := configuredData(req.ProviderData, &resp.Diagnostics); data != nil {
		b.data = data
	}
}

// beginDataSourceRead is the prelude of a data source's Read: it loads the configuration, checks
// that the provider is configured, and bounds ctx. When ok is false the read stops, with the reason
// in resp; otherwise the caller must call cancel.
func beginDataSourceRead[M any](ctx context.Context, data *providerData, req datasource.ReadRequest, resp *datasource.ReadResponse) (_ context.Context, cancel context.CancelFunc, cfg M, ok bool) {
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return ctx, nil, cfg, false
	}
	if data == nil {
		addNotConfigured(&resp.Diagnostics, notConfiguredDataSource)
		return ctx, nil, cfg, false
	}
	ctx, cancel = context.WithTimeout(ctx, dataSourceReadTimeout)
	return ctx, cancel, cfg, true
}
