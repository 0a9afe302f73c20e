package emulator_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	cloudapi "github.com/alibabacloud-go/cloudapi-20160714/v5/client"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator"
	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator/model"
)

// TestCapPageSize: every paged Describe operation serves at most CapPageSize items per page,
// whatever PageSize asks, with a true TotalCount.
func TestCapPageSize(t *testing.T) {
	s := startServer(t, emulator.WithBehaviour(model.Behaviour{CapPageSize: 3}))
	c := defaultTyped(t, s)
	fx := seedFixture(t, s, emulator.DefaultAccountID)
	app := typedCreateApp(t, c, "cap_app", "", "")
	for i := range 7 {
		p := fmt.Sprintf("cap-%d", i)
		if _, err := c.AttachApiProduct(attachReq(p, fx.apiID, "RELEASE")); err != nil {
			t.Fatal(err)
		}
		if err := typedSet(c, app, "", "", p); err != nil {
			t.Fatal(err)
		}
	}
	for _, stage := range []string{"PRE", "TEST"} {
		if _, err := c.AttachApiProduct(attachReq("cap-0", fx.apiID, stage)); err != nil {
			t.Fatal(err)
		}
	}
	products, err := c.DescribeApiProductsByApp(&cloudapi.DescribeApiProductsByAppRequest{AppId: tea.Int64(app), PageSize: tea.Int32(100)})
	if err != nil || len(products.Body.ApiProductInfoList.ApiProductInfo) != 3 || tea.Int32Value(products.Body.TotalCount) != 7 {
		t.Fatalf("DescribeApiProductsByApp: %v %v", products, err)
	}
	// Page 3 of 7 at 3 per page holds the last one.
	products, err = c.DescribeApiProductsByApp(&cloudapi.DescribeApiProductsByAppRequest{AppId: tea.Int64(app), PageNumber: tea.Int32(3), PageSize: tea.Int32(100)})
	if err != nil || len(products.Body.ApiProductInfoList.ApiProductInfo) != 1 || tea.StringValue(products.Body.ApiProductInfoList.ApiProductInfo[0].ApiProductId) != "cap-6" {
		t.Fatalf("DescribeApiProductsByApp page 3: %v %v", products, err)
	}
	apis, err := c.DescribeApiProductApis(&cloudapi.DescribeApiProductApisRequest{ApiProductId: tea.String("cap-0"), PageSize: tea.Int32(50)})
	if err != nil || len(apis.Body.ApiInfoList.ApiInfo) != 3 || tea.Int32Value(apis.Body.TotalCount) != 3 {
		t.Fatalf("DescribeApiProductApis: %v %v", apis, err)
	}
	list, err := c.DescribeApis(&cloudapi.DescribeApisRequest{PageSize: tea.Int32(2)})
	if err != nil || len(list.Body.ApiSummarys.ApiSummary) != 1 {
		t.Fatalf("DescribeApis below the cap: %v %v", list, err)
	}
}

// TestRefusePageSizeAbove: a PageSize above the limit is InvalidParameter; at or below it, and
// without a PageSize, the listing answers.
func TestRefusePageSizeAbove(t *testing.T) {
	s := startServer(t, emulator.WithBehaviour(model.Behaviour{RefusePageSizeAbove: 50}))
	c := defaultTyped(t, s)
	fx := seedFixture(t, s, emulator.DefaultAccountID)
	if _, err := c.AttachApiProduct(attachReq("p", fx.apiID, "RELEASE")); err != nil {
		t.Fatal(err)
	}
	_, err := c.DescribeApiProductApis(&cloudapi.DescribeApiProductApisRequest{ApiProductId: tea.String("p"), PageSize: tea.Int32(100)})
	wantErr(t, err, "InvalidParameter", 400)
	_, err = c.DescribeAppsByApiProduct(&cloudapi.DescribeAppsByApiProductRequest{ApiProductId: tea.String("p"), PageSize: tea.Int32(51)})
	wantErr(t, err, "InvalidParameter", 400)
	for _, size := range []*int32{tea.Int32(50), nil} {
		if _, err := c.DescribeApiProductApis(&cloudapi.DescribeApiProductApisRequest{ApiProductId: tea.String("p"), PageSize: size}); err != nil {
			t.Fatalf("PageSize %v: %v", tea.Int32Value(size), err)
		}
	}
}

