package model

import (
	"errors"
	"testing"
	"time"
)

func TestAuthorizationsBlockProductDeletion(t *testing.T) {
	now := time.Now()
	r := regionWithProduct(t, now)
	app, err := r.CreateApp(CreateAppRequest{Name: "my_app"}, now)
	if err != nil || app.ID <= appIDBase {
		t.Fatalf("CreateApp = %+v, %v", app, err)
	}
	_, err = r.CreateApp(CreateAppRequest{Name: "x"}, now)
	wantParam(t, err, "AppName", false)
	// App ids come from one counter for every region of the backend.
	other, _ := r.b.Region("1", "cn-shanghai").CreateApp(CreateAppRequest{Name: "my_app"}, now)
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
	if err := r.DeleteProduct("p", now); !errors.As(err, &pa) || len(pa.AppIDs) != 1 || pa.AppIDs[0] != app.ID {
		t.Fatalf("DeleteProduct while authorized: %v", err)
	}
	if grants, total, _ := r.ProductApps("p", "", now, Page{Number: 1, Size: 10}); total != 1 || grants[0].Authorization.ValidUntil != "2030-01-01T00:00:00Z" {
		t.Fatalf("ProductApps = %+v", grants)
	}
	if err := r.DeleteApp(app.ID); err != nil {
		t.Fatal(err)
	}
	if err := r.DeleteProduct("p", now); err != nil {
		t.Fatalf("DeleteProduct after the app is gone: %v", err)
	}
	if _, _, err := r.AppProducts(app.ID, now, Page{Number: 1, Size: 10}); !errors.As(err, &nf) || nf.Resource != ResourceApp {
		t.Fatalf("deleted app: %v", err)
	}
}

// TestAuthorizeAppsAndExpiry: SetAppsAuthToApiProduct's model (one product, many apps, all or
// nothing) and expiry honoured by every read and by DeleteProduct.
func TestAuthorizeAppsAndExpiry(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	r := regionWithProduct(t, now)
	one, _ := r.CreateApp(CreateAppRequest{Name: "app_one"}, now)
	two, _ := r.CreateApp(CreateAppRequest{Name: "app_two"}, now)

	var nf *NotFoundError
	if err := r.AuthorizeApps(AuthorizeAppsRequest{ProductID: "nope", AppIDs: []int64{one.ID}}, now); !errors.As(err, &nf) || nf.Resource != ResourceProduct {
		t.Fatalf("unknown product: %v", err)
	}
	if err := r.AuthorizeApps(AuthorizeAppsRequest{ProductID: "p", AppIDs: []int64{one.ID, 999}}, now); !errors.As(err, &nf) || nf.Resource != ResourceApp {
		t.Fatalf("unknown app: %v", err)
	}
	if _, total, _ := r.ProductApps("p", "", now, Page{Number: 1, Size: 10}); total != 0 {
		t.Fatalf("a refused call granted %d apps", total)
	}
	soon := "2030-01-01T01:00:00Z"
	if err := r.AuthorizeApps(AuthorizeAppsRequest{ProductID: "p", AppIDs: []int64{one.ID, two.ID}, ValidUntil: soon, Description: "d"}, now); err != nil {
		t.Fatal(err)
	}
	if err := r.AuthorizeApps(AuthorizeAppsRequest{ProductID: "p", AppIDs: []int64{two.ID}}, now); err != nil {
		t.Fatal(err) // two becomes permanent
	}
	grants, total, _ := r.ProductApps("p", "", now, Page{Number: 1, Size: 10})
	if total != 2 || grants[0].App.ID != one.ID || grants[0].Authorization.Description != "d" || grants[1].Authorization.ValidUntil != "" {
		t.Fatalf("ProductApps = %+v", grants)
	}
	later := now.Add(time.Hour)
	grants, total, _ = r.ProductApps("p", "", later, Page{Number: 1, Size: 10})
	if total != 1 || grants[0].App.ID != two.ID {
		t.Fatalf("after one's expiry ProductApps = %+v", grants)
	}
	if auths, total, _ := r.AppProducts(one.ID, later, Page{Number: 1, Size: 10}); total != 0 {
		t.Fatalf("expired grant listed by AppProducts: %+v", auths)
	}
	if err := r.Revoke(two.ID, []string{"p"}); err != nil {
		t.Fatal(err)
	}
	if err := r.DeleteProduct("p", now); err == nil {
		t.Fatal("DeleteProduct succeeded while one's grant is live")
	}
	// A fresh grant of an expired pair starts over.
	if err := r.AuthorizeApps(AuthorizeAppsRequest{ProductID: "p", AppIDs: []int64{one.ID}}, later); err != nil {
		t.Fatal(err)
	}
	grants, _, _ = r.ProductApps("p", "", later, Page{Number: 1, Size: 10})
	if len(grants) != 1 || !grants[0].Authorization.Authorized.Equal(later) {
		t.Fatalf("re-grant after expiry = %+v", grants)
	}
	if err := r.Revoke(one.ID, []string{"p"}); err != nil {
		t.Fatal(err)
	}
	if err := r.DeleteProduct("p", later); err != nil {
		t.Fatalf("DeleteProduct with no live grant: %v", err)
	}
}

// regionWithProduct is a region holding product "p" with one API attached in RELEASE at now.
func regionWithProduct(t *testing.T, now time.Time) *Region {
	t.Helper()
	r := NewBackend(nil).Region("1", "cn-hangzhou")
	g, _ := r.CreateGroup(CreateGroupRequest{Name: "g"}, now)
	a, _ := r.CreateAPI(CreateAPIRequest{GroupID: g.ID, Name: "api_one", Visibility: "PUBLIC",
		RequestConfig: RequestConfig{RequestHttpMethod: "GET", RequestPath: "/a"}}, now)
	if err := r.Attach("p", []AttachmentKey{{APIID: a.ID, Stage: "RELEASE"}}, now); err != nil {
		t.Fatal(err)
	}
	return r
}
