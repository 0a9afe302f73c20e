package provider

import (
	"context"
	"fmt"
	"maps"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/cloudapi/terraform-provider-apigateway/internal/cloudapi"
)

// The apis of apigateway_api_product are a list whose order does not matter, not a set.
// terraform-plugin-go compares set values element against element (tftypes.Value.Equal of two sets
// of 1,000 objects takes about 4 s of CPU; of two lists, about 1 ms), and the framework compares and
// validates a resource's values several times per RPC, so a set of 1,000 pairs made every plan take
// tens of seconds. The list behaves as a set everywhere instead:
//
//   - a refresh or an apply that finds the same pairs in another order keeps the prior value
//     (semantic equality, ListSemanticEquals);
//   - a plan whose configuration holds the prior pairs in another order plans the prior value
//     (samePairsAsPrior). Terraform accepts a planned value equal to the prior state even where
//     it differs from the configuration (core's objchange.assertPlannedValueValid: the provider
//     may "disregard the configuration value in favor of the prior"), so reordering the list,
//     or importing a product whose listing order differs from the configuration's, plans nothing;
//   - apiPairsValidator rejects a pair listed twice.
//
// Each of these compares through a map of the pairs: O(n), never element against element.

// apiPairObjectType is one element: { api_id, stage_name }.
var apiPairObjectType = types.ObjectType{AttrTypes: apiRefAttrTypes}

type apiPairsType struct{ basetypes.ListType }

var _ basetypes.ListTypable = apiPairsType{}

func newAPIPairsType() apiPairsType {
	return apiPairsType{ListType: basetypes.ListType{ElemType: apiPairObjectType}}
}

// Equal implements attr.Type.
func (t apiPairsType) Equal(o attr.Type) bool {
	other, ok := o.(apiPairsType)
	return ok && t.ListType.Equal(other.ListType)
}

// String implements attr.Type.
func (t apiPairsType) String() string { return "apiPairsType" }

// ValueFromList implements basetypes.ListTypable.
func (t apiPairsType) ValueFromList(_ context.Context, in basetypes.ListValue) (basetypes.ListValuable, diag.Diagnostics) {
	return apiPairsValue{ListValue: in}, nil
}

// ValueFromTerraform implements attr.Type.
func (t apiPairsType) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	v, err := t.ListType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	lv, ok := v.(basetypes.ListValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T", v)
	}
	return apiPairsValue{ListValue: lv}, nil
}

// ValueType implements attr.Type.
func (t apiPairsType) ValueType(context.Context) attr.Value { return apiPairsValue{} }

// apiPairsValue is the value of apis.
type apiPairsValue struct{ basetypes.ListValue }

var _ basetypes.ListValuableWithSemanticEquals = apiPairsValue{}

// Equal implements attr.Value.
func (v apiPairsValue) Equal(o attr.Value) bool {
	other, ok := o.(apiPairsValue)
	return ok && v.ListValue.Equal(other.ListValue)
}

// Type implements attr.Value.
func (v apiPairsValue) Type(context.Context) attr.Type { return newAPIPairsType() }

// ListSemanticEquals implements basetypes.ListValuableWithSemanticEquals: the same pairs in any order.
func (v apiPairsValue) ListSemanticEquals(_ context.Context, newValuable basetypes.ListValuable) (bool, diag.Diagnostics) {
	var diags diag.Diagnostics
	other, ok := newValuable.(apiPairsValue)
	if !ok {
		return false, diags
	}
	return samePairs(v.ListValue, other.ListValue), diags
}

// samePairs reports whether two known lists hold the same pairs, in any order.
func samePairs(x, y basetypes.ListValue) bool {
	a, okA := pairsOf(x)
	b, okB := pairsOf(y)
	return okA && okB && len(x.Elements()) == len(y.Elements()) && maps.Equal(a, b)
}

// samePairsAsPrior is the plan modifier of apis: when the configuration holds exactly the prior
// pairs, in any order, the plan keeps the prior value, so that a reordered configuration, or an
// import whose listing order differs from the configuration's, plans no change.
type samePairsAsPrior struct{}

var _ planmodifier.List = samePairsAsPrior{}

// Description implements planmodifier.Describer.
func (samePairsAsPrior) Description(context.Context) string {
	return "keeps the prior value when the configuration lists the same pairs in another order"
}

// MarkdownDescription implements planmodifier.Describer.
func (m samePairsAsPrior) MarkdownDescription(ctx context.Context) string { return m.Description(ctx) }

// PlanModifyList implements planmodifier.List.
func (samePairsAsPrior) PlanModifyList(_ context.Context, req planmodifier.ListRequest, resp *planmodifier.ListResponse) {
	if req.StateValue.IsNull() || req.PlanValue.IsNull() || req.PlanValue.IsUnknown() {
		return
	}
	if samePairs(req.StateValue, req.PlanValue) {
		resp.PlanValue = req.StateValue
	}
}

// pairsOf is the set of pairs of a known list, ok false if it or an element is null or unknown.
func pairsOf(l basetypes.ListValue) (map[cloudapi.APIRef]bool, bool) {
	if l.IsNull() || l.IsUnknown() {
		return nil, false
	}
	out := make(map[cloudapi.APIRef]bool, len(l.Elements()))
	for _, e := range l.Elements() {
		r, ok := pairOf(e)
		if !ok {
			return nil, false
		}
		out[r] = true
	}
	return out, true
}

// pairOf reads one element; ok is false when it or a field is null or unknown.
func pairOf(e attr.Value) (cloudapi.APIRef, bool) {
	o, ok := e.(types.Object)
	if !ok || o.IsNull() || o.IsUnknown() {
		return cloudapi.APIRef{}, false
	}
	a := o.Attributes()
	api, _ := a["api_id"].(types.String)
	stage, _ := a["stage_name"].(types.String)
	if api.IsNull() || api.IsUnknown() || stage.IsNull() || stage.IsUnknown() {
		return cloudapi.APIRef{}, false
	}
	return cloudapi.APIRef{APIID: api.ValueString(), StageName: stage.ValueString()}, true
}