// TestLockTimeoutEvery: every Nth write to a product, counted per product over every operation
// that writes to it, is refused with ConcurrencyLockTimeout and changes nothing; its retry is
// accepted.
func TestLockTimeoutEvery(t *testing.T) {
	s := startServer(t, emulator.WithBehaviour(model.Behaviour{LockTimeoutEvery: 3}))
	c := defaultTyped(t, s)
	fx := seedFixture(t, s, emulator.DefaultAccountID)
	app := typedCreateApp(t, c, "lock_app", "", "")
	mustOK := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	// Product a: writes 1 and 2 pass, 3 is refused, 4 (its retry) passes.
	_, err := c.AttachApiProduct(attachReq("a", fx.apiID, "RELEASE"))
	mustOK("a write 1", err)
	// A write to another product does not count against a.
	_, err = c.AttachApiProduct(attachReq("b", fx.apiID, "RELEASE"))
	mustOK("b write 1", err)
	_, err = c.AttachApiProduct(attachReq("a", fx.apiID, "PRE"))
	mustOK("a write 2", err)
	_, err = c.SetAppsAuthToApiProduct(&cloudapi.SetAppsAuthToApiProductRequest{ApiProductId: tea.String("a"), AppIds: []*int64{tea.Int64(app)}})
	wantErr(t, err, "ConcurrencyLockTimeout", 400)
	if got := typedAppsOf(t, c, "a", ""); len(got) != 0 {
		t.Fatalf("a refused grant was applied: %+v", got)
	}
	_, err = c.SetAppsAuthToApiProduct(&cloudapi.SetAppsAuthToApiProductRequest{ApiProductId: tea.String("a"), AppIds: []*int64{tea.Int64(app)}})
	mustOK("a write 4 (the retry)", err)
	// A revoke counts against every product it names: b's second write, a's first of a new count.
	mustOK("revoke", typedRemove(c, app, "a", "b"))
	// b's third write is refused: the detach changes nothing.
	_, err = c.DetachApiProduct(detachReq("b", fx.apiID, "RELEASE"))
	wantErr(t, err, "ConcurrencyLockTimeout", 400)
	if atts, _ := s.ProductAttachments(emulator.DefaultAccountID, "", "b"); len(atts) != 1 {
		t.Fatalf("a refused detach was applied: %v", atts)
	}
	_, err = c.DetachApiProduct(detachReq("b", fx.apiID, "RELEASE"))
	mustOK("b detach retried", err)
	if n := s.RequestCount("", "ConcurrencyLockTimeout"); n != 2 {
		t.Fatalf("%d lock timeouts counted, want 2", n)
	}
}

// TestProxyNotFoundEvery: every Nth request is answered 404 with an HTML page, no CloudAPI code,
// and never reaches the service.
func TestProxyNotFoundEvery(t *testing.T) {
	s := startServer(t, emulator.WithBehaviour(model.Behaviour{ProxyNotFoundEvery: 2}))
	c := defaultTyped(t, s)
	fx := seedFixture(t, s, emulator.DefaultAccountID)
	_, err := c.AttachApiProduct(attachReq("p", fx.apiID, "RELEASE"))
	if err != nil {
		t.Fatalf("request 1: %v", err)
	}
	_, err = c.AttachApiProduct(attachReq("p", fx.apiID, "PRE"))
	if err == nil {
		t.Fatal("request 2 was answered by the service")
	}
	if !noCloudAPICode(err) {
		t.Fatalf("request 2: %v, want a 404 without a code", err)
	}
	if atts, _ := s.ProductAttachments(emulator.DefaultAccountID, "", "p"); len(atts) != 1 {
		t.Fatalf("the proxied request reached the service: %v", atts)
	}
	if n := s.RequestCount("AttachApiProduct", "ProxyNotFound"); n != 1 {
		t.Fatalf("RequestCount(AttachApiProduct, ProxyNotFound) = %d, want 1", n)
	}
	// The raw answer: 404 and an HTML page (request 4; 3 is answered by the service).
	if _, err := c.DescribeApis(&cloudapi.DescribeApisRequest{}); err != nil {
		t.Fatalf("request 3: %v", err)
	}
	cfg := clientConfig(s, emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret)
	rec := &recordingCaller{}
	cfg.HttpClient = rec
	_, _ = typedClient(t, cfg).DescribeApis(&cloudapi.DescribeApisRequest{})
	if rec.status != http.StatusNotFound || !strings.Contains(rec.body, "<h1>404 Not Found</h1>") || strings.Contains(rec.body, "Code") {
		t.Fatalf("request 4 answered %d %q", rec.status, rec.body)
	}
}

// noCloudAPICode reports an error the SDK could not read a CloudAPI error code from.
func noCloudAPICode(err error) bool {
	var se *tea.SDKError
	return err != nil && (!errors.As(err, &se) || tea.StringValue(se.Code) == "")
}

// recordingCaller sends a request and keeps the status and body of its answer.
type recordingCaller struct {
	status int
	body   string
}

func (r *recordingCaller) Call(req *http.Request, _ *http.Transport) (*http.Response, error) {
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	b, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	r.status, r.body = resp.StatusCode, string(b)
	resp.Body = io.NopCloser(strings.NewReader(r.body))
	return resp, nil
}

