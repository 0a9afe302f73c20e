package emulator_test

import (
	"strconv"
	"testing"
	"time"

	cloudapi "github.com/alibabacloud-go/cloudapi-20160714/v5/client"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator"
)

// wantAppIDsWire checks that AppIds went out as AppIds.1..N, the typed SDKs' flattening of an int64
// list (SetAppsAuthToApiProduct is not "shrunk" like ApiProductIds).
func wantAppIDsWire(t *testing.T, p map[string][]string, ids ...int64) {
	t.Helper()
	if _, ok := p["AppIds"]; ok {
		t.Fatalf("AppIds sent as one parameter: %v", p)
	}
	for i, id := range ids {
		k := "AppIds." + strconv.Itoa(i+1)
		if v := p[k]; len(v) != 1 || v[0] != strconv.FormatInt(id, 10) {
			t.Fatalf("%s = %v, want %d", k, v, id)
		}
	}
	if _, extra := p["AppIds."+strconv.Itoa(len(ids)+1)]; extra {
		t.Fatalf("more AppIds than %d: %v", len(ids), p)
	}
}

func typedGrantApps(c *cloudapi.Client, product, validTime, desc string, apps ...int64) error {
	_, err := c.SetAppsAuthToApiProduct(&cloudapi.SetAppsAuthToApiProductRequest{ApiProductId: tea.String(product),
		AppIds: tea.Int64Slice(apps), AuthValidTime: optional(validTime), Description: optional(desc)})
	return err
}

// TestSetAppsAuthToApiProduct: the typed SDK with V3 and with V1 signatures (AppIds.N on the wire),
// the "a,b" form, all-or-nothing refusals, and the grants read back by both Describe operations.
func TestSetAppsAuthToApiProduct(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	clock := emulator.NewManualClock(now)
	s := startServer(t, emulator.WithClock(clock.Now))
	wire, c := wiredTyped(t, s)
	appsFixture(t, s, emulator.DefaultAccountID, c, "prod-a", "prod-b")
	one := typedCreateApp(t, c, "grant_one", "", "")
	two := typedCreateApp(t, c, "grant_two", "", "")
	three := typedCreateApp(t, c, "grant_three", "", "")

	validUntil := now.Add(5 * time.Minute).Format(time.RFC3339) // within the signature clock-skew window
	if err := typedGrantApps(c, "prod-a", validUntil, "bulk grant", one, two); err != nil {
		t.Fatalf("V3 SetAppsAuthToApiProduct: %v", err)
	}
	wantAppIDsWire(t, wire.last("SetAppsAuthToApiProduct"), one, two)

	v1cfg := clientConfig(s, emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret)
	v1cfg.SignatureAlgorithm, v1cfg.HttpClient = tea.String("v2"), wire
	if err := typedGrantApps(typedClient(t, v1cfg), "prod-a", "", "", three, three); err != nil {
		t.Fatalf("V1 SetAppsAuthToApiProduct: %v", err)
	}
	wantAppIDsWire(t, wire.last("SetAppsAuthToApiProduct"), three, three)
	// The comma-joined form of the list is accepted too.
	if err := callAPI(c, "SetAppsAuthToApiProduct", "2016-07-14", map[string]string{"ApiProductId": "prod-b", "AppIds": strconv.FormatInt(one, 10) + "," + strconv.FormatInt(two, 10)}); err != nil {
		t.Fatalf("AppIds=a,b: %v", err)
	}

	apps := typedAppsOf(t, c, "prod-a", "")
	if len(apps) != 3 || apps[0].AppID != one || apps[0].AuthValidTime != validUntil || apps[0].Description != "bulk grant" ||
		apps[2].AppID != three || apps[2].AuthValidTime != "" {
		t.Fatalf("apps on prod-a = %+v", apps)
	}
	if ids, _ := typedProductsOf(t, c, one, 1, 10); len(ids) != 2 {
		t.Fatalf("products of app one = %v", ids)
	}

	// Refusals change nothing.
	for name, tc := range map[string]struct {
		q            map[string]string
		code, detail string
		status       int
	}{
		"unknown product": {map[string]string{"ApiProductId": "prod-zzz", "AppIds.1": strconv.FormatInt(one, 10)}, "NotFoundApiProduct", "prod-zzz", 404},
		"unknown app":     {map[string]string{"ApiProductId": "prod-b", "AppIds.1": strconv.FormatInt(three, 10), "AppIds.2": "999999999999"}, "NotFoundApp", "999999999999", 404},
		"no apps":         {map[string]string{"ApiProductId": "prod-b"}, "MissingParameter", "AppIds", 400},
		"bad app id":      {map[string]string{"ApiProductId": "prod-b", "AppIds.1": "x1"}, "InvalidParameter", "AppIds", 400},
		"bad time":        {map[string]string{"ApiProductId": "prod-b", "AppIds.1": strconv.FormatInt(three, 10), "AuthValidTime": "tomorrow"}, "InvalidParameter", "AuthValidTime", 400},
	} {
		t.Run(name, func(t *testing.T) {
			err := callAPI(c, "SetAppsAuthToApiProduct", "2016-07-14", tc.q)
			wantErrMentioning(t, err, tc.code, tc.status, tc.detail)
		})
	}
	if apps := typedAppsOf(t, c, "prod-b", ""); len(apps) != 2 {
		t.Fatalf("a refused call changed prod-b: %+v", apps)
	}

	// Expiry: after validUntil, apps one and two are no longer authorized on prod-a.
	clock.Advance(6 * time.Minute)
	if apps := typedAppsOf(t, c, "prod-a", ""); len(apps) != 1 || apps[0].AppID != three {
		t.Fatalf("apps on prod-a after expiry = %+v", apps)
	}
	if ids, _ := typedProductsOf(t, c, one, 1, 10); len(ids) != 1 || ids[0] != "prod-b" {
		t.Fatalf("products of app one after expiry = %v", ids)
	}

	// Deleting an app removes its grants; a product is deletable once no live grant is left.
	if _, err := c.DeleteApiProduct(&cloudapi.DeleteApiProductRequest{ApiProductId: tea.String("prod-a")}); err == nil {
		t.Fatal("DeleteApiProduct succeeded while app three is authorized")
	}
	if _, err := c.DeleteApp(&cloudapi.DeleteAppRequest{AppId: tea.Int64(three)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteApiProduct(&cloudapi.DeleteApiProductRequest{ApiProductId: tea.String("prod-a")}); err != nil {
		t.Fatalf("DeleteApiProduct with only expired grants left: %v", err)
	}
}
