package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/cloudapi/terraform-provider-apigateway/internal/cloudapi"
)

// How apigateway_api_product keeps track of its own writes between Terraform commands.
//
// The client lays its own successful writes over the listings it takes, but only for the life of
// one provider process, and Terraform starts a new one for every command. The service may list a
// fresh attachment only after a while, and keep listing a detached pair for a while, so the refresh
// right after an apply could see the product without the pairs it just attached (and plan to attach
// them again), or with the pairs it just detached (and plan to detach them again). So every write
// is also recorded in the resource's private state, pair by pair, with its time: Read lays those
// records over the listing for cloudapi.VisibilityGrace, as apigateway_api_product_attachment
// does with unconfirmed_since, and drops each record once a listing agrees with it. A write whose
// outcome is unknown is recorded as an attach, so that the pair stays in the state while it may
// be attached.

// privatePairWrites is the private-state key of apigateway_api_product's recorded writes.
const privatePairWrites = "unconfirmed_pair_writes"

// pairWrite is one recorded write: an attach (or an attach whose outcome is unknown) or a detach
// of one pair, at Since (RFC 3339, as unconfirmed_since).
type pairWrite struct {
	APIID     string `json:"api_id"`
	StageName string `json:"stage_name"`
	Attached  bool   `json:"attached"`
	Since     string `json:"since"`
}

func (w pairWrite) ref() cloudapi.APIRef {
	return cloudapi.APIRef{APIID: w.APIID, StageName: w.StageName}
}

func (w pairWrite) at() time.Time {
	t, err := time.Parse(time.RFC3339Nano, w.Since)
	if err != nil {
		return time.Time{}
	}
	return t
}

// pairWrites is the record, by pair.
type pairWrites map[cloudapi.APIRef]pairWrite

// note records writes of refs at now, replacing older records of the same pairs.
func (ws pairWrites) note(refs []cloudapi.APIRef, attached bool, now time.Time) {
	since := now.UTC().Format(time.RFC3339Nano)
	for _, r := range refs {
		ws[r] = pairWrite{APIID: r.APIID, StageName: r.StageName, Attached: attached, Since: since}
	}
}

// readPairWrites loads the record; a record that cannot be read counts as none (the listing then
// decides, as it would after VisibilityGrace).
func readPairWrites(ctx context.Context, p privateGetter) (pairWrites, diag.Diagnostics) {
	ws := pairWrites{}
	raw, diags := p.GetKey(ctx, privatePairWrites)
	if len(raw) == 0 || diags.HasError() {
		return ws, diags
	}
	var list []pairWrite
	if err := json.Unmarshal(raw, &list); err != nil {
		tflog.Warn(ctx, "ignoring unreadable record of recent writes", map[string]any{"error": err.Error()})
		return ws, diags
	}
	for _, w := range list {
		ws[w.ref()] = w
	}
	return ws, diags
}

// save stores the record, or clears it when empty.
func (ws pairWrites) save(ctx context.Context, p privateSetter) diag.Diagnostics {
	if len(ws) == 0 {
		return p.SetKey(ctx, privatePairWrites, nil)
	}
	list := make([]pairWrite, 0, len(ws))
	for _, w := range ws {
		list = append(list, w)
	}
	slices.SortFunc(list, func(a, b pairWrite) int { return comparePairRefs(a.ref(), b.ref()) })
	raw, err := json.Marshal(list)
	if err != nil {
		var diags diag.Diagnostics
		diags.AddError("Cannot record the writes", err.Error())
		return diags
	}
	return p.SetKey(ctx, privatePairWrites, raw)
}

// pending reports whether a write recorded as an attach is still within its grace: the product
// may exist though a listing says it does not.
func (ws pairWrites) pending(now time.Time) bool {
	for _, w := range ws {
		if w.Attached && now.Sub(w.at()) < cloudapi.VisibilityGrace {
			return true
		}
	}
	return false
}

