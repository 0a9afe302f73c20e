package emulator_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	cloudapi "github.com/alibabacloud-go/cloudapi-20160714/v5/client"
	"github.com/alibabacloud-go/tea/tea"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	legacy "github.com/aliyun/alibaba-cloud-sdk-go/services/cloudapi"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator"
)

// wireLog records the business parameters (query and form body) of every request an SDK sends, so
// a test can check which wire form of ApiProductIds the SDK really used, not just that the call
// worked.
type wireLog struct {
	mu   sync.Mutex
	sent map[string]url.Values // action → parameters of its last request
}

func newWireLog() *wireLog { return &wireLog{sent: map[string]url.Values{}} }

// wiredTyped is a typed client of the default account whose requests wire records.
func wiredTyped(t testing.TB, s *emulator.Server) (*wireLog, *cloudapi.Client) {
	wire := newWireLog()
	cfg := clientConfig(s, emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret)
	cfg.HttpClient = wire
	return wire, typedClient(t, cfg)
}

func (w *wireLog) record(req *http.Request) error {
	p := req.URL.Query()
	if req.Body != nil {
		body, err := io.ReadAll(req.Body)
		if err != nil {
			return err
		}
		req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(body))
		if form, err := url.ParseQuery(string(body)); err == nil {
			for k, vs := range form {
				p[k] = append(p[k], vs...)
			}
		}
	}
	action := ""
	for k, vs := range req.Header { // V3; darabonba sets the header without canonicalising its name
		if strings.EqualFold(k, "x-acs-action") && len(vs) > 0 {
			action = vs[0]
		}
	}
	if action == "" {
		action = p.Get("Action") // V1 (typed "v2" and legacy)
	}
	w.mu.Lock()
	w.sent[action] = p
	w.mu.Unlock()
	return nil
}

func (w *wireLog) last(action string) url.Values {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.sent[action]
}

// Call makes wireLog a darabonba HttpClient (typed SDK).
func (w *wireLog) Call(req *http.Request, _ *http.Transport) (*http.Response, error) {
	if err := w.record(req); err != nil {
		return nil, err
	}
	return http.DefaultTransport.RoundTrip(req)
}

// roundTripper adapts wireLog to http.RoundTripper (legacy SDK).
type roundTripper struct{ w *wireLog }

func (r roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := r.w.record(req); err != nil {
		return nil, err
	}
	return http.DefaultTransport.RoundTrip(req)
}

// wantProductIDsWire asserts how ApiProductIds travelled: as one comma-joined value ("simple"), or
// as ApiProductIds.N ("repeated"), and nothing else.
func wantProductIDsWire(t *testing.T, p url.Values, repeated bool, ids ...string) {
	t.Helper()
	if p == nil {
		t.Fatalf("no request recorded")
	}
	var got []string
	for k := range p {
		if strings.HasPrefix(k, "ApiProductIds") {
			got = append(got, k)
		}
	}
	if !repeated {
		if len(got) != 1 || p.Get("ApiProductIds") != strings.Join(ids, ",") {
			t.Fatalf("typed SDK wire: ApiProductIds params %v = %v, want ApiProductIds=%s", got, p, strings.Join(ids, ","))
		}
		return
	}
	if len(got) != len(ids) || p.Has("ApiProductIds") {
		t.Fatalf("legacy SDK wire: ApiProductIds params %v, want ApiProductIds.1..%d", got, len(ids))
	}
	for i, id := range ids {
		if v := p.Get("ApiProductIds." + strconv.Itoa(i+1)); v != id {
			t.Fatalf("legacy SDK wire: ApiProductIds.%d = %q, want %q", i+1, v, id)
		}
	}
}

// appsFixture is a server with one API attached to each of the given products.
func appsFixture(t *testing.T, s *emulator.Server, account string, c *cloudapi.Client, products ...string) {
	t.Helper()
	fx := seedFixture(t, s, account)
	for _, p := range products {
		if _, err := c.AttachApiProduct(attachReq(p, fx.apiID, "RELEASE")); err != nil {
			t.Fatalf("attach %s: %v", p, err)
		}
	}
}

func typedCreateApp(t *testing.T, c *cloudapi.Client, name, desc, extend string) int64 {
	t.Helper()
	r, err := c.CreateApp(&cloudapi.CreateAppRequest{AppName: tea.String(name), Description: tea.String(desc), Extend: tea.String(extend)})
	if err != nil {
		t.Fatalf("CreateApp %s: %v", name, err)
	}
	if r.Body.RequestId == nil || r.Body.AppId == nil || *r.Body.AppId <= 0 {
		t.Fatalf("CreateApp response %v", r.Body)
	}
	return *r.Body.AppId
}