// TestProxyNotFoundFault: the ProxyNotFound fault kind answers the same way, by count.
func TestProxyNotFoundFault(t *testing.T) {
	s := startServer(t, emulator.WithFaults(emulator.Fault{Action: "DescribeApis", Kind: emulator.FaultProxyNotFound, Count: 1}))
	c := defaultTyped(t, s)
	if _, err := c.DescribeApis(&cloudapi.DescribeApisRequest{}); err == nil {
		t.Fatal("the fault did not fire")
	} else if !noCloudAPICode(err) {
		t.Fatalf("%v, want an answer without a CloudAPI code", err)
	}
	if _, err := c.DescribeApis(&cloudapi.DescribeApisRequest{}); err != nil {
		t.Fatalf("after the fault: %v", err)
	}
}

// TestUnknownProductReadingsForApps: the readings of model.Behaviour.UnknownProduct apply to the
// app operations that name a product, as they do to DescribeApiProductApis and DetachApiProduct.
func TestUnknownProductReadingsForApps(t *testing.T) {
	for _, tc := range []struct {
		reading         model.UnknownProductAnswer
		code            string
		status          int
		listEmpty       bool
		revokeIgnoresIt bool
	}{
		{model.UnknownProductNotFound, "NotFoundApiProduct", 404, false, false},
		{model.UnknownProductEmpty, "NotFoundApiProduct", 404, true, true},
		{model.UnknownProductOtherCode, "EntityNotExist.ApiProduct", 400, false, false},
	} {
		t.Run(tc.reading.String(), func(t *testing.T) {
			s := startServer(t, emulator.WithBehaviour(model.Behaviour{UnknownProduct: tc.reading}))
			c := defaultTyped(t, s)
			appsFixture(t, s, emulator.DefaultAccountID, c, "known")
			app := typedCreateApp(t, c, "reading_app", "", "")
			if err := typedSet(c, app, "", "", "known"); err != nil {
				t.Fatal(err)
			}
			resp, err := c.DescribeAppsByApiProduct(&cloudapi.DescribeAppsByApiProductRequest{ApiProductId: tea.String("nope")})
			if tc.listEmpty {
				if err != nil || tea.Int32Value(resp.Body.TotalCount) != 0 || len(resp.Body.AuthorizedApps.AuthorizedApp) != 0 {
					t.Fatalf("DescribeAppsByApiProduct: %v %v, want an empty listing", resp, err)
				}
			} else {
				wantErr(t, err, tc.code, tc.status)
			}
			// A grant names a product that must exist, under every reading.
			_, err = c.SetAppsAuthToApiProduct(&cloudapi.SetAppsAuthToApiProductRequest{ApiProductId: tea.String("nope"), AppIds: []*int64{tea.Int64(app)}})
			wantErr(t, err, tc.code, tc.status)
			err = typedRemove(c, app, "known", "nope")
			if tc.revokeIgnoresIt {
				if err != nil {
					t.Fatalf("revoke: %v", err)
				}
				if got := typedAppsOf(t, c, "known", ""); len(got) != 0 {
					t.Fatalf("known still granted: %+v", got)
				}
				return
			}
			wantErr(t, err, tc.code, tc.status)
			if got := typedAppsOf(t, c, "known", ""); len(got) != 1 {
				t.Fatalf("a refused revoke changed something: %+v", got)
			}
		})
	}
}

// TestLockTimeoutAfterApply: under the other reading, the refused write was applied before the
// lock timeout was answered; a write that fails for another reason answers that.
func TestLockTimeoutAfterApply(t *testing.T) {
	s := startServer(t, emulator.WithBehaviour(model.Behaviour{LockTimeoutEvery: 2, LockTimeoutAfterApply: true}))
	c := defaultTyped(t, s)
	fx := seedFixture(t, s, emulator.DefaultAccountID)
	if _, err := c.AttachApiProduct(attachReq("a", fx.apiID, "RELEASE")); err != nil {
		t.Fatal(err)
	}
	_, err := c.AttachApiProduct(attachReq("a", fx.apiID, "PRE"))
	wantErr(t, err, "ConcurrencyLockTimeout", 400)
	if atts, _ := s.ProductAttachments(emulator.DefaultAccountID, "", "a"); len(atts) != 2 {
		t.Fatalf("the write answered with a lock timeout was not applied: %v", atts)
	}
	if _, err := c.AttachApiProduct(attachReq("b", fx.apiID, "RELEASE")); err != nil {
		t.Fatal(err)
	}
	// b's second write fails on its own (an unknown API): that is its answer, nothing changed.
	_, err = c.AttachApiProduct(attachReq("b", "0123456789abcdef0123456789abcdef", "RELEASE"))
	wantErr(t, err, "NotFoundApi", 404)
}
