package model

import (
	"errors"
	"testing"
	"time"
)

func TestAPIRulesDeploymentsAndListing(t *testing.T) {
	r := newTestRegion()
	now := time.Now()
	g, _ := r.CreateGroup(CreateGroupRequest{Name: "g"}, now)
	req := func(name, path string) CreateAPIRequest {
		return CreateAPIRequest{GroupID: g.ID, Name: name, Visibility: "PUBLIC", RequestConfig: RequestConfig{RequestHttpMethod: "get", RequestPath: path}}
	}
	a, err := r.CreateAPI(req("api_one", "/one"), now)
	if err != nil || a.Method != "GET" || a.AuthType != "APP" || a.ResultType != "JSON" || a.GroupName != "g" {
		t.Fatalf("CreateAPI = %+v, %v", a, err)
	}
	_, err = r.CreateAPI(req("api_one", "/two"), now)
	wantParam(t, err, "ApiName", false)
	_, err = r.CreateAPI(req("api_two", "/one"), now)
	wantParam(t, err, "RequestConfig.RequestPath", false)
	_, err = r.CreateAPI(CreateAPIRequest{GroupID: "nope", Name: "api_three", Visibility: "PUBLIC",
		RequestConfig: RequestConfig{RequestHttpMethod: "GET", RequestPath: "/3"}}, now)
	var nf *NotFoundError
	if !errors.As(err, &nf) || nf.Resource != ResourceGroup {
		t.Fatalf("API in an unknown group: %v", err)
	}

	wantParam(t, r.Deploy(DeployRequest{APIID: a.ID, Stage: "PROD", Description: "d"}, now), "StageName", false)
	if err := r.Deploy(DeployRequest{APIID: a.ID, Stage: "PRE", Description: "d"}, now); err != nil {
		t.Fatal(err)
	}
	wantParam(t, r.DeleteAPI("", a.ID), "ApiId", false)
	if got, total, err := r.ListAPIs(APIFilter{Stage: "PRE"}, Page{Number: 1, Size: 10}); err != nil || total != 1 || got[0].ID != a.ID {
		t.Fatalf("ListAPIs(PRE) = %+v, %d, %v", got, total, err)
	}
	if _, total, _ := r.ListAPIs(APIFilter{Undeployed: true}, Page{Number: 1, Size: 10}); total != 0 {
		t.Fatalf("undeployed APIs = %d, want 0", total)
	}
	if err := r.Abolish("", a.ID, "PRE"); err != nil {
		t.Fatal(err)
	}
	if err := r.Abolish("", a.ID, "PRE"); err != nil {
		t.Fatalf("abolishing twice: %v", err)
	}
	if err := r.DeleteAPI("", a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := r.DescribeAPI("", a.ID); !errors.As(err, &nf) || nf.Resource != ResourceAPI {
		t.Fatalf("deleted API: %v", err)
	}
}
