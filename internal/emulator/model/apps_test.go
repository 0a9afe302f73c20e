package model

import (
	"errors"
	"testing"
	"time"
)

func TestAuthorizationsBlockProductDeletion(t *testing.T) {
	b := NewBackend(nil)
	r := b.Region("1", "cn-hangzhou")
	now := time.Now()
	g, _ := r.CreateGroup(CreateGroupRequest{Name: "g"}, now)
	a, _ := r.CreateAPI(CreateAPIRequest{GroupID: g.ID, Name: "api_one", Visibility: "PUBLIC",
		RequestConfig: RequestConfig{RequestHttpMethod: "GET", RequestPath: "/a"}}, now)
	if err := r.Attach("p", []AttachmentKey{{APIID: a.ID, Stage: "RELEASE"}}, now); err != nil {
		t.Fatal(err)
	}
	app, err := r.CreateApp(CreateAppRequest{Name: "my_app"}, now)
	if err != nil || app.ID <= appIDBase {
		t.Fatalf("CreateApp = %+v, %v", app, err)
	}
	_, err = r.CreateApp(CreateAppRequest{Name: "x"}, now)
	wantParam(t, err, "AppName", false)
	// App ids come from one counter for every region of the backend.
	other, _ := b.Region("1", "cn-shanghai").CreateApp(CreateAppRequest{Name: "my_app"}, now)
	if other.ID != app.ID+1 {
		t.Fatalf("app id in another region = %d, want %d", other.ID, app.ID+1)
	}

	var nf *NotFoundError
	if err := r.Authorize(AuthorizeRequest{AppID: app.ID, ProductIDs: []string{"p", "q"}}, now); !errors.As(err, &nf) || nf.ID != "q" {
		t.Fatalf("authorize on an unknown product: %v", err)
	}
	if err := r.Authorize(AuthorizeRequest{AppID: app.ID, ProductIDs: []string{"p"}, ValidUntil: "2030-01-01T00:00:00Z"}, now); err != nil {
		t.Fatal(err)
	}
	var pa *ProductAuthorizedError
	if err := r.DeleteProduct("p"); !errors.As(err, &pa) || len(pa.AppIDs) != 1 || pa.AppIDs[0] != app.ID {
		t.Fatalf("DeleteProduct while authorized: %v", err)
	}
	if grants, total, _ := r.ProductApps("p", "", Page{Number: 1, Size: 10}); total != 1 || grants[0].Authorization.ValidUntil != "2030-01-01T00:00:00Z" {
		t.Fatalf("ProductApps = %+v", grants)
	}
	if err := r.DeleteApp(app.ID); err != nil {
		t.Fatal(err)
	}
	if err := r.DeleteProduct("p"); err != nil {
		t.Fatalf("DeleteProduct after the app is gone: %v", err)
	}
	if _, _, err := r.AppProducts(app.ID, Page{Number: 1, Size: 10}); !errors.As(err, &nf) || nf.Resource != ResourceApp {
		t.Fatalf("deleted app: %v", err)
	}
}
