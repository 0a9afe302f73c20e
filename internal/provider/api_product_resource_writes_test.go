package provider

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloudapi/terraform-provider-apigateway/internal/cloudapi"
)

// memPrivate is private state in memory.
type memPrivate map[string][]byte

func (m memPrivate) GetKey(_ context.Context, key string) ([]byte, diag.Diagnostics) {
	return m[key], nil
}
func (m memPrivate) SetKey(_ context.Context, key string, value []byte) diag.Diagnostics {
	if len(value) == 0 {
		delete(m, key)
	} else {
		m[key] = value
	}
	return nil
}

// TestPairWritesSettle: recent writes are laid over a listing that does not show them; a listing
// that agrees, or VisibilityGrace, ends them; the record survives the private state.
func TestPairWritesSettle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	a, b, c, d := cloudapi.APIRef{APIID: "a", StageName: "RELEASE"}, cloudapi.APIRef{APIID: "b", StageName: "RELEASE"},
		cloudapi.APIRef{APIID: "c", StageName: "PRE"}, cloudapi.APIRef{APIID: "d", StageName: "TEST"}
	ws := pairWrites{}
	ws.note([]cloudapi.APIRef{a, b}, true, now.Add(-time.Second))           // attached, a not listed yet
	ws.note([]cloudapi.APIRef{c}, false, now.Add(-time.Second))             // detached, still listed
	ws.note([]cloudapi.APIRef{d}, true, now.Add(-cloudapi.VisibilityGrace)) // too old to trust
	p := memPrivate{}
	if diags := ws.save(ctx, p); diags.HasError() {
		t.Fatal(diags)
	}
	loaded, diags := readPairWrites(ctx, p)
	if diags.HasError() || len(loaded) != 4 || !loaded.pending(now) {
		t.Fatalf("loaded %v (%v), pending %v", loaded, diags, loaded.pending(now))
	}
	got := loaded.settle(ctx, []cloudapi.APIRef{b, c}, now)
	slices.SortFunc(got, comparePairRefs)
	if want := []cloudapi.APIRef{a, b}; !slices.Equal(got, want) {
		t.Errorf("settled %v, want %v", got, want)
	}
	// b is confirmed and d too old: only a and c are still waiting for the listing.
	if _, ok := loaded[b]; ok || len(loaded) != 2 {
		t.Errorf("records left %v, want a and c", loaded)
	}
	if !loaded.pending(now) || loaded.pending(now.Add(cloudapi.VisibilityGrace)) {
		t.Error("pending must hold within the grace only")
	}
	if diags := (pairWrites{}).save(ctx, p); diags.HasError() || len(p) != 0 {
		t.Errorf("an empty record must clear the key: %v", p)
	}
	p[privatePairWrites] = []byte("not json")
	if ws, diags := readPairWrites(ctx, p); diags.HasError() || len(ws) != 0 {
		t.Errorf("an unreadable record must count as none: %v %v", ws, diags)
	}
}

// TestSamePairsAsPrior: the prior value is planned only for the same pairs in another order.
func TestSamePairsAsPrior(t *testing.T) {
	t.Parallel()
	// list keeps the order given.
	list := func(refs ...cloudapi.APIRef) types.List {
		elems := make([]attr.Value, 0, len(refs))
		for _, r := range refs {
			elems = append(elems, types.ObjectValueMust(apiRefAttrTypes, map[string]attr.Value{
				"api_id": types.StringValue(r.APIID), "stage_name": types.StringValue(r.StageName)}))
		}
		return types.ListValueMust(apiPairObjectType, elems)
	}
	a, b, c := cloudapi.APIRef{APIID: "a", StageName: "RELEASE"}, cloudapi.APIRef{APIID: "b", StageName: "PRE"}, cloudapi.APIRef{APIID: "c", StageName: "TEST"}
	for _, tc := range []struct {
		name        string
		state, plan types.List
		wantPrior   bool
	}{
		{"reordered", list(a, b), list(b, a), true},
		{"same order", list(a, b), list(a, b), true},
		{"one more", list(a, b), list(a, b, c), false},
		{"one other", list(a, b), list(a, c), false},
		{"no prior state", types.ListNull(apiPairObjectType), list(a), false},
		{"unknown plan", list(a), types.ListUnknown(apiPairObjectType), false},
		{"an unknown element", list(a), types.ListValueMust(apiPairObjectType, []attr.Value{types.ObjectUnknown(apiRefAttrTypes)}), false},
	} {
		resp := &planmodifier.ListResponse{PlanValue: tc.plan}
		samePairsAsPrior{}.PlanModifyList(context.Background(), planmodifier.ListRequest{StateValue: tc.state, PlanValue: tc.plan, ConfigValue: tc.plan}, resp)
		want := tc.plan
		if tc.wantPrior {
			want = tc.state
		}
		if !resp.PlanValue.Equal(want) {
			t.Errorf("%s: planned %v, want %v", tc.name, resp.PlanValue, want)
		}
	}
}
