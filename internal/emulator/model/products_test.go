package model

import (
	"errors"
	"testing"
	"time"
)

func TestAttachIsAllOrNothingAndVisibilityDelayHides(t *testing.T) {
	r := newTestRegion()
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
	if _, total, _ := r.ProductAPIs("p", t0.Add(time.Second), 2*time.Second, Page{Number: 1, Size: 10}); total != 0 {
		t.Fatalf("visible before the delay: %d", total)
	}
	if got, total, _ := r.ProductAPIs("p", t0.Add(2*time.Second), 2*time.Second, Page{Number: 2, Size: 1}); total != 2 || len(got) != 1 || got[0].Stage != "PRE" {
		t.Fatalf("page 2 = %+v (total %d)", got, total)
	}
	if err := r.Detach("p", items); err != nil {
		t.Fatal(err)
	}
	if atts, exists := r.Attachments("p"); !exists || len(atts) != 0 {
		t.Fatalf("after detach: %+v %v (an emptied product stays)", atts, exists)
	}
	if err := r.Detach("q", items); !errors.As(err, &nf) || nf.Resource != ResourceProduct {
		t.Fatalf("detach from an unknown product: %v", err)
	}
}