func typedSet(c *cloudapi.Client, app int64, validTime, desc string, products ...string) error {
	_, err := c.SetApiProductsAuthorities(&cloudapi.SetApiProductsAuthoritiesRequest{AppId: tea.Int64(app),
		ApiProductIds: tea.StringSlice(products), AuthValidTime: optional(validTime), Description: optional(desc)})
	return err
}

// optional is s for an SDK request field, nil (not sent) when empty.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return tea.String(s)
}

func typedRemove(c *cloudapi.Client, app int64, products ...string) error {
	_, err := c.RemoveApiProductsAuthorities(&cloudapi.RemoveApiProductsAuthoritiesRequest{AppId: tea.Int64(app), ApiProductIds: tea.StringSlice(products)})
	return err
}

// typedProductsOf reads every product an app is authorized on, checking the page header.
func typedProductsOf(t *testing.T, c *cloudapi.Client, app int64, page, size int) (ids []string, total int) {
	t.Helper()
	r, err := c.DescribeApiProductsByApp(&cloudapi.DescribeApiProductsByAppRequest{AppId: tea.Int64(app),
		PageNumber: tea.Int32(int32(page)), PageSize: tea.Int32(int32(size))})
	if err != nil {
		t.Fatalf("DescribeApiProductsByApp %d: %v", app, err)
	}
	b := r.Body
	if b.RequestId == nil || b.PageNumber == nil || b.PageSize == nil || b.TotalCount == nil || b.ApiProductInfoList == nil {
		t.Fatalf("DescribeApiProductsByApp response lacks fields: %v", b)
	}
	if int(*b.PageNumber) != page || int(*b.PageSize) != size {
		t.Fatalf("page header %d/%d, want %d/%d", *b.PageNumber, *b.PageSize, page, size)
	}
	ids = []string{}
	for _, p := range b.ApiProductInfoList.ApiProductInfo {
		if p.ApiProductId == nil {
			t.Fatalf("ApiProductInfo without ApiProductId")
		}
		ids = append(ids, *p.ApiProductId)
	}
	return ids, int(*b.TotalCount)
}

// authorizedApp mirrors one AuthorizedApp entry for comparisons.
type authorizedApp struct {
	AppID                                                    int64
	AppName, AuthValidTime, AuthorizedTime, Description, Ext string
}

func typedAppsOf(t *testing.T, c *cloudapi.Client, product, name string) []authorizedApp {
	t.Helper()
	req := &cloudapi.DescribeAppsByApiProductRequest{ApiProductId: tea.String(product), PageSize: tea.Int32(100)}
	if name != "" {
		req.AppName = tea.String(name)
	}
	r, err := c.DescribeAppsByApiProduct(req)
	if err != nil {
		t.Fatalf("DescribeAppsByApiProduct %s: %v", product, err)
	}
	b := r.Body
	if b.TotalCount == nil || b.AuthorizedApps == nil || int(*b.TotalCount) != len(b.AuthorizedApps.AuthorizedApp) {
		t.Fatalf("DescribeAppsByApiProduct header: %v", b)
	}
	out := []authorizedApp{}
	for _, a := range b.AuthorizedApps.AuthorizedApp {
		if a.AppId == nil || a.AppName == nil || a.AuthValidTime == nil || a.AuthorizedTime == nil || a.Description == nil || a.Extend == nil {
			t.Fatalf("AuthorizedApp lacks fields: %v", a)
		}
		out = append(out, authorizedApp{*a.AppId, *a.AppName, *a.AuthValidTime, *a.AuthorizedTime, *a.Description, *a.Extend})
	}
	return out
}

// ---- legacy client ----

func (f legacyFlow) createApp(name, desc, extend string) (int64, error) {
	req := legacy.CreateCreateAppRequest()
	f.prep(req.RpcRequest)
	req.AppName, req.Description, req.Extend = name, desc, extend
	r, err := f.c.CreateApp(req)
	if err != nil {
		return 0, err
	}
	if r.AppId <= 0 || r.RequestId == "" {
		return 0, fmt.Errorf("CreateApp response %+v", r)
	}
	return r.AppId, nil
}

func (f legacyFlow) deleteApp(app int64) error {
	req := legacy.CreateDeleteAppRequest()
	f.prep(req.RpcRequest)
	req.AppId = requests.NewInteger64(app)
	_, err := f.c.DeleteApp(req)
	return err
}

