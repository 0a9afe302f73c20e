package cloudapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aliyun/credentials-go/credentials"
)

const (
	testAccessKeyID = "LTAI5tTestKeyForUnitTests"
	testSecret      = "s3cr3t-value-that-must-never-leak"
)

// fakeClock advances only when the retry loop sleeps, so tests see exact waits.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Now()} }

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sleeps = append(f.sleeps, d)
	f.now = f.now.Add(d)
	return nil
}

func (f *fakeClock) Sleeps() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.sleeps...)
}

func testCredential(t testing.TB) credentials.Credential {
	return accessKeyCredential(t, testAccessKeyID, testSecret)
}

func accessKeyCredential(t testing.TB, keyID, secret string) credentials.Credential {
	t.Helper()
	cred, err := credentials.NewCredential(&credentials.Config{
		Type:            strPtr("access_key"),
		AccessKeyId:     strPtr(keyID),
		AccessKeySecret: strPtr(secret),
	})
	if err != nil {
		t.Fatalf("credential: %v", err)
	}
	return cred
}

func strPtr(s string) *string { return &s }

func newTestClient(t testing.TB, endpoint string, policy RetryPolicy) *Client {
	t.Helper()
	c, err := New(Config{
		RegionID:   "cn-hangzhou",
		Endpoint:   endpoint,
		Protocol:   "HTTP",
		Credential: testCredential(t),
		UserAgent:  "cloudapi-tests",
		Retry:      policy,
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// fakeAPI is a small CloudAPI look-alike: the JSON of DescribeApiProductApis, AttachApiProduct,
// DetachApiProduct and DescribeApi, plus scripted faults. It does not verify signatures (the
// emulator does); it only checks that one is present.
type fakeAPI struct {
	t   testing.TB
	srv *httptest.Server

	mu       sync.Mutex
	products map[string][]APIInfo
	// faults are consumed in order, one per matching request (action "" matches any).
	faults []fakeFault
	calls  []fakeCall
	// totalCountOverride, when set, replaces the real TotalCount in DescribeApiProductApis.
	totalCountOverride func(page int, real int) *int
	// maxPageSize clamps PageSize like a server with a lower limit would.
	maxPageSize int
	// afterPage, when set, runs after a DescribeApiProductApis page was answered (under f.mu): a
	// change made by another process between two of the client's page requests.
	afterPage func(f *fakeAPI, page int)
}

type fakeFault struct {
	Action   string
	Kind     string // "503", "500", "throttle", "drop", "html502", "code"
	TimeLeft int    // ms, for throttle
	Status   int    // for code
	Code     string // for code
	Message  string // for code
}

type fakeCall struct {
	Action string
	Query  map[string]string
}

func newFakeAPI(t testing.TB) *fakeAPI {
	f := &fakeAPI{t: t, products: map[string][]APIInfo{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAPI) endpoint() string { return strings.TrimPrefix(f.srv.URL, "http://") }

func (f *fakeAPI) addFaults(ff ...fakeFault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = append(f.faults, ff...)
}

func (f *fakeAPI) seedProduct(id string, n int) []APIInfo {
	f.mu.Lock()
	defer f.mu.Unlock()
	infos := make([]APIInfo, n)
	for i := range infos {
		infos[i] = fakeInfo(fmt.Sprintf("api%04d", i), "RELEASE")
	}
	f.products[id] = infos
	return append([]APIInfo(nil), infos...)
}

func fakeInfo(apiID, stage string) APIInfo {
	return APIInfo{
		APIID: apiID, APIName: "name-" + apiID, GroupID: "g1", GroupName: "group one",
		Method: "GET", Path: "/" + apiID, Description: "d " + apiID, RegionID: "cn-hangzhou", StageName: stage,
	}
}

func (f *fakeAPI) callsFor(action string) []fakeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeCall
	for _, c := range f.calls {
		if c.Action == action {
			out = append(out, c)
		}
	}
	return out
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	action := r.Header.Get("x-acs-action")
	if !strings.HasPrefix(r.Header.Get("Authorization"), "ACS3-HMAC-SHA256 Credential="+testAccessKeyID+",") {
		writeErr(w, 400, "MissingParameter", "no V3 signature", "")
		return
	}
	q := map[string]string{}
	for k, v := range r.URL.Query() {
		q[k] = v[0]
	}

	f.mu.Lock()
	f.calls = append(f.calls, fakeCall{Action: action, Query: q})
	var fault *fakeFault
	for i := range f.faults {
		if f.faults[i].Action == "" || f.faults[i].Action == action {
			ff := f.faults[i]
			fault = &ff
			f.faults = append(f.faults[:i], f.faults[i+1:]...)
			break
		}
	}
	f.mu.Unlock()

	if fault != nil {
		switch fault.Kind {
		case "503":
			writeErr(w, 503, "ServiceUnavailable", "The request has failed due to a temporary failure of the server.", "")
		case "500":
			writeErr(w, 500, "InternalError", "The request processing has failed due to some unknown error.", "")
		case "throttle":
			w.Header().Set("x-ratelimit-user", "Limit:10,Remain:0,TimeLeft:"+strconv.Itoa(fault.TimeLeft)+",Reset:0")
			writeErr(w, 400, "Throttling.User", "Request was denied due to user flow control.", "")
		case "code":
			writeErr(w, fault.Status, fault.Code, fault.Message, "")
		case "html502":
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(502)
			_, _ = w.Write([]byte("<html><body>Bad Gateway</body></html>"))
		case "drop":
			hj, ok := w.(http.Hijacker)
			if !ok {
				f.t.Errorf("cannot hijack")
				return
			}
			conn, _, err := hj.Hijack()
			if err == nil {
				_ = conn.Close()
			}
		default:
			f.t.Errorf("unknown fault kind %q", fault.Kind)
		}
		return
	}

	switch action {
	case "DescribeApiProductApis":
		f.describeProductAPIs(w, q)
	case "AttachApiProduct", "DetachApiProduct":
		f.changeProduct(w, action, q)
	default:
		writeErr(w, 404, "InvalidAction.NotFound", "Specified api is not found, please check your url and method", "")
	}
}

func (f *fakeAPI) describeProductAPIs(w http.ResponseWriter, q map[string]string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	items, ok := f.products[q["ApiProductId"]]
	if !ok {
		writeErr(w, 404, "NotFoundApiProduct", "The specified API product does not exist.", "")
		return
	}
	page, _ := strconv.Atoi(q["PageNumber"])
	size, _ := strconv.Atoi(q["PageSize"])
	if page < 1 {
		page = 1
	}
	if size < 1 {
		size = 10
	}
	if f.maxPageSize > 0 && size > f.maxPageSize {
		size = f.maxPageSize
	}
	start := min((page-1)*size, len(items))
	end := min(start+size, len(items))
	list := []map[string]string{}
	for _, it := range items[start:end] {
		list = append(list, map[string]string{
			"ApiId": it.APIID, "ApiName": it.APIName, "GroupId": it.GroupID, "GroupName": it.GroupName,
			"Method": it.Method, "Path": it.Path, "Description": it.Description, "RegionId": it.RegionID,
			"StageName": it.StageName,
		})
	}
	body := map[string]interface{}{
		"RequestId": fmt.Sprintf("req-describe-%d", page), "PageNumber": page, "PageSize": size,
		"ApiInfoList": map[string]interface{}{"ApiInfo": list},
	}
	total := &[]int{len(items)}[0]
	if f.totalCountOverride != nil {
		total = f.totalCountOverride(page, len(items))
	}
	if total != nil {
		body["TotalCount"] = *total
	}
	writeJSON(w, 200, body)
	if f.afterPage != nil {
		f.afterPage(f, page)
	}
}

func (f *fakeAPI) changeProduct(w http.ResponseWriter, action string, q map[string]string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := q["ApiProductId"]
	var refs []APIRef
	for i := 1; ; i++ {
		apiID, ok := q[fmt.Sprintf("Apis.%d.ApiId", i)]
		if !ok {
			break
		}
		refs = append(refs, APIRef{APIID: apiID, StageName: q[fmt.Sprintf("Apis.%d.StageName", i)]})
	}
	if len(refs) == 0 || len(refs) > 100 {
		writeErr(w, 400, "InvalidParameter", fmt.Sprintf("Apis must have 1..100 items, got %d", len(refs)), "")
		return
	}
	if action == "AttachApiProduct" {
		for _, r := range refs {
			f.products[id] = append(f.products[id], fakeInfo(r.APIID, r.StageName))
		}
	} else {
		items, ok := f.products[id]
		if !ok {
			writeErr(w, 404, "NotFoundApiProduct", "The specified API product does not exist.", "")
			return
		}
		var keep []APIInfo
		for _, it := range items {
			drop := false
			for _, r := range refs {
				drop = drop || (it.APIID == r.APIID && it.StageName == r.StageName)
			}
			if !drop {
				keep = append(keep, it)
			}
		}
		f.products[id] = keep
	}
	writeJSON(w, 200, map[string]string{"RequestId": "req-" + strings.ToLower(action)})
}

var errSeq struct {
	sync.Mutex
	n int
}

func writeErr(w http.ResponseWriter, status int, code, msg, reqID string) {
	if reqID == "" {
		errSeq.Lock()
		errSeq.n++
		reqID = fmt.Sprintf("ERR-%04d", errSeq.n)
		errSeq.Unlock()
	}
	writeJSON(w, status, map[string]string{
		"RequestId": reqID, "HostId": "apigateway.cn-hangzhou.aliyuncs.com", "Code": code, "Message": msg,
		"Recommend": "https://api.aliyun.com/troubleshoot?q=" + code,
	})
}

func writeJSON(w http.ResponseWriter, status int, v interface{}) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