// settle is what the product holds: the listed pairs, corrected by the writes recorded less than
// cloudapi.VisibilityGrace ago (an attached pair the listing does not show yet is held; a detached
// pair it still shows is not). It drops from ws the records that the listing confirms or that are
// too old to trust over it.
func (ws pairWrites) settle(ctx context.Context, listed []cloudapi.APIRef, now time.Time) []cloudapi.APIRef {
	held := make(map[cloudapi.APIRef]bool, len(listed))
	for _, r := range listed {
		held[r] = true
	}
	kept, hidden := 0, 0
	for r, w := range ws {
		switch {
		case held[r] == w.Attached, now.Sub(w.at()) >= cloudapi.VisibilityGrace:
			delete(ws, r)
		case w.Attached:
			held[r] = true
			kept++
		default:
			delete(held, r)
			hidden++
		}
	}
	if kept+hidden > 0 {
		tflog.Warn(ctx, "the listing does not show some recent writes yet; keeping what they did, since the service may take a while to list them",
			map[string]any{"attached_not_listed": kept, "detached_still_listed": hidden, "grace": cloudapi.VisibilityGrace.String()})
	}
	out := make([]cloudapi.APIRef, 0, len(held))
	for r := range held {
		out = append(out, r)
	}
	return out
}

func comparePairRefs(a, b cloudapi.APIRef) int {
	if a.APIID != b.APIID {
		if a.APIID < b.APIID {
			return -1
		}
		return 1
	}
	return stageRank(a.StageName) - stageRank(b.StageName)
}

// changeFailure is a write of converge that failed: what it was, and its error.
type changeFailure struct {
	action string // "attach" or "detach"
	pairs  int
	err    error
	// unknown counts the pairs kept in the state only because their attach may have been applied.
	unknown int
	// listErr is set when the listing that should have settled the outcome failed too.
	listErr error
}

// converge makes the product hold exactly want, starting from held (what it holds, as far as the
// caller knows): one attach of what is missing, then one detach of what is not wanted (100 pairs
// per call), so a pair both held and wanted is never touched. ws records the writes.
//
// It returns what the product holds afterwards: want when every write succeeded. When a write fails,
// a strict listing settles what was applied (the client lays its own successful calls over it,
// including the first calls of a multi-call write that failed later), and the pairs whose attach
// may have been applied though the listing does not show them are kept too, recorded as attaches:
// nothing that may be attached is left out of the state. If that listing fails as well, every pair
// that was held or was to be attached is kept.
//
// A write the service refused (a definite answer) may have been refused because held was out of
// date: a pair attached or detached since the refresh, which a service that refuses duplicate
// attaches or detaches of unattached pairs rejects. So once, from the listing that settled the
// refusal, converge starts again.
func (r *apiProductResource) converge(ctx context.Context, productID string, held, want []cloudapi.APIRef, ws pairWrites) ([]cloudapi.APIRef, *changeFailure) {
	got, f := r.convergeOnce(ctx, productID, held, want, ws)
	if f == nil || f.listErr != nil || f.unknown > 0 || outcomeUnknown(f.err) || isCredentialError(f.err) || notSent(f.err) || ctx.Err() != nil {
		return got, f
	}
	tflog.Warn(ctx, "a write was refused; trying again from a fresh listing of the product", map[string]any{"error": f.err.Error()})
	return r.convergeOnce(ctx, productID, got, want, ws)
}

func (r *apiProductResource) convergeOnce(ctx context.Context, productID string, held, want []cloudapi.APIRef, ws pairWrites) ([]cloudapi.APIRef, *changeFailure) {
	add, remove := difference(want, held), difference(held, want)
	tflog.Debug(ctx, "changing the pairs of API product", map[string]any{"held": len(held), "attach": len(add), "detach": len(remove)})
	if len(add) > 0 {
		if err := r.data.client.AttachAPIProduct(ctx, productID, add); err != nil {
			return r.settleAfter(productID, held, add, nil, ws, &changeFailure{action: "attach", pairs: len(add), err: err})
		}
		ws.note(add, true, time.Now())
	}
	if len(remove) > 0 {
		if err := r.data.client.DetachAPIProduct(ctx, productID, remove); err != nil && !isGone(err) {
			return r.settleAfter(productID, append(slices.Clone(held), add...), nil, remove, ws, &changeFailure{action: "detach", pairs: len(remove), err: err})
		}
		ws.note(remove, false, time.Now())
	}
	return want, nil
}

