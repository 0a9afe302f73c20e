package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/cloudapi/terraform-provider-apigateway/internal/provider"
)

// terraformLike is what terraform 1.11 reports: the in-process schema without identities and
// list resources (the round trip through JSON is what terraform's output goes through).
func terraformLike(t *testing.T) []byte {
	t.Helper()
	own, err := inProcessSchema(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	own.ResourceIdentitySchemas, own.ListResourceSchemas = nil, nil
	raw, err := json.Marshal(tfjson.ProviderSchemas{FormatVersion: "1.0", Schemas: map[string]*tfjson.ProviderSchema{provider.Address: own}})
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestRunAddsIdentityAndListSchemas: the two maps terraform 1.11 lacks are added, with the
// attachment's identity attributes and the list resource's config attributes.
func TestRunAddsIdentityAndListSchemas(t *testing.T) {
	var out bytes.Buffer
	if err := run(bytes.NewReader(terraformLike(t)), &out, provider.Address); err != nil {
		t.Fatal(err)
	}
	var got tfjson.ProviderSchemas
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	p := got.Schemas[provider.Address]
	id := p.ResourceIdentitySchemas["apigateway_api_product_attachment"]
	if id == nil || len(id.Attributes) != 3 || !id.Attributes["stage_name"].RequiredForImport || id.Attributes["api_id"].Description == "" {
		t.Errorf("identity schema of the attachment: %+v", id)
	}
	ls := p.ListResourceSchemas["apigateway_api_product_attachment"]
	if ls == nil || !ls.Block.Attributes["api_product_id"].Required || !ls.Block.Attributes["stage_name"].Optional {
		t.Errorf("list resource schema of the attachment: %+v", ls)
	}
	if p.ResourceSchemas["apigateway_api_product_attachment"].Block.NestedBlocks["timeouts"] == nil {
		t.Error("the resource schema lost its timeouts block")
	}
}

// TestRunRejectsMismatch: a schema terraform reports differently from the in-process conversion is
// an error naming it, so a conversion bug cannot produce wrong docs silently.
func TestRunRejectsMismatch(t *testing.T) {
	var in tfjson.ProviderSchemas
	if err := json.Unmarshal(terraformLike(t), &in); err != nil {
		t.Fatal(err)
	}
	in.Schemas[provider.Address].DataSourceSchemas["apigateway_api_product"].Block.Attributes["api_product_id"].Description = "changed"
	raw, _ := json.Marshal(in)
	err := run(bytes.NewReader(raw), &bytes.Buffer{}, provider.Address)
	if err == nil || !strings.Contains(err.Error(), "data source apigateway_api_product: the in-process schema differs") {
		t.Errorf("got %v, want a mismatch error for the data source", err)
	}
	if err := run(strings.NewReader(`{"format_version":"1.0","provider_schemas":{}}`), &bytes.Buffer{}, provider.Address); err == nil {
		t.Error("a schema JSON without the provider was accepted")
	}
}
