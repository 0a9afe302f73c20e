package provider

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator"
)

// protoServer drives the provider through its protocol server in-process, the way a CLI would,
// for features the terraform on PATH (1.11) cannot exercise: list resources (ListResource RPC,
// Terraform 1.14+) and import by identity (Terraform 1.12+).
type protoServer struct {
	t      *testing.T
	srv    listServer
	schema *tfprotov6.GetProviderSchemaResponse
	// identity is the identity schema of apigateway_api_product_attachment.
	identity *tfprotov6.ResourceIdentitySchema
}

// listServer is a provider server that serves list resources (what the deprecated
// tfprotov6.ProviderServerWithListResource names).
type listServer interface {
	tfprotov6.ProviderServer
	tfprotov6.ListResourceServer
}

// newProtoServer starts the provider as acceptance tests do (a.factories) and reads its schemas.
func (a *accTarget) newProtoServer() *protoServer {
	t := a.t
	t.Helper()
	raw, err := a.factories()["apigateway"]()
	if err != nil {
		t.Fatal(err)
	}
	srv, ok := raw.(listServer)
	if !ok {
		t.Fatalf("the provider server (%T) does not serve list resources", raw)
	}
	ctx := context.Background()
	schema, err := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	failOnErrors(t, "GetProviderSchema", schema.Diagnostics)
	ids, err := srv.GetResourceIdentitySchemas(ctx, &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil {
		t.Fatal(err)
	}
	failOnErrors(t, "GetResourceIdentitySchemas", ids.Diagnostics)
	p := &protoServer{t: t, srv: srv, schema: schema, identity: ids.IdentitySchemas[resourceType]}
	if p.identity == nil {
		t.Fatalf("no identity schema for %s", resourceType)
	}
	return p
}

// configure sends ConfigureProvider with the emulator's endpoint and credentials.
func (p *protoServer) configure(a *accTarget) {
	p.t.Helper()
	typ := p.schema.Provider.ValueType().(tftypes.Object)
	cfg := objectValue(typ, map[string]tftypes.Value{
		"region":     tftypes.NewValue(tftypes.String, a.region),
		"access_key": tftypes.NewValue(tftypes.String, emulator.DefaultAccessKeyID),
		"secret_key": tftypes.NewValue(tftypes.String, emulator.DefaultAccessKeySecret),
		"protocol":   tftypes.NewValue(tftypes.String, "HTTP"),
		"endpoints": objectValue(typ.AttributeTypes["endpoints"].(tftypes.Object), map[string]tftypes.Value{
			"apigateway": tftypes.NewValue(tftypes.String, a.endpoint),
		}),
	})
	resp, err := p.srv.ConfigureProvider(context.Background(), &tfprotov6.ConfigureProviderRequest{
		TerraformVersion: "1.14.0",
		Config:           dynamicValue(p.t, typ, cfg),
	})
	if err != nil {
		p.t.Fatal(err)
	}
	failOnErrors(p.t, "ConfigureProvider", resp.Diagnostics)
}

// objectValue builds an object of typ from vals, with null for every attribute not in vals.
func objectValue(typ tftypes.Object, vals map[string]tftypes.Value) tftypes.Value {
	all := make(map[string]tftypes.Value, len(typ.AttributeTypes))
	for name, at := range typ.AttributeTypes {
		all[name] = tftypes.NewValue(at, nil)
	}
	for name, v := range vals {
		all[name] = v
	}
	return tftypes.NewValue(typ, all)
}

func dynamicValue(t *testing.T, typ tftypes.Type, v tftypes.Value) *tfprotov6.DynamicValue {
	t.Helper()
	dv, err := tfprotov6.NewDynamicValue(typ, v)
	if err != nil {
		t.Fatal(err)
	}
	return &dv
}

// stringAttrs decodes an object of string attributes (an identity or an attachment without its
// timeouts) into a map; null attributes are left out.
func stringAttrs(t *testing.T, typ tftypes.Type, dv *tfprotov6.DynamicValue) map[string]string {
	t.Helper()
	v, err := dv.Unmarshal(typ)
	if err != nil {
		t.Fatal(err)
	}
	var obj map[string]tftypes.Value
	if err := v.As(&obj); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for name, av := range obj {
		if av.IsNull() || !av.Type().Is(tftypes.String) {
			continue
		}
		var s string
		if err := av.As(&s); err != nil {
			t.Fatal(err)
		}
		out[name] = s
	}
	return out
}

func failOnErrors(t *testing.T, what string, diags []*tfprotov6.Diagnostic) {
	t.Helper()
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			t.Fatalf("%s: %s: %s", what, d.Summary, d.Detail)
		}
	}
}