// settleAfter works out what the product holds after the failed write f: held is what it held
// before that write, maybe the pairs the write tried to attach, detaching those it tried to detach.
func (r *apiProductResource) settleAfter(productID string, held, maybe, detaching []cloudapi.APIRef, ws pairWrites, f *changeFailure) ([]cloudapi.APIRef, *changeFailure) {
	// The operation's own context may have ended (Ctrl-C, timeout): list under a fresh, short one.
	ctx, cancel := context.WithTimeout(context.Background(), findAfterTimeout)
	defer cancel()
	now := time.Now()
	listed, err := r.listPairs(ctx, productID)
	if err != nil {
		f.listErr = err
		ws.note(difference(maybe, held), true, now)
		return append(slices.Clone(held), difference(maybe, held)...), f
	}
	// The listing carries this process's own writes, which the next command's will not: keep
	// every record for the next refresh to settle against the service alone.
	got := maps.Clone(ws).settle(ctx, listed, now)
	// What the failed call itself did: nothing when the service refused it; unknown when its
	// answer was lost or it was stopped in flight, and a listing that does not show a pair yet
	// does not prove it was not attached.
	if outcomeUnknown(f.err) {
		unknown := difference(maybe, got)
		f.unknown = len(unknown)
		got = append(got, unknown...)
	}
	// Record every pair the write tried to attach that the product now holds, so that the next
	// command's refresh keeps them while the service catches up (it is not the client's overlay
	// that shows them then).
	in := make(map[cloudapi.APIRef]bool, len(got))
	for _, p := range got {
		in[p] = true
	}
	var attached []cloudapi.APIRef
	for _, p := range maybe {
		if in[p] {
			attached = append(attached, p)
		}
	}
	ws.note(attached, true, now)
	ws.note(difference(detaching, got), false, now)
	return got, f
}

// listPairs is a strict listing of the product's pairs (one that starts now, with the client's own
// writes laid over it); an unknown product holds none.
func (r *apiProductResource) listPairs(ctx context.Context, productID string) ([]cloudapi.APIRef, error) {
	apis, err := r.data.client.ListProductAPIs(ctx, productID, cloudapi.Strict)
	if isGone(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return refsOfInfos(apis), nil
}

func refsOfInfos(apis []cloudapi.APIInfo) []cloudapi.APIRef {
	refs := make([]cloudapi.APIRef, 0, len(apis))
	for _, a := range apis {
		refs = append(refs, cloudapi.APIRef{APIID: a.APIID, StageName: a.StageName})
	}
	return refs
}

// describe is the error's detail: what failed, what the state now records, and what happens next.
func (f *changeFailure) describe(productID string, recorded int, creating bool) string {
	verb := map[string]string{"attach": "Attaching %d (API, stage) pairs to", "detach": "Detaching %d (API, stage) pairs from"}[f.action]
	msg := fmt.Sprintf(verb+" API product %q failed: %s", f.pairs, productID, describeError(f.err))
	switch {
	case f.listErr != nil:
		msg += fmt.Sprintf("\n\nListing the product afterwards to see what was applied failed too (%s), so the state records every pair that may be attached (%d).", describeError(f.listErr), recorded)
	case f.unknown > 0:
		msg += fmt.Sprintf("\n\nA listing of the product taken afterwards shows what was applied; the state records it, %d pairs, including %d whose attach may have been applied though the listing does not show them (yet): they stay in the state until a listing shows them or for %s.",
			recorded, f.unknown, cloudapi.VisibilityGrace)
	case recorded == 0:
		msg += "\n\nA listing of the product taken afterwards shows that nothing was applied."
	default:
		msg += fmt.Sprintf("\n\nA listing of the product taken afterwards shows what was applied; the state records it, %d pairs.", recorded)
	}
	if notSent(f.err) && f.action == "attach" {
		msg += " The failed call was stopped before it was sent."
	}
	if creating {
		msg += "\n\nTerraform marks the product as tainted: the next apply replaces it (deletes the product, with every pair, and creates it again with apis), and destroy deletes it. " +
			"If apps are authorized on the product, the delete is refused: run `terraform untaint` on this resource first; the next apply then attaches and detaches only what differs."
	} else {
		msg += "\n\nThe next plan shows what is still to do."
	}
	return msg
}
