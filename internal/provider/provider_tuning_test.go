package provider

import (
	"context"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/cloudapi/terraform-provider-apigateway/internal/cloudapi"
)

// offlineProvider is a provider that reads nothing from the machine and records the client
// configuration it builds.
func offlineProvider(got *cloudapi.Config) *apigatewayProvider {
	return &apigatewayProvider{
		version: testAPIVersion,
		getenv:  func(string) string { return "" },
		homeDir: func() (string, error) { return "", errors.New("no home directory in this test") },
		newClient: func(cfg cloudapi.Config) (*cloudapi.Client, error) {
			*got = cfg
			return cloudapi.New(cfg)
		},
	}
}

// tuningConfig is a provider configuration with static keys and the given tuning attributes.
func tuningConfig(typ tftypes.Object, maxBatch tftypes.Value, staleness tftypes.Value) tftypes.Value {
	return objectValue(typ, map[string]tftypes.Value{
		"region":                tftypes.NewValue(tftypes.String, testRegion),
		"access_key":            tftypes.NewValue(tftypes.String, "ak"),
		"secret_key":            tftypes.NewValue(tftypes.String, "sk"),
		"max_batch_size":        maxBatch,
		"refresh_max_staleness": staleness,
	})
}

func number(n int64) tftypes.Value { return tftypes.NewValue(tftypes.Number, big.NewFloat(float64(n))) }

var (
	nullNumber = tftypes.NewValue(tftypes.Number, nil)
	nullString = tftypes.NewValue(tftypes.String, nil)
)

func TestProviderTuningValidation(t *testing.T) {
	var got cloudapi.Config
	srv := providerserver.NewProtocol6(offlineProvider(&got))()
	ctx := context.Background()
	schema, err := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	typ := schema.Provider.ValueType().(tftypes.Object)
	for _, tc := range []struct {
		name      string
		maxBatch  tftypes.Value
		staleness tftypes.Value
		wantErr   string // "" for none
	}{
		{"defaults", nullNumber, nullString, ""},
		{"naive", number(1), tftypes.NewValue(tftypes.String, "0s"), ""},
		{"largest", number(100), tftypes.NewValue(tftypes.String, "1h30m"), ""},
		{"batch of none", number(0), nullString, "Attribute max_batch_size value must be between 1 and 100, got: 0"},
		{"batch over the limit", number(101), nullString, "Attribute max_batch_size value must be between 1 and 100, got: 101"},
		{"not a duration", nullNumber, tftypes.NewValue(tftypes.String, "10"), `Attribute refresh_max_staleness value "10" is not a duration`},
		{"negative", nullNumber, tftypes.NewValue(tftypes.String, "-1m"), `Attribute refresh_max_staleness value "-1m" is negative.`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := srv.ValidateProviderConfig(ctx, &tfprotov6.ValidateProviderConfigRequest{
				Config: dynamicValue(t, typ, tuningConfig(typ, tc.maxBatch, tc.staleness)),
			})
			if err != nil {
				t.Fatal(err)
			}
			text := protoDiagText(resp.Diagnostics)
			switch {
			case tc.wantErr == "" && text != "":
				t.Fatalf("unexpected diagnostics: %s", text)
			case tc.wantErr != "" && !strings.Contains(text, tc.wantErr):
				t.Fatalf("diagnostics %q do not say %q", text, tc.wantErr)
			}
		})
	}
}

// The tuning attributes reach the client's configuration and the provider data.
func TestProviderTuningReachesClient(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name          string
		maxBatch      tftypes.Value
		staleness     tftypes.Value
		wantBatch     int
		wantStaleness time.Duration
	}{
		{"defaults", nullNumber, nullString, 0, defaultRefreshMaxStaleness},
		{"naive", number(1), tftypes.NewValue(tftypes.String, "0s"), 1, 0},
		{"set", number(40), tftypes.NewValue(tftypes.String, "30s"), 40, 30 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got cloudapi.Config
			p := offlineProvider(&got)
			var sresp provider.SchemaResponse
			p.Schema(ctx, provider.SchemaRequest{}, &sresp)
			typ := sresp.Schema.Type().TerraformType(ctx).(tftypes.Object)
			var resp provider.ConfigureResponse
			p.Configure(ctx, provider.ConfigureRequest{
				TerraformVersion: "1.11.4",
				Config:           tfsdk.Config{Schema: sresp.Schema, Raw: tuningConfig(typ, tc.maxBatch, tc.staleness)},
			}, &resp)
			if resp.Diagnostics.HasError() {
				t.Fatalf("Configure: %v", resp.Diagnostics)
			}
			if got.MaxBatchSize != tc.wantBatch {
				t.Errorf("cloudapi.Config.MaxBatchSize = %d, want %d", got.MaxBatchSize, tc.wantBatch)
			}
			data, ok := resp.ResourceData.(*providerData)
			if !ok {
				t.Fatalf("resource data %T", resp.ResourceData)
			}
			if data.refreshMaxStaleness != tc.wantStaleness {
				t.Errorf("defaultRefreshMaxStaleness = %v, want %v", data.refreshMaxStaleness, tc.wantStaleness)
			}
		})
	}
}
