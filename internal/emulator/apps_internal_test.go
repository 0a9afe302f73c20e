package emulator

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator/model"
)

func runOp(t *testing.T, s *Server, op operation, p params) any {
	t.Helper()
	resp, e := op(s, &opContext{account: DefaultAccountID, region: DefaultRegion, requestID: "R", now: time.Now(), p: p,
		r: s.backend.Lookup(DefaultAccountID, DefaultRegion)})
	if e != nil {
		t.Fatalf("operation failed: %v", e)
	}
	return resp
}

// TestSnapshotRoundTripWithApps checks that apps, their authorizations (order, validity,
// description) and the app id counter survive snapshot and restore byte for byte.
func TestSnapshotRoundTripWithApps(t *testing.T) {
	s, err := build(nil)
	if err != nil {
		t.Fatal(err)
	}
	gid, _ := s.SeedGroup(DefaultAccountID, "", "g")
	aid, err := s.SeedAPI(DefaultAccountID, "", APISpec{GroupID: gid, Name: "api_one", Path: "/one"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"pa", "pb"} {
		if e := s.backend.Region(DefaultAccountID, DefaultRegion).Attach(p, []model.AttachmentKey{{APIID: aid, Stage: "RELEASE"}}, time.Now()); e != nil {
			t.Fatal(e)
		}
	}
	app := runOp(t, s, opCreateApp, params{"AppName": {"snap_app"}, "Description": {"d"}, "Extend": {"x"}}).(createAppResponse).AppID
	id := strconv.FormatInt(app, 10)
	runOp(t, s, opSetAPIProductsAuthorities, params{"AppId": {id}, "ApiProductIds": {"pb,pa"},
		"AuthValidTime": {"2030-01-01T08:00:00+08:00"}, "Description": {"grant"}})
	deleted := runOp(t, s, opCreateApp, params{"AppName": {"gone_app"}}).(createAppResponse).AppID
	runOp(t, s, opDeleteApp, params{"AppId": {strconv.FormatInt(deleted, 10)}})

	snap, err := s.snapshot()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"lastAppId": ` + strconv.FormatInt(deleted, 10), `"authValidTime": "2030-01-01T00:00:00Z"`, `"productId": "pb"`} {
		if !bytes.Contains(snap, []byte(want)) {
			t.Fatalf("snapshot lacks %s:\n%s", want, snap)
		}
	}
	s2, _ := build(nil)
	if err := s2.restore(snap); err != nil {
		t.Fatal(err)
	}
	if snap2, _ := s2.snapshot(); !bytes.Equal(snap, snap2) {
		t.Fatalf("snapshot differs after restore:\n%s\n%s", snap, snap2)
	}
	got := runOp(t, s2, opDescribeAPIProductsByApp, params{"AppId": {id}}).(describeAPIProductsByAppResponse)
	if len(got.APIProductInfoList.APIProductInfo) != 2 || got.APIProductInfoList.APIProductInfo[0].APIProductID != "pb" {
		t.Fatalf("restored authorizations: %+v", got)
	}
	if next := runOp(t, s2, opCreateApp, params{"AppName": {"next_app"}}).(createAppResponse).AppID; next != deleted+1 {
		t.Fatalf("next app id after restore = %d, want %d", next, deleted+1)
	}
}

func TestRestoreRejectsBadApps(t *testing.T) {
	const prefix = `{"version":1,"state":[{"account":"1","region":"cn-hangzhou","groups":[],"apis":[],"products":[{"id":"p","attachments":[]}],"apps":[`
	for name, apps := range map[string]string{
		"zero id":           `{"id":0,"name":"good_name"}`,
		"duplicate id":      `{"id":5,"name":"good_name"},{"id":5,"name":"other_name"}`,
		"bad name":          `{"id":5,"name":"x"}`,
		"unknown product":   `{"id":5,"name":"good_name","authorizations":[{"productId":"q"}]}`,
		"repeated product":  `{"id":5,"name":"good_name","authorizations":[{"productId":"p"},{"productId":"p"}]}`,
		"bad validity time": `{"id":5,"name":"good_name","authorizations":[{"productId":"p","authValidTime":"tomorrow"}]}`,
	} {
		s, _ := build(nil)
		if err := s.restore([]byte(prefix + apps + `]}]}`)); err == nil || !strings.Contains(err.Error(), "app") {
			t.Errorf("%s: restore error = %v", name, err)
		}
	}
	s, _ := build(nil)
	if err := s.restore([]byte(`{"version":1,"lastAppId":-1,"state":[]}`)); err == nil {
		t.Errorf("negative lastAppId accepted")
	}
	// The same app id in two regions of one account is a duplicate too.
	two := `{"version":1,"state":[{"account":"1","region":"cn-hangzhou","groups":[],"apis":[],"products":[],"apps":[{"id":7,"name":"good_name"}]},` +
		`{"account":"1","region":"cn-shanghai","groups":[],"apis":[],"products":[],"apps":[{"id":7,"name":"good_name"}]}]}`
	if err := s.restore([]byte(two)); err == nil {
		t.Errorf("app id repeated across regions accepted")
	}
}