// protoDiagText renders protocol diagnostics for failure messages.
func protoDiagText(diags []*tfprotov6.Diagnostic) string {
	s := ""
	for _, d := range diags {
		s += fmt.Sprintf("[%s] %s: %s\n", d.Severity, d.Summary, d.Detail)
	}
	return s
}

// listed is one result of the ListResource RPC, decoded.
type listed struct {
	DisplayName string
	Identity    map[string]string
	// Resource is nil unless the request asked for resource objects.
	Resource map[string]string
	Diags    []*tfprotov6.Diagnostic
}

// listConfig is the config of a list block of apigateway_api_product_attachment; stage "" leaves
// stage_name null.
func (p *protoServer) listConfig(productID, stage string) *tfprotov6.DynamicValue {
	p.t.Helper()
	typ := p.schema.ListResourceSchemas[resourceType].ValueType().(tftypes.Object)
	vals := map[string]tftypes.Value{"api_product_id": tftypes.NewValue(tftypes.String, productID)}
	if stage != "" {
		vals["stage_name"] = tftypes.NewValue(tftypes.String, stage)
	}
	return dynamicValue(p.t, typ, objectValue(typ, vals))
}

// list calls the ListResource RPC and drains its stream.
func (p *protoServer) list(config *tfprotov6.DynamicValue, includeResource bool, limit int64) []listed {
	p.t.Helper()
	stream, err := p.srv.ListResource(context.Background(), &tfprotov6.ListResourceRequest{
		TypeName: resourceType, Config: config, IncludeResource: includeResource, Limit: limit,
	})
	if err != nil {
		p.t.Fatal(err)
	}
	var out []listed
	for r := range stream.Results {
		l := listed{DisplayName: r.DisplayName, Diags: r.Diagnostics}
		if r.Identity != nil && r.Identity.IdentityData != nil {
			l.Identity = stringAttrs(p.t, p.identity.ValueType(), r.Identity.IdentityData)
		}
		if r.Resource != nil {
			l.Resource = stringAttrs(p.t, p.schema.ResourceSchemas[resourceType].ValueType(), r.Resource)
		}
		out = append(out, l)
	}
	return out
}

// validateList calls the ValidateListResourceConfig RPC, which runs the schema's validators.
func (p *protoServer) validateList(config *tfprotov6.DynamicValue) []*tfprotov6.Diagnostic {
	p.t.Helper()
	resp, err := p.srv.ValidateListResourceConfig(context.Background(), &tfprotov6.ValidateListResourceConfigRequest{
		TypeName: resourceType, Config: config,
	})
	if err != nil {
		p.t.Fatal(err)
	}
	return resp.Diagnostics
}

// importThenDelete imports id as a typeName through the protocol server and deletes it straight
// away, as a destroy with -refresh=false (or a removal that raced with the refresh) calls the
// provider: no Read in between. A delete that reports an error, or leaves a state behind, fails the
// test; what names the case in messages.
func (p *protoServer) importThenDelete(typeName, id, what string) {
	t := p.t
	t.Helper()
	ctx := context.Background()
	resType := p.schema.ResourceSchemas[typeName].ValueType()
	imported, err := p.srv.ImportResourceState(ctx, &tfprotov6.ImportResourceStateRequest{TypeName: typeName, ID: id})
	if err != nil {
		t.Fatal(err)
	}
	failOnErrors(t, what+": import", imported.Diagnostics)
	resp, err := p.srv.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{
		TypeName:     typeName,
		PriorState:   imported.ImportedResources[0].State,
		PlannedState: dynamicValue(t, resType, tftypes.NewValue(resType, nil)),
		Config:       dynamicValue(t, resType, tftypes.NewValue(resType, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	if hasAnyError(resp.Diagnostics) {
		t.Errorf("%s: delete failed: %s", what, protoDiagText(resp.Diagnostics))
	}
	if gone, err := resp.NewState.Unmarshal(resType); err != nil || !gone.IsNull() {
		t.Errorf("%s: state after delete %v (%v), want null", what, gone, err)
	}
}
