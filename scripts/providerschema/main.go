// Command providerschema completes `terraform providers schema -json` for `make generate` with what
// the terraform on PATH (1.11) cannot report: resource identity schemas (Terraform 1.12+) and list
// resource schemas (Terraform 1.14+). tfplugindocs v0.25.0 renders both (identity under Import,
// list resources into docs/list-resources/) when the schema JSON has them.
//
// It serves the provider in-process, as terraform-plugin-testing does, asks its protocol server
// for GetProviderSchema and GetResourceIdentitySchemas, and converts the answers to the JSON
// format of `terraform providers schema -json` (terraform-json's types). No CLI, no network.
//
// Terraform's own output stays the base: what terraform reported is kept as it is, and only the
// two missing maps are added. To prove the conversion right, every schema terraform did report
// (provider, resources, data sources, and identities and list resources when a newer terraform
// reports them) is converted too and must match terraform's byte for byte; a mismatch is an error.
//
//	terraform providers schema -json > raw.json
//	providerschema -address registry.terraform.io/cloudapi/apigateway < raw.json > schema.json
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/zclconf/go-cty/cty"

	"github.com/cloudapi/terraform-provider-apigateway/internal/provider"
)

func main() {
	address := flag.String("address", provider.Address, "provider address as terraform names it in the schema JSON")
	flag.Parse()
	if err := run(os.Stdin, os.Stdout, *address); err != nil {
		fmt.Fprintf(os.Stderr, "providerschema: %v\n", err)
		os.Exit(1)
	}
}

func run(in io.Reader, out io.Writer, address string) error {
	var schemas tfjson.ProviderSchemas
	if err := json.NewDecoder(in).Decode(&schemas); err != nil {
		return fmt.Errorf("reading terraform's schema JSON: %w", err)
	}
	reported := schemas.Schemas[address]
	if reported == nil {
		return fmt.Errorf("provider %s is not in terraform's schema JSON", address)
	}
	own, err := inProcessSchema(context.Background())
	if err != nil {
		return err
	}
	if err := merge(reported, own); err != nil {
		return err
	}
	enc := json.NewEncoder(out)
	return enc.Encode(&schemas)
}

// merge adds own's identity and list resource schemas to reported where reported has none, after
// checking that everything both have is identical.
func merge(reported, own *tfjson.ProviderSchema) error {
	var errs []error
	errs = append(errs, same("provider", reported.ConfigSchema, own.ConfigSchema))
	errs = append(errs, sameMap("resource", reported.ResourceSchemas, own.ResourceSchemas, true)...)
	errs = append(errs, sameMap("data source", reported.DataSourceSchemas, own.DataSourceSchemas, true)...)
	if reported.ResourceIdentitySchemas == nil {
		reported.ResourceIdentitySchemas = own.ResourceIdentitySchemas
	} else {
		errs = append(errs, sameMap("resource identity", reported.ResourceIdentitySchemas, own.ResourceIdentitySchemas, true)...)
	}
	if reported.ListResourceSchemas == nil {
		reported.ListResourceSchemas = own.ListResourceSchemas
	} else {
		errs = append(errs, sameMap("list resource", reported.ListResourceSchemas, own.ListResourceSchemas, true)...)
	}
	return errors.Join(errs...)
}