func (f legacyFlow) setAuth(app int64, validTime string, products ...string) error {
	req := legacy.CreateSetApiProductsAuthoritiesRequest()
	f.prep(req.RpcRequest)
	req.AppId, req.AuthValidTime = requests.NewInteger64(app), validTime
	req.ApiProductIds = &products
	_, err := f.c.SetApiProductsAuthorities(req)
	return err
}

func (f legacyFlow) removeAuth(app int64, products ...string) error {
	req := legacy.CreateRemoveApiProductsAuthoritiesRequest()
	f.prep(req.RpcRequest)
	req.AppId = requests.NewInteger64(app)
	req.ApiProductIds = &products
	_, err := f.c.RemoveApiProductsAuthorities(req)
	return err
}

func (f legacyFlow) productsOf(app int64) ([]string, error) {
	req := legacy.CreateDescribeApiProductsByAppRequest()
	f.prep(req.RpcRequest)
	req.AppId = requests.NewInteger64(app)
	r, err := f.c.DescribeApiProductsByApp(req)
	if err != nil {
		return nil, err
	}
	ids := []string{}
	for _, p := range r.ApiProductInfoList.ApiProductInfo {
		ids = append(ids, p.ApiProductId)
	}
	if r.TotalCount != len(ids) || r.PageNumber != 1 || r.PageSize != 10 {
		return ids, fmt.Errorf("DescribeApiProductsByApp header %d/%d/%d for %d items", r.PageNumber, r.PageSize, r.TotalCount, len(ids))
	}
	return ids, nil
}

func (f legacyFlow) appsOf(product string) ([]authorizedApp, error) {
	req := legacy.CreateDescribeAppsByApiProductRequest()
	f.prep(req.RpcRequest)
	req.ApiProductId = product
	r, err := f.c.DescribeAppsByApiProduct(req)
	if err != nil {
		return nil, err
	}
	out := []authorizedApp{}
	for _, a := range r.AuthorizedApps.AuthorizedApp {
		out = append(out, authorizedApp{a.AppId, a.AppName, a.AuthValidTime, a.AuthorizedTime, a.Description, a.Extend})
	}
	return out, nil
}

var utcSeconds = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)

