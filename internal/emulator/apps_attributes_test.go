package emulator_test

import (
	"reflect"
	"testing"

	cloudapi "github.com/alibabacloud-go/cloudapi-20160714/v5/client"
	"github.com/alibabacloud-go/tea/tea"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	legacy "github.com/aliyun/alibaba-cloud-sdk-go/services/cloudapi"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator"
)

// appAttr is one app as DescribeAppAttributes reports it, whichever SDK parsed it.
type appAttr struct {
	AppID                                   int64
	AppName, Description, Extend, CreatedAt string
}

func typedAppAttributes(t *testing.T, c *cloudapi.Client, req *cloudapi.DescribeAppAttributesRequest) (apps []appAttr, total int) {
	t.Helper()
	r, err := c.DescribeAppAttributes(req)
	if err != nil {
		t.Fatalf("DescribeAppAttributes: %v", err)
	}
	b := r.Body
	if b.RequestId == nil || b.TotalCount == nil || b.PageNumber == nil || b.PageSize == nil || b.Apps == nil {
		t.Fatalf("DescribeAppAttributes header lacks fields: %v", b)
	}
	apps = []appAttr{}
	for _, a := range b.Apps.AppAttribute {
		if a.AppId == nil || a.AppName == nil || a.Description == nil || a.Extend == nil || a.CreatedTime == nil || a.ModifiedTime == nil || a.Tags == nil {
			t.Fatalf("AppAttribute lacks fields: %v", a)
		}
		if !utcSeconds.MatchString(*a.CreatedTime) {
			t.Errorf("CreatedTime %q is not UTC whole seconds", *a.CreatedTime)
		}
		apps = append(apps, appAttr{*a.AppId, *a.AppName, *a.Description, *a.Extend, *a.CreatedTime})
	}
	return apps, int(*b.TotalCount)
}

func (f legacyFlow) appAttributes(t *testing.T, appID int64, name string, tags ...legacy.DescribeAppAttributesTag) ([]appAttr, int) {
	t.Helper()
	req := legacy.CreateDescribeAppAttributesRequest()
	f.prep(req.RpcRequest)
	if appID != 0 {
		req.AppId = requests.NewInteger64(appID)
	}
	req.AppName = name
	if len(tags) > 0 {
		req.Tag = &tags
	}
	r, err := f.c.DescribeAppAttributes(req)
	if err != nil {
		t.Fatalf("legacy DescribeAppAttributes: %v", err)
	}
	apps := []appAttr{}
	for _, a := range r.Apps.AppAttribute {
		apps = append(apps, appAttr{a.AppId, a.AppName, a.Description, a.Extend, a.CreatedTime})
	}
	return apps, r.TotalCount
}

// TestDescribeAppAttributesBothWireForms: the typed SDK (V3 and V1 signatures, Tag.N.Key flattened
// by the SDK) and the legacy SDK read the same apps; AppId and AppName filter by exact match; an
// app id that matches nothing, or an app deleted since, is an empty page, not an error; a malformed
// AppId is InvalidParameter naming it.
func TestDescribeAppAttributesBothWireForms(t *testing.T) {
	s := startServer(t)
	wire := newWireLog()
	cfg := clientConfig(s, emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret)
	cfg.HttpClient = wire
	c := typedClient(t, cfg)
	l := legacyClient(t, s, emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret)

	one := typedCreateApp(t, c, "attr_one", "first app", "x=1")
	two, err := l.createApp("attr_two", "", "")
	if err != nil {
		t.Fatal(err)
	}
	gone := typedCreateApp(t, c, "attr_gone", "", "")
	if _, err := c.DeleteApp(&cloudapi.DeleteAppRequest{AppId: tea.Int64(gone)}); err != nil {
		t.Fatal(err)
	}

	all, total := typedAppAttributes(t, c, &cloudapi.DescribeAppAttributesRequest{PageSize: tea.Int32(100)})
	if total != 2 || len(all) != 2 || all[0].AppID != one || all[1].AppID != two {
		t.Fatalf("all apps: total %d, %+v; want %d then %d", total, all, one, two)
	}
	if all[0].AppName != "attr_one" || all[0].Description != "first app" || all[0].Extend != "x=1" {
		t.Errorf("app %d reported as %+v", one, all[0])
	}

	tagged := []*cloudapi.DescribeAppAttributesRequestTag{{Key: tea.String("env"), Value: tea.String("dev")}}
	v1cfg := clientConfig(s, emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret)
	v1cfg.SignatureAlgorithm, v1cfg.HttpClient = tea.String("v2"), wire
	for name, client := range map[string]*cloudapi.Client{"V3": c, "V1": typedClient(t, v1cfg)} {
		got, total := typedAppAttributes(t, client, &cloudapi.DescribeAppAttributesRequest{AppId: tea.Int64(two), Tag: tagged})
		if total != 1 || len(got) != 1 || got[0] != all[1] {
			t.Errorf("%s AppId=%d: total %d, %+v; want %+v", name, two, total, got, all[1])
		}
		sent := wire.last("DescribeAppAttributes")
		if sent.Get("Tag.1.Key") != "env" || sent.Get("AppId") == "" {
			t.Errorf("%s: Tag and AppId not on the wire as Tag.1.Key and AppId: %v", name, sent)
		}
		if got, total := typedAppAttributes(t, client, &cloudapi.DescribeAppAttributesRequest{AppId: tea.Int64(gone)}); total != 0 || len(got) != 0 {
			t.Errorf("%s deleted app %d: total %d, %+v; want an empty page", name, gone, total, got)
		}
	}

	if got, total := l.appAttributes(t, one, "", legacy.DescribeAppAttributesTag{Key: "env", Value: "dev"}); total != 1 || !reflect.DeepEqual(got, all[:1]) {
		t.Errorf("legacy AppId=%d: total %d, %+v; want %+v", one, total, got, all[:1])
	}
	if got, total := l.appAttributes(t, 0, "attr_two"); total != 1 || !reflect.DeepEqual(got, all[1:]) {
		t.Errorf("legacy AppName=attr_two: total %d, %+v; want %+v", total, got, all[1:])
	}
	if got, total := l.appAttributes(t, 987654321, ""); total != 0 || len(got) != 0 {
		t.Errorf("legacy unknown AppId: total %d, %+v; want an empty page", total, got)
	}

	wantErr(t, callAPI(c, "DescribeAppAttributes", "2016-07-14", map[string]string{"AppId": "abc"}), "InvalidParameter", 400)
}
