package model

import (
	"errors"
	"testing"
	"time"
)

func TestAttachIsAllOrNothingAndVisibilityDelayHides(t *testing.T) {
	r := newTestRegion()
	r.b.SetBehaviour(Behaviour{AttachVisibilityDelay: 2 * time.Second})
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	g, _ := r.CreateGroup(CreateGroupRequest{Name: "g"}, t0)
	a, _ := r.CreateAPI(CreateAPIRequest{GroupID: g.ID, Name: "api_one", Visibility: "PUBLIC",
		RequestConfig: RequestConfig{RequestHttpMethod: "GET", RequestPath: "/a"}}, t0)

	var nf *NotFoundError
	if err := r.Attach("p", []AttachmentKey{{APIID: a.ID, Stage: "RELEASE"}, {APIID: "nope", Stage: "PRE"}}, t0); !errors.As(err, &nf) {
		t.Fatalf("attach with an unknown API: %v", err)
	}
	if _, exists := r.Attachments("p"); exists {
		t.Fatal("a failed attach created the product")
	}
	wantParam(t, r.Attach("p", []AttachmentKey{{APIID: a.ID, Stage: "PROD"}}, t0), "Apis.1.StageName", false)
	wantParam(t, r.Attach("bad id!", []AttachmentKey{{APIID: a.ID, Stage: "PRE"}}, t0), "ApiProductId", false)
	items := []AttachmentKey{{APIID: a.ID, Stage: "RELEASE"}, {APIID: a.ID, Stage: "PRE"}, {APIID: a.ID, Stage: "RELEASE"}}
	if err := r.Attach("p", items, t0); err != nil {
		t.Fatal(err)
	}
	if atts, _ := r.Attachments("p"); len(atts) != 2 {
		t.Fatalf("attachments = %+v, want 2 (repeats dropped)", atts)
	}
	if _, total, _ := r.ProductAPIs("p", t0.Add(time.Second), Page{Number: 1, Size: 10}); total != 0 {
		t.Fatalf("visible before the delay: %d", total)
	}
	if got, total, _ := r.ProductAPIs("p", t0.Add(2*time.Second), Page{Number: 2, Size: 1}); total != 2 || len(got) != 1 || got[0].Stage != "PRE" {
		t.Fatalf("page 2 = %+v (total %d)", got, total)
	}
	if err := r.Detach("p", items, t0); err != nil {
		t.Fatal(err)
	}
	if atts, exists := r.Attachments("p"); !exists || len(atts) != 0 {
		t.Fatalf("after detach: %+v %v (an emptied product stays)", atts, exists)
	}
	if err := r.Detach("q", items, t0); !errors.As(err, &nf) || nf.Resource != ResourceProduct {
		t.Fatalf("detach from an unknown product: %v", err)
	}
}

// TestBehaviourReadings: each reading of the undocumented service answers as Behaviour says, and
// the default reading is unchanged by the others' code paths.
func TestBehaviourReadings(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	setup := func(bh Behaviour) (*Region, AttachmentKey) {
		r := newTestRegion()
		r.b.SetBehaviour(bh)
		g, _ := r.CreateGroup(CreateGroupRequest{Name: "g"}, t0)
		a, err := r.CreateAPI(CreateAPIRequest{GroupID: g.ID, Name: "api_one", Visibility: "PUBLIC",
			RequestConfig: RequestConfig{RequestHttpMethod: "GET", RequestPath: "/a"}}, t0)
		if err != nil {
			t.Fatal(err)
		}
		return r, AttachmentKey{APIID: a.ID, Stage: "RELEASE"}
	}
	page := Page{Number: 1, Size: 10}
	var nf *NotFoundError

	t.Run("default", func(t *testing.T) {
		r, k := setup(Behaviour{})
		if err := r.Attach("p", []AttachmentKey{k}, t0); err != nil {
			t.Fatal(err)
		}
		if err := r.Attach("p", []AttachmentKey{k}, t0); err != nil {
			t.Fatalf("duplicate attach: %v, want success", err)
		}
		other := AttachmentKey{APIID: k.APIID, Stage: "PRE"}
		if err := r.Detach("p", []AttachmentKey{other}, t0); err != nil {
			t.Fatalf("detach of an unattached pair: %v, want success", err)
		}
		if _, _, err := r.ProductAPIs("nope", t0, page); !errors.As(err, &nf) {
			t.Fatalf("unknown product listing: %v, want not found", err)
		}
	})
	t.Run("empty", func(t *testing.T) {
		r, k := setup(Behaviour{UnknownProduct: UnknownProductEmpty})
		got, total, err := r.ProductAPIs("nope", t0, page)
		if err != nil || total != 0 || len(got) != 0 {
			t.Fatalf("unknown product listing: %v %d %v, want empty", got, total, err)
		}
		if err := r.Detach("nope", []AttachmentKey{k}, t0); err != nil {
			t.Fatalf("detach from an unknown product: %v, want success", err)
		}
	})
	t.Run("refusals", func(t *testing.T) {
		r, k := setup(Behaviour{RefuseDuplicateAttach: true, RefuseDetachUnattached: true})
		if err := r.Attach("p", []AttachmentKey{k}, t0); err != nil {
			t.Fatal(err)
		}
		var aa *AlreadyAttachedError
		if err := r.Attach("p", []AttachmentKey{k}, t0); !errors.As(err, &aa) || aa.Pair != k {
			t.Fatalf("duplicate attach: %v, want AlreadyAttachedError", err)
		}
		var na *NotAttachedError
		other := AttachmentKey{APIID: k.APIID, Stage: "PRE"}
		if err := r.Detach("p", []AttachmentKey{k, other}, t0); !errors.As(err, &na) || na.Pair != other {
			t.Fatalf("detach with an unattached pair: %v, want NotAttachedError", err)
		}
		if atts, _ := r.Attachments("p"); len(atts) != 1 {
			t.Fatalf("a refused detach changed the product: %+v", atts)
		}
	})
	t.Run("detach delay", func(t *testing.T) {
		r, k := setup(Behaviour{DetachVisibilityDelay: 2 * time.Second})
		if err := r.Attach("p", []AttachmentKey{k}, t0); err != nil {
			t.Fatal(err)
		}
		if err := r.Detach("p", []AttachmentKey{k}, t0); err != nil {
			t.Fatal(err)
		}
		if atts, _ := r.Attachments("p"); len(atts) != 0 {
			t.Fatalf("detached pair still attached: %+v", atts)
		}
		if _, total, _ := r.ProductAPIs("p", t0.Add(time.Second), page); total != 1 {
			t.Fatalf("listed %d within the detach delay, want 1", total)
		}
		if _, total, _ := r.ProductAPIs("p", t0.Add(2*time.Second), page); total != 0 {
			t.Fatalf("listed %d after the detach delay, want 0", total)
		}
		// Re-attaching within the delay lists the pair once.
		if err := r.Detach("p", []AttachmentKey{k}, t0); err != nil {
			t.Fatal(err)
		}
		if err := r.Attach("p", []AttachmentKey{k}, t0.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		if _, total, _ := r.ProductAPIs("p", t0.Add(time.Second), page); total != 1 {
			t.Fatalf("listed %d after re-attach, want 1", total)
		}
	})
}