// TestAppAuthorizationsBothWireForms grants and revokes product authorizations through the typed
// client (ApiProductIds=a,b), the typed client with V1 signatures, and the legacy client
// (ApiProductIds.1=a&ApiProductIds.2=b), and reads them back through both clients.
func TestAppAuthorizationsBothWireForms(t *testing.T) {
	s := startServer(t)
	wire, c := wiredTyped(t, s)
	l := legacyClient(t, s, emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret)
	l.c.SetTransport(roundTripper{wire})
	appsFixture(t, s, emulator.DefaultAccountID, c, "prod-a", "prod-b", "prod-c", "prod-d")

	typedApp := typedCreateApp(t, c, "typed_app", "typed "+awkward, "ext-typed")
	legacyApp, err := l.createApp("legacy_app", "legacy app", "ext-legacy")
	if err != nil {
		t.Fatalf("legacy CreateApp: %v", err)
	}
	if legacyApp == typedApp {
		t.Fatalf("two apps got the same id %d", typedApp)
	}

	// Typed SDK: one comma-joined parameter.
	if err := typedSet(c, typedApp, "2030-01-02T03:04:05Z", "grant "+awkward, "prod-a", "prod-b"); err != nil {
		t.Fatalf("typed SetApiProductsAuthorities: %v", err)
	}
	wantProductIDsWire(t, wire.last("SetApiProductsAuthorities"), false, "prod-a", "prod-b")
	if ids, total := typedProductsOf(t, c, typedApp, 1, 10); !reflect.DeepEqual(ids, []string{"prod-a", "prod-b"}) || total != 2 {
		t.Fatalf("typed app products = %v (total %d)", ids, total)
	}
	// Legacy SDK: ApiProductIds.N.
	if err := l.setAuth(legacyApp, "", "prod-b", "prod-c"); err != nil {
		t.Fatalf("legacy SetApiProductsAuthorities: %v", err)
	}
	wantProductIDsWire(t, wire.last("SetApiProductsAuthorities"), true, "prod-b", "prod-c")
	got, err := l.productsOf(legacyApp)
	if err != nil || !reflect.DeepEqual(got, []string{"prod-b", "prod-c"}) {
		t.Fatalf("legacy app products = %v, %v", got, err)
	}
	// Each client reads what the other wrote.
	if got, err := l.productsOf(typedApp); err != nil || !reflect.DeepEqual(got, []string{"prod-a", "prod-b"}) {
		t.Fatalf("typed app via legacy = %v, %v", got, err)
	}
	if ids, _ := typedProductsOf(t, c, legacyApp, 1, 10); !reflect.DeepEqual(ids, []string{"prod-b", "prod-c"}) {
		t.Fatalf("legacy app via typed = %v", ids)
	}

	// Both apps on prod-b, in grant order, every field.
	apps := typedAppsOf(t, c, "prod-b", "")
	if len(apps) != 2 {
		t.Fatalf("apps on prod-b = %+v", apps)
	}
	for _, a := range apps {
		if !utcSeconds.MatchString(a.AuthorizedTime) {
			t.Fatalf("AuthorizedTime %q", a.AuthorizedTime)
		}
	}
	want := []authorizedApp{
		{typedApp, "typed_app", "2030-01-02T03:04:05Z", apps[0].AuthorizedTime, "grant " + awkward, "ext-typed"},
		{legacyApp, "legacy_app", "", apps[1].AuthorizedTime, "", "ext-legacy"},
	}
	if !reflect.DeepEqual(apps, want) {
		t.Fatalf("apps on prod-b =\n%+v\nwant\n%+v", apps, want)
	}
	if la, err := l.appsOf("prod-b"); err != nil || !reflect.DeepEqual(la, want) {
		t.Fatalf("legacy DescribeAppsByApiProduct =\n%+v (%v)\nwant\n%+v", la, err, want)
	}
	if got := typedAppsOf(t, c, "prod-b", "legacy_app"); len(got) != 1 || got[0].AppID != legacyApp {
		t.Fatalf("AppName filter: %+v", got)
	}
	if got := typedAppsOf(t, c, "prod-b", "legacy"); len(got) != 0 {
		t.Fatalf("AppName filter is exact, got %+v", got)
	}

	// The typed client with V1 signatures sends the comma form too; re-granting keeps the order.
	v1cfg := clientConfig(s, emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret)
	v1cfg.SignatureAlgorithm, v1cfg.HttpClient = tea.String("v2"), wire
	if err := typedSet(typedClient(t, v1cfg), typedApp, "", "", "prod-c", "prod-a"); err != nil {
		t.Fatalf("V1 typed SetApiProductsAuthorities: %v", err)
	}
	wantProductIDsWire(t, wire.last("SetApiProductsAuthorities"), false, "prod-c", "prod-a")
	if ids, _ := typedProductsOf(t, c, typedApp, 1, 10); !reflect.DeepEqual(ids, []string{"prod-a", "prod-b", "prod-c"}) {
		t.Fatalf("after re-grant: %v", ids)
	}
	// Re-granting without AuthValidTime made prod-a permanent.
	if a := typedAppsOf(t, c, "prod-a", ""); len(a) != 1 || a[0].AuthValidTime != "" {
		t.Fatalf("re-granted prod-a: %+v", a)
	}

	// A product that does not exist is not found, like a detach from it (the default reading of
	// model.Behaviour.UnknownProduct): the whole call fails and nothing is revoked.
	if err := typedRemove(c, typedApp, "prod-a", "prod-zzz"); err == nil || !strings.Contains(err.Error(), "NotFoundApiProduct") {
		t.Fatalf("typed Remove naming an unknown product: %v", err)
	}
	if ids, _ := typedProductsOf(t, c, typedApp, 1, 10); !reflect.DeepEqual(ids, []string{"prod-a", "prod-b", "prod-c"}) {
		t.Fatalf("typed app after a refused remove: %v", ids)
	}
	// Remove, both wire forms; an authorization that does not exist (of a product that does) is ignored.
	if err := typedRemove(c, typedApp, "prod-a", "prod-d"); err != nil {
		t.Fatalf("typed Remove: %v", err)
	}
	wantProductIDsWire(t, wire.last("RemoveApiProductsAuthorities"), false, "prod-a", "prod-d")
	if ids, _ := typedProductsOf(t, c, typedApp, 1, 10); !reflect.DeepEqual(ids, []string{"prod-b", "prod-c"}) {
		t.Fatalf("typed app after remove: %v", ids)
	}
	if err := l.removeAuth(legacyApp, "prod-b", "prod-c", "prod-a"); err != nil {
		t.Fatalf("legacy Remove: %v", err)
	}
	wantProductIDsWire(t, wire.last("RemoveApiProductsAuthorities"), true, "prod-b", "prod-c", "prod-a")
	if got, err := l.productsOf(legacyApp); err != nil || len(got) != 0 {
		t.Fatalf("legacy app after remove: %v, %v", got, err)
	}
	if apps := typedAppsOf(t, c, "prod-b", ""); len(apps) != 1 || apps[0].AppID != typedApp {
		t.Fatalf("apps on prod-b after removes: %+v", apps)
	}
	if got := s.RequestCount("SetApiProductsAuthorities", "OK"); got != 3 {
		t.Fatalf("RequestCount(SetApiProductsAuthorities, OK) = %d, want 3", got)
	}
}

