package model

import (
	"errors"
	"testing"
	"time"
)

func newTestRegion() *Region { return NewBackend(nil).Region("1", "cn-hangzhou") }

func wantParam(t *testing.T, err error, param string, missing bool) {
	t.Helper()
	var pe *ParameterError
	if !errors.As(err, &pe) || pe.Param != param || pe.Missing != missing {
		t.Fatalf("err = %v, want a ParameterError on %s (missing=%v)", err, param, missing)
	}
}

func TestGroupNamesNeedNotBeUniqueAndNonEmptyGroupsStay(t *testing.T) {
	r := newTestRegion()
	now := time.Now()
	g1, err := r.CreateGroup(CreateGroupRequest{Name: "same"}, now)
	if err != nil || g1.BasePath != "/" || !idPattern.MatchString(g1.ID) {
		t.Fatalf("first group = %+v, %v", g1, err)
	}
	if _, err := r.CreateGroup(CreateGroupRequest{Name: "same"}, now); err != nil {
		t.Fatalf("second group with the same name: %v", err)
	}
	_, err = r.CreateGroup(CreateGroupRequest{Name: " "}, now)
	wantParam(t, err, "GroupName", true)
	_, err = r.CreateGroup(CreateGroupRequest{ID: g1.ID, Name: "x"}, now)
	wantParam(t, err, "GroupId", false)
	if _, err := r.CreateAPI(CreateAPIRequest{GroupID: g1.ID, Name: "api_one", Visibility: "PUBLIC",
		RequestConfig: RequestConfig{RequestHttpMethod: "get", RequestPath: "/a"}}, now); err != nil {
		t.Fatal(err)
	}
	wantParam(t, r.DeleteGroup(g1.ID), "GroupId", false)
	if err := r.DeleteGroup("unknown"); err != nil {
		t.Fatalf("deleting an unknown group: %v", err)
	}
}
