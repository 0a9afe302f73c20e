package provider

import (
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloudapi/terraform-provider-apigateway/internal/cloudapi"
)

// apis is a list attribute of objects, with set semantics (api_pairs_type.go), rather than a set
// of nested attributes: the framework walks nested attributes element by element, and compares sets
// element against element, so 1,000 pairs cost tens of seconds per plan. apiPairsValidator checks
// the elements.

// apiRefAttrTypes is the object type of one element of apis.
var apiRefAttrTypes = map[string]attr.Type{"api_id": types.StringType, "stage_name": types.StringType}

// refsOf reads apis, in their order; ok is false while it or an element is unknown.
func refsOf(v apiPairsValue) (refs []cloudapi.APIRef, ok bool) {
	if v.IsNull() || v.IsUnknown() {
		return nil, false
	}
	for _, e := range v.Elements() {
		r, ok := pairOf(e)
		if !ok {
			return nil, false
		}
		refs = append(refs, r)
	}
	return refs, true
}

// listOf renders pairs as apis, in a stable order (the framework keeps the prior order when the
// pairs are the same).
func listOf(refs []cloudapi.APIRef, diags *diag.Diagnostics) apiPairsValue {
	refs = slices.Clone(refs)
	slices.SortFunc(refs, comparePairRefs)
	elems := make([]attr.Value, 0, len(refs))
	for _, r := range refs {
		o, d := types.ObjectValue(apiRefAttrTypes, map[string]attr.Value{
			"api_id": types.StringValue(r.APIID), "stage_name": types.StringValue(r.StageName),
		})
		diags.Append(d...)
		elems = append(elems, o)
	}
	l, d := types.ListValue(apiPairObjectType, elems)
	diags.Append(d...)
	return apiPairsValue{ListValue: l}
}

// difference is the pairs of a not in b.
func difference(a, b []cloudapi.APIRef) []cloudapi.APIRef {
	in := make(map[cloudapi.APIRef]bool, len(b))
	for _, r := range b {
		in[r] = true
	}
	var out []cloudapi.APIRef
	for _, r := range a {
		if !in[r] {
			out = append(out, r)
		}
	}
	return out
}