func sameMap[T any](kind string, reported, own map[string]T, all bool) []error {
	var errs []error
	names := map[string]bool{}
	for n := range reported {
		names[n] = true
	}
	for n := range own {
		names[n] = true
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	for _, n := range sorted {
		r, rok := reported[n]
		o, ook := own[n]
		switch {
		case !rok && all:
			errs = append(errs, fmt.Errorf("%s %s: served by the provider but not reported by terraform", kind, n))
		case !ook:
			errs = append(errs, fmt.Errorf("%s %s: reported by terraform but not served by the provider", kind, n))
		default:
			errs = append(errs, same(kind+" "+n, r, o))
		}
	}
	return errs
}

func same(what string, reported, own any) error {
	r, err := json.Marshal(reported)
	if err != nil {
		return err
	}
	o, err := json.Marshal(own)
	if err != nil {
		return err
	}
	if !bytes.Equal(r, o) {
		return fmt.Errorf("%s: the in-process schema differs from terraform's:\n  terraform:  %s\n  in-process: %s", what, r, o)
	}
	return nil
}

// inProcessSchema asks the provider's protocol server for its schemas.
func inProcessSchema(ctx context.Context) (*tfjson.ProviderSchema, error) {
	srv, err := providerserver.NewProtocol6WithError(provider.New("schema")())()
	if err != nil {
		return nil, err
	}
	resp, err := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		return nil, err
	}
	if err := diagError("GetProviderSchema", resp.Diagnostics); err != nil {
		return nil, err
	}
	ids, err := srv.GetResourceIdentitySchemas(ctx, &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil {
		return nil, err
	}
	if err := diagError("GetResourceIdentitySchemas", ids.Diagnostics); err != nil {
		return nil, err
	}

	out := &tfjson.ProviderSchema{
		ResourceSchemas:         map[string]*tfjson.Schema{},
		DataSourceSchemas:       map[string]*tfjson.Schema{},
		ResourceIdentitySchemas: map[string]*tfjson.IdentitySchema{},
		ListResourceSchemas:     map[string]*tfjson.Schema{},
	}
	if out.ConfigSchema, err = convertSchema(resp.Provider); err != nil {
		return nil, fmt.Errorf("provider: %w", err)
	}
	for _, m := range []struct {
		from map[string]*tfprotov6.Schema
		to   map[string]*tfjson.Schema
	}{
		{resp.ResourceSchemas, out.ResourceSchemas},
		{resp.DataSourceSchemas, out.DataSourceSchemas},
		{resp.ListResourceSchemas, out.ListResourceSchemas},
	} {
		for name, s := range m.from {
			if m.to[name], err = convertSchema(s); err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
		}
	}
	for name, s := range ids.IdentitySchemas {
		if out.ResourceIdentitySchemas[name], err = convertIdentity(s); err != nil {
			return nil, fmt.Errorf("identity of %s: %w", name, err)
		}
	}
	return out, nil
}

func diagError(what string, diags []*tfprotov6.Diagnostic) error {
	var errs []error
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			errs = append(errs, fmt.Errorf("%s: %s: %s", what, d.Summary, d.Detail))
		}
	}
	return errors.Join(errs...)
}

func convertSchema(s *tfprotov6.Schema) (*tfjson.Schema, error) {
	if s == nil {
		return nil, nil
	}
	b, err := convertBlock(s.Block)
	if err != nil {
		return nil, err
	}
	return &tfjson.Schema{Version: uint64(s.Version), Block: b}, nil
}

func descriptionKind(k tfprotov6.StringKind) tfjson.SchemaDescriptionKind {
	if k == tfprotov6.StringKindMarkdown {
		return tfjson.SchemaDescriptionKindMarkdown
	}
	return tfjson.SchemaDescriptionKindPlain
}

func convertBlock(b *tfprotov6.SchemaBlock) (*tfjson.SchemaBlock, error) {
	if b == nil {
		return &tfjson.SchemaBlock{DescriptionKind: tfjson.SchemaDescriptionKindPlain}, nil
	}
	out := &tfjson.SchemaBlock{
		Description:     b.Description,
		DescriptionKind: descriptionKind(b.DescriptionKind),
		Deprecated:      b.Deprecated,
	}
	if len(b.Attributes) > 0 {
		attrs, err := convertAttributes(b.Attributes)
		if err != nil {
			return nil, err
		}
		out.Attributes = attrs
	}
	if len(b.BlockTypes) > 0 {
		out.NestedBlocks = map[string]*tfjson.SchemaBlockType{}
	}
	for _, nb := range b.BlockTypes {
		inner, err := convertBlock(nb.Block)
		if err != nil {
			return nil, fmt.Errorf("block %s: %w", nb.TypeName, err)
		}
		mode, err := nesting(blockNestings, nb.Nesting, "block")
		if err != nil {
			return nil, fmt.Errorf("block %s: %w", nb.TypeName, err)
		}
		out.NestedBlocks[nb.TypeName] = &tfjson.SchemaBlockType{
			NestingMode: mode, Block: inner, MinItems: uint64(nb.MinItems), MaxItems: uint64(nb.MaxItems),
		}
	}
	return out, nil
}

