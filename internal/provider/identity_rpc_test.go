package provider

import (
	"context"
	"maps"
	"strconv"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/cloudapi/terraform-provider-apigateway/internal/cloudapi"
)

// TestNewResources_identityRPC drives import by identity and by id, and Read, through the protocol
// server for apigateway_api_product and apigateway_api_product_authorization, so that their
// identities are tested whatever the CLI (the Terraform-level identity tests need 1.12+): both
// imports give the same state and identity, Read fills in the identity of a state that has none, and
// an unconfigured provider's Read sets it too.
func TestNewResources_identityRPC(t *testing.T) {
	emulatorOnly(t)
	t.Parallel()
	a := newAccTarget(t)
	product := a.newProduct()
	app, appName := a.newApp()
	ctx := context.Background()
	if err := a.client.SetAppsAuthToAPIProduct(ctx, product, []int64{app}, cloudapi.GrantTerms{Description: "rpc"}); err != nil {
		t.Fatal(err)
	}
	appID := strconv.FormatInt(app, 10)
	p := a.newProtoServer()
	p.configure(a)
	ids, err := p.srv.GetResourceIdentitySchemas(ctx, &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		typeName, id string
		identity     map[string]string
		wantState    map[string]string
	}{
		{"apigateway_api_product", product, map[string]string{"api_product_id": product},
			map[string]string{"id": product, "api_product_id": product}},
		{"apigateway_api_product_authorization", product + ":" + appID, map[string]string{"api_product_id": product, "app_id": appID},
			map[string]string{"id": product + ":" + appID, "api_product_id": product, "app_id": appID, "description": "rpc", "app_name": appName}},
	} {
		schema := ids.IdentitySchemas[tc.typeName]
		if schema == nil {
			t.Fatalf("%s has no identity schema", tc.typeName)
		}
		idType := schema.ValueType().(tftypes.Object)
		resType := p.schema.ResourceSchemas[tc.typeName].ValueType()
		vals := map[string]tftypes.Value{}
		for k, v := range tc.identity {
			vals[k] = tftypes.NewValue(tftypes.String, v)
		}
		identity := &tfprotov6.ResourceIdentityData{IdentityData: dynamicValue(t, idType, tftypes.NewValue(idType, vals))}
		for how, req := range map[string]*tfprotov6.ImportResourceStateRequest{
			"identity": {TypeName: tc.typeName, Identity: identity},
			"id":       {TypeName: tc.typeName, ID: tc.id},
		} {
			resp, err := p.srv.ImportResourceState(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			failOnErrors(t, tc.typeName+": import by "+how, resp.Diagnostics)
			imported := resp.ImportedResources[0]
			if imported.Identity == nil || !maps.Equal(stringAttrs(t, idType, imported.Identity.IdentityData), tc.identity) {
				t.Errorf("%s: import by %s: identity %+v, want %v", tc.typeName, how, imported.Identity, tc.identity)
			}
			read, err := p.srv.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: tc.typeName, CurrentState: imported.State})
			if err != nil {
				t.Fatal(err)
			}
			failOnErrors(t, tc.typeName+": read after import by "+how, read.Diagnostics)
			if read.NewIdentity == nil || !maps.Equal(stringAttrs(t, idType, read.NewIdentity.IdentityData), tc.identity) {
				t.Errorf("%s: read after import by %s: identity %+v, want %v", tc.typeName, how, read.NewIdentity, tc.identity)
			}
			got := stringAttrs(t, resType, read.NewState)
			delete(got, "authorized_time")
			if !maps.Equal(got, tc.wantState) {
				t.Errorf("%s: read after import by %s: state %v, want %v", tc.typeName, how, got, tc.wantState)
			}
			unconfigured := a.newProtoServer()
			read, err = unconfigured.srv.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: tc.typeName, CurrentState: imported.State})
			if err != nil {
				t.Fatal(err)
			}
			failOnErrors(t, tc.typeName+": read with an unconfigured provider", read.Diagnostics)
			if read.NewIdentity == nil || !maps.Equal(stringAttrs(t, idType, read.NewIdentity.IdentityData), tc.identity) {
				t.Errorf("%s: read with an unconfigured provider: identity %+v, want %v", tc.typeName, read.NewIdentity, tc.identity)
			}
		}
	}
}