func TestAppProductsPaging(t *testing.T) {
	s := startServer(t)
	c := defaultTyped(t, s)
	var products []string
	for i := range 12 {
		products = append(products, fmt.Sprintf("page-%02d", i))
	}
	appsFixture(t, s, emulator.DefaultAccountID, c, products...)
	app := typedCreateApp(t, c, "paging_app", "", "")
	// Two calls, the second repeating one id (ignored) in the middle.
	if err := typedSet(c, app, "", "", products[:7]...); err != nil {
		t.Fatal(err)
	}
	if err := typedSet(c, app, "", "", append([]string{products[7], products[2]}, products[8:]...)...); err != nil {
		t.Fatal(err)
	}
	var all []string
	for page := 1; page <= 4; page++ {
		ids, total := typedProductsOf(t, c, app, page, 5)
		if total != 12 || len(ids) != min(5, max(0, 12-(page-1)*5)) {
			t.Fatalf("page %d: %v (total %d)", page, ids, total)
		}
		all = append(all, ids...)
	}
	if !reflect.DeepEqual(all, products) {
		t.Fatalf("paged products = %v, want %v", all, products)
	}
	r, err := c.DescribeApiProductsByApp(&cloudapi.DescribeApiProductsByAppRequest{AppId: tea.Int64(app)})
	if err != nil || tea.Int32Value(r.Body.PageNumber) != 1 || tea.Int32Value(r.Body.PageSize) != 10 || len(r.Body.ApiProductInfoList.ApiProductInfo) != 10 {
		t.Fatalf("defaults: %v %v", err, r)
	}
	_, err = c.DescribeApiProductsByApp(&cloudapi.DescribeApiProductsByAppRequest{AppId: tea.Int64(app), PageSize: tea.Int32(101)})
	wantErr(t, err, "InvalidParameter", 400)
	_, err = c.DescribeAppsByApiProduct(&cloudapi.DescribeAppsByApiProductRequest{ApiProductId: tea.String(products[0]), PageSize: tea.Int32(101)})
	wantErr(t, err, "InvalidParameter", 400)

	// Apps on one product page too.
	for i := range 4 {
		if err := typedSet(c, typedCreateApp(t, c, fmt.Sprintf("paging_app_%d", i), "", ""), "", "", products[0]); err != nil {
			t.Fatal(err)
		}
	}
	r2, err := c.DescribeAppsByApiProduct(&cloudapi.DescribeAppsByApiProductRequest{ApiProductId: tea.String(products[0]),
		PageNumber: tea.Int32(2), PageSize: tea.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	b := r2.Body
	if tea.Int32Value(b.TotalCount) != 5 || tea.Int32Value(b.PageNumber) != 2 || len(b.AuthorizedApps.AuthorizedApp) != 2 ||
		tea.StringValue(b.AuthorizedApps.AuthorizedApp[0].AppName) != "paging_app_1" {
		t.Fatalf("apps page 2: %v", b)
	}
}

func TestAppErrors(t *testing.T) {
	s := startServer(t, emulator.WithMaxItemsPerCall(3))
	c := defaultTyped(t, s)
	appsFixture(t, s, emulator.DefaultAccountID, c, "p1", "p2")
	app := typedCreateApp(t, c, "error_app", "", "")
	if err := typedSet(c, app, "", "", "p1"); err != nil {
		t.Fatal(err)
	}
	const unknownApp = int64(999999999999)
	call := func(action string, q map[string]string) func() error {
		return func() error { return callAPI(c, action, "2016-07-14", q) }
	}
	appID := strconv.FormatInt(app, 10)
	cases := []struct {
		name   string
		call   func() error
		code   string
		status int
		msg    string
	}{
		{"create missing name", sdkCall(c.CreateApp, &cloudapi.CreateAppRequest{}), "MissingParameter", 400, "AppName"},
		{"create short name", sdkCall(c.CreateApp, &cloudapi.CreateAppRequest{AppName: tea.String("abc")}), "InvalidParameter", 400, "AppName"},
		{"create long name", sdkCall(c.CreateApp, &cloudapi.CreateAppRequest{AppName: tea.String("a" + strings.Repeat("b", 26))}), "InvalidParameter", 400, "AppName"},
		{"create digit first", sdkCall(c.CreateApp, &cloudapi.CreateAppRequest{AppName: tea.String("1app")}), "InvalidParameter", 400, "AppName"},
		{"create long description", sdkCall(c.CreateApp, &cloudapi.CreateAppRequest{AppName: tea.String("okay_name"), Description: tea.String(strings.Repeat("d", 181))}), "InvalidParameter", 400, "Description"},
		{"delete unknown app", sdkCall(c.DeleteApp, &cloudapi.DeleteAppRequest{AppId: tea.Int64(unknownApp)}), "NotFoundApp", 404, "999999999999"},
		{"delete missing id", sdkCall(c.DeleteApp, &cloudapi.DeleteAppRequest{}), "MissingParameter", 400, "AppId"},
		{"delete non-numeric id", call("DeleteApp", map[string]string{"AppId": "abc"}), "InvalidParameter", 400, "AppId"},
		{"delete zero id", call("DeleteApp", map[string]string{"AppId": "0"}), "InvalidParameter", 400, "AppId"},
		{"set unknown app", func() error { return typedSet(c, unknownApp, "", "", "p1") }, "NotFoundApp", 404, "999999999999"},
		{"set unknown product", func() error { return typedSet(c, app, "", "", "p2", "nope") }, "NotFoundApiProduct", 404, "nope"},
		{"set missing products", call("SetApiProductsAuthorities", map[string]string{"AppId": appID}), "MissingParameter", 400, "ApiProductIds"},
		{"set empty products", call("SetApiProductsAuthorities", map[string]string{"AppId": appID, "ApiProductIds": " , "}), "MissingParameter", 400, "ApiProductIds"},
		{"set missing app", call("SetApiProductsAuthorities", map[string]string{"ApiProductIds": "p1"}), "MissingParameter", 400, "AppId"},
		{"set gap in legacy list", call("SetApiProductsAuthorities", map[string]string{"AppId": appID, "ApiProductIds.1": "p1", "ApiProductIds.3": "p2"}), "MissingParameter", 400, "ApiProductIds.2"},
		{"set bad product id", func() error { return typedSet(c, app, "", "", "p2", "a:b") }, "InvalidParameter", 400, "ApiProductIds"},
		{"set too many", func() error { return typedSet(c, app, "", "", "p1", "p2", "p3", "p4") }, "InvalidParameter", 400, "ApiProductIds"},
		{"set bad valid time", func() error { return typedSet(c, app, "next week", "", "p2") }, "InvalidParameter", 400, "AuthValidTime"},
		{"remove unknown app", func() error { return typedRemove(c, unknownApp, "p1") }, "NotFoundApp", 404, "999999999999"},
		{"remove missing products", call("RemoveApiProductsAuthorities", map[string]string{"AppId": appID}), "MissingParameter", 400, "ApiProductIds"},
		{"products of unknown app", sdkCall(c.DescribeApiProductsByApp, &cloudapi.DescribeApiProductsByAppRequest{AppId: tea.Int64(unknownApp)}), "NotFoundApp", 404, "999999999999"},
		{"apps of unknown product", sdkCall(c.DescribeAppsByApiProduct, &cloudapi.DescribeAppsByApiProductRequest{ApiProductId: tea.String("nope")}), "NotFoundApiProduct", 404, "nope"},
		{"apps of missing product", sdkCall(c.DescribeAppsByApiProduct, &cloudapi.DescribeAppsByApiProductRequest{}), "MissingParameter", 400, "ApiProductId"},
		{"delete authorized product", sdkCall(c.DeleteApiProduct, &cloudapi.DeleteApiProductRequest{ApiProductId: tea.String("p1")}), "ApiProductAuthorizedToApp", 400, appID},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			wantErrMentioning(t, err, tc.code, tc.status, tc.msg)
		})
	}
	// None of the failed calls changed anything: the app is on p1 only, p1 still exists.
	if ids, _ := typedProductsOf(t, c, app, 1, 10); !reflect.DeepEqual(ids, []string{"p1"}) {
		t.Fatalf("failed calls changed the authorizations: %v", ids)
	}
	if _, ok := s.ProductAttachments(emulator.DefaultAccountID, "", "p1"); !ok {
		t.Fatalf("refused DeleteApiProduct deleted the product")
	}

	// The legacy client sees the same codes and statuses.
	l := legacyClient(t, s, emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret)
	wantErr(t, l.deleteApp(unknownApp), "NotFoundApp", 404)
	wantErr(t, l.setAuth(app, "", "p2", "nope"), "NotFoundApiProduct", 404)
	dreq := legacy.CreateDeleteApiProductRequest()
	l.prep(dreq.RpcRequest)
	dreq.ApiProductId = "p1"
	_, err := l.c.DeleteApiProduct(dreq)
	wantErr(t, err, "ApiProductAuthorizedToApp", 400)

	// Revoking unblocks the delete.
	if err := typedRemove(c, app, "p1"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteApiProduct(&cloudapi.DeleteApiProductRequest{ApiProductId: tea.String("p1")}); err != nil {
		t.Fatalf("DeleteApiProduct after revoking: %v", err)
	}
	_, err = c.DescribeAppsByApiProduct(&cloudapi.DescribeAppsByApiProductRequest{ApiProductId: tea.String("p1")})
	wantErr(t, err, "NotFoundApiProduct", 404)

	// Deleting the app removes its authorizations, which unblocks the delete too.
	if err := typedSet(c, app, "", "", "p2"); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteApiProduct(&cloudapi.DeleteApiProductRequest{ApiProductId: tea.String("p2")})
	wantErr(t, err, "ApiProductAuthorizedToApp", 400)
	if err := l.deleteApp(app); err != nil {
		t.Fatalf("legacy DeleteApp: %v", err)
	}
	if got := typedAppsOf(t, c, "p2", ""); len(got) != 0 {
		t.Fatalf("deleted app still authorized: %+v", got)
	}
	if _, err := c.DeleteApiProduct(&cloudapi.DeleteApiProductRequest{ApiProductId: tea.String("p2")}); err != nil {
		t.Fatalf("DeleteApiProduct after DeleteApp: %v", err)
	}
	_, err = c.DeleteApp(&cloudapi.DeleteAppRequest{AppId: tea.Int64(app)})
	wantErr(t, err, "NotFoundApp", 404)
}

func TestAppIsolation(t *testing.T) {
	s, alice, bob, a, b := twoAccounts(t)
	appsFixture(t, s, alice.ID, a, "shared")
	aliceApp := typedCreateApp(t, a, "alice_app", "", "")
	if err := typedSet(a, aliceApp, "", "", "shared"); err != nil {
		t.Fatal(err)
	}

	// Bob cannot see or touch Alice's app or product: plain not-found.
	_, err := b.DescribeApiProductsByApp(&cloudapi.DescribeApiProductsByAppRequest{AppId: tea.Int64(aliceApp)})
	wantErr(t, err, "NotFoundApp", 404)
	wantErr(t, typedRemove(b, aliceApp, "shared"), "NotFoundApp", 404)
	wantErr(t, typedSet(b, aliceApp, "", "", "shared"), "NotFoundApp", 404)
	_, err = b.DeleteApp(&cloudapi.DeleteAppRequest{AppId: tea.Int64(aliceApp)})
	wantErr(t, err, "NotFoundApp", 404)
	_, err = b.DescribeAppsByApiProduct(&cloudapi.DescribeAppsByApiProductRequest{ApiProductId: tea.String("shared")})
	wantErr(t, err, "NotFoundApiProduct", 404)

	// Bob's own app on his own product of the same name.
	bobApp := typedCreateApp(t, b, "alice_app", "", "") // names are per account (and need not be unique)
	if bobApp == aliceApp {
		t.Fatalf("app id %d reused across accounts", bobApp)
	}
	wantErr(t, typedSet(b, bobApp, "", "", "shared"), "NotFoundApiProduct", 404)
	appsFixture(t, s, bob.ID, b, "shared")
	if err := typedSet(b, bobApp, "", "", "shared"); err != nil {
		t.Fatal(err)
	}
	if got := typedAppsOf(t, a, "shared", ""); len(got) != 1 || got[0].AppID != aliceApp {
		t.Fatalf("Alice sees %+v on her product", got)
	}
	if got := typedAppsOf(t, b, "shared", ""); len(got) != 1 || got[0].AppID != bobApp {
		t.Fatalf("Bob sees %+v on his product", got)
	}
	// Alice revoking on her side leaves Bob's authorization alone.
	if err := typedRemove(a, aliceApp, "shared"); err != nil {
		t.Fatal(err)
	}
	if got := typedAppsOf(t, b, "shared", ""); len(got) != 1 {
		t.Fatalf("Bob's authorization changed by Alice: %+v", got)
	}

	// Regions are separate: the legacy client sends RegionId.
	lc, err := legacy.NewClientWithAccessKey("cn-shanghai", alice.AccessKeyID, alice.AccessKeySecret)
	if err != nil {
		t.Fatal(err)
	}
	lc.GetConfig().AutoRetry = false
	sh := legacyFlow{c: lc, endpoint: s.Endpoint()}
	_, err = sh.productsOf(aliceApp)
	wantErr(t, err, "NotFoundApp", 404)
	shApp, err := sh.createApp("shanghai_app", "", "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = a.DescribeApiProductsByApp(&cloudapi.DescribeApiProductsByAppRequest{AppId: tea.Int64(shApp)})
	wantErr(t, err, "NotFoundApp", 404)
}

func TestAppPersistenceAndReset(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	s1, err := emulator.Start(emulator.WithStateFile(path))
	if err != nil {
		t.Fatal(err)
	}
	c := defaultTyped(t, s1)
	appsFixture(t, s1, emulator.DefaultAccountID, c, "keep-1", "keep-2")
	app := typedCreateApp(t, c, "persist_app", "persisted", "ext")
	if err := typedSet(c, app, "2031-05-06T07:08:09Z", "kept "+awkward, "keep-2", "keep-1"); err != nil {
		t.Fatal(err)
	}
	gone := typedCreateApp(t, c, "deleted_app", "", "")
	if _, err := c.DeleteApp(&cloudapi.DeleteAppRequest{AppId: tea.Int64(gone)}); err != nil {
		t.Fatal(err)
	}
	before := typedAppsOf(t, c, "keep-1", "")
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}

	s2 := startServer(t, emulator.WithStateFile(path))
	c2 := defaultTyped(t, s2)
	if ids, total := typedProductsOf(t, c2, app, 1, 10); !reflect.DeepEqual(ids, []string{"keep-2", "keep-1"}) || total != 2 {
		t.Fatalf("after restart: %v (total %d)", ids, total)
	}
	if after := typedAppsOf(t, c2, "keep-1", ""); !reflect.DeepEqual(after, before) || after[0].AuthValidTime != "2031-05-06T07:08:09Z" {
		t.Fatalf("authorization after restart =\n%+v\nwant\n%+v", after, before)
	}
	_, err = c2.DeleteApiProduct(&cloudapi.DeleteApiProductRequest{ApiProductId: tea.String("keep-1")})
	wantErr(t, err, "ApiProductAuthorizedToApp", 400)
	_, err = c2.DeleteApp(&cloudapi.DeleteAppRequest{AppId: tea.Int64(gone)})
	wantErr(t, err, "NotFoundApp", 404)
	// Ids are not reused, not even the deleted one's.
	if next := typedCreateApp(t, c2, "after_restart", "", ""); next <= gone {
		t.Fatalf("app id %d after restart, not above the last one handed out (%d)", next, gone)
	}

	s2.Reset()
	_, err = c2.DescribeApiProductsByApp(&cloudapi.DescribeApiProductsByAppRequest{AppId: tea.Int64(app)})
	wantErr(t, err, "NotFoundApp", 404)
}

// TestConcurrentApps creates apps and grants/revokes from many goroutines: ids stay unique and the
// final authorizations are exactly the expected ones.
func TestConcurrentApps(t *testing.T) {
	s := startServer(t)
	c := concurrentTyped(t, s)
	appsFixture(t, s, emulator.DefaultAccountID, c, "conc-a", "conc-b", "conc-c")
	const workers, perWorker = 6, 4
	var mu sync.Mutex
	ids := map[int64]bool{}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := concurrentTyped(t, s) // one SDK client per goroutine: the client itself is not race-free
			for i := range perWorker {
				r, err := c.CreateApp(&cloudapi.CreateAppRequest{AppName: tea.String(fmt.Sprintf("conc_%d_%d", w, i))})
				if err != nil {
					errs <- err
					return
				}
				id := tea.Int64Value(r.Body.AppId)
				mu.Lock()
				dup := ids[id]
				ids[id] = true
				mu.Unlock()
				if dup {
					errs <- fmt.Errorf("app id %d handed out twice", id)
					return
				}
				// Every app ends on conc-a and conc-c only.
				if err := typedSet(c, id, "", "", "conc-a", "conc-b", "conc-c"); err != nil {
					errs <- err
					return
				}
				if err := typedRemove(c, id, "conc-b"); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(ids) != workers*perWorker {
		t.Fatalf("%d distinct app ids, want %d", len(ids), workers*perWorker)
	}
	for _, p := range []string{"conc-a", "conc-b", "conc-c"} {
		r, err := c.DescribeAppsByApiProduct(&cloudapi.DescribeAppsByApiProductRequest{ApiProductId: tea.String(p)})
		if err != nil {
			t.Fatal(err)
		}
		want := int32(workers * perWorker)
		if p == "conc-b" {
			want = 0
		}
		if got := tea.Int32Value(r.Body.TotalCount); got != want {
			t.Fatalf("%s has %d authorized apps, want %d", p, got, want)
		}
	}
}