func convertAttributes(attrs []*tfprotov6.SchemaAttribute) (map[string]*tfjson.SchemaAttribute, error) {
	out := map[string]*tfjson.SchemaAttribute{}
	for _, a := range attrs {
		ca := &tfjson.SchemaAttribute{
			Description:     a.Description,
			DescriptionKind: descriptionKind(a.DescriptionKind),
			Deprecated:      a.Deprecated,
			Required:        a.Required,
			Optional:        a.Optional,
			Computed:        a.Computed,
			Sensitive:       a.Sensitive,
			WriteOnly:       a.WriteOnly,
		}
		if a.NestedType != nil {
			inner, err := convertAttributes(a.NestedType.Attributes)
			if err != nil {
				return nil, fmt.Errorf("attribute %s: %w", a.Name, err)
			}
			mode, err := nesting(objectNestings, a.NestedType.Nesting, "attribute")
			if err != nil {
				return nil, fmt.Errorf("attribute %s: %w", a.Name, err)
			}
			ca.AttributeNestedType = &tfjson.SchemaNestedAttributeType{Attributes: inner, NestingMode: mode}
		} else {
			t, err := ctyType(a.Type)
			if err != nil {
				return nil, fmt.Errorf("attribute %s: %w", a.Name, err)
			}
			ca.AttributeType = t
		}
		out[a.Name] = ca
	}
	return out, nil
}

func convertIdentity(s *tfprotov6.ResourceIdentitySchema) (*tfjson.IdentitySchema, error) {
	out := &tfjson.IdentitySchema{Version: uint64(s.Version), Attributes: map[string]*tfjson.IdentityAttribute{}}
	for _, a := range s.IdentityAttributes {
		t, err := ctyType(a.Type)
		if err != nil {
			return nil, fmt.Errorf("attribute %s: %w", a.Name, err)
		}
		out.Attributes[a.Name] = &tfjson.IdentityAttribute{
			IdentityType: t, Description: a.Description, RequiredForImport: a.RequiredForImport, OptionalForImport: a.OptionalForImport,
		}
	}
	return out, nil
}

// ctyType converts through JSON: tftypes and cty share the type syntax of the schema JSON.
func ctyType(t interface{ MarshalJSON() ([]byte, error) }) (cty.Type, error) {
	raw, err := t.MarshalJSON()
	if err != nil {
		return cty.NilType, err
	}
	var out cty.Type
	if err := out.UnmarshalJSON(raw); err != nil {
		return cty.NilType, fmt.Errorf("type %s: %w", raw, err)
	}
	return out, nil
}

// blockNestings and objectNestings map the protocol's nesting modes to terraform-json's.
var (
	blockNestings = map[tfprotov6.SchemaNestedBlockNestingMode]tfjson.SchemaNestingMode{
		tfprotov6.SchemaNestedBlockNestingModeSingle: tfjson.SchemaNestingModeSingle,
		tfprotov6.SchemaNestedBlockNestingModeGroup:  tfjson.SchemaNestingModeGroup,
		tfprotov6.SchemaNestedBlockNestingModeList:   tfjson.SchemaNestingModeList,
		tfprotov6.SchemaNestedBlockNestingModeSet:    tfjson.SchemaNestingModeSet,
		tfprotov6.SchemaNestedBlockNestingModeMap:    tfjson.SchemaNestingModeMap,
	}
	objectNestings = map[tfprotov6.SchemaObjectNestingMode]tfjson.SchemaNestingMode{
		tfprotov6.SchemaObjectNestingModeSingle: tfjson.SchemaNestingModeSingle,
		tfprotov6.SchemaObjectNestingModeList:   tfjson.SchemaNestingModeList,
		tfprotov6.SchemaObjectNestingModeSet:    tfjson.SchemaNestingModeSet,
		tfprotov6.SchemaObjectNestingModeMap:    tfjson.SchemaNestingModeMap,
	}
)

// nesting looks m up in modes; what names the kind of mode in the error for one it does not know.
func nesting[M comparable](modes map[M]tfjson.SchemaNestingMode, m M, what string) (tfjson.SchemaNestingMode, error) {
	if n, ok := modes[m]; ok {
		return n, nil
	}
	return "", fmt.Errorf("unknown %s nesting mode %v", what, m)
}
