package emulator_test

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	cloudapi "github.com/alibabacloud-go/cloudapi-20160714/v5/client"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator"
)

// loadDuration is how long TestServiceUnderLoad runs: 3 s in make test, EMULATOR_LOAD_SECONDS for
// the long form (make load-emulator: 60 s).
func loadDuration() time.Duration {
	if n, err := strconv.Atoi(os.Getenv("EMULATOR_LOAD_SECONDS")); err == nil && n > 0 {
		return time.Duration(n) * time.Second
	}
	return 3 * time.Second
}

// TestServiceUnderLoad: 200 concurrent clients, each with its own connection pool, attach, list
// and detach in a loop bounded by loadDuration against an emulator that answers 3 % of requests
// with 503. Every error must be that configured fault; every product ends empty; and once the
// server is closed and the clients' idle connections are gone, no goroutine is left behind.
func TestServiceUnderLoad(t *testing.T) {
	const clients = 200
	before := runtime.NumGoroutine()
	s, err := emulator.Start(emulator.WithFaults(emulator.Fault{Kind: emulator.FaultServiceUnavailable, Rate: 0.03}), emulator.WithRandSeed(7))
	if err != nil {
		t.Fatal(err)
	}
	gid, err := s.SeedGroup(emulator.DefaultAccountID, "", "load")
	if err != nil {
		t.Fatal(err)
	}
	apis := make([]string, clients)
	for i := range apis {
		if apis[i], err = s.SeedAPI(emulator.DefaultAccountID, "", emulator.APISpec{GroupID: gid, Name: fmt.Sprintf("load_api_%03d", i), Path: fmt.Sprintf("/load/%d", i)}); err != nil {
			t.Fatal(err)
		}
	}

	deadline := time.Now().Add(loadDuration())
	var (
		mu         sync.Mutex
		ops        int
		faults     int
		unexpected []string
	)
	var wg sync.WaitGroup
	var transports []*http.Transport
	for i := 0; i < clients; i++ {
		tr := &http.Transport{MaxIdleConnsPerHost: 2}
		transports = append(transports, tr)
		cfg := clientConfig(s, emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret)
		cfg.HttpClient = raceFreeCaller{c: &http.Client{Timeout: 30 * time.Second, Transport: tr}}
		c := typedClient(t, cfg)
		product := fmt.Sprintf("load%02d", i%10)
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			// note counts an answer: nil, the configured fault, or something unexpected.
			note := func(what string, err error) bool {
				mu.Lock()
				defer mu.Unlock()
				ops++
				if err == nil {
					return true
				}
				var se *tea.SDKError
				if errors.As(err, &se) && tea.StringValue(se.Code) == "ServiceUnavailable" && tea.IntValue(se.StatusCode) == 503 {
					faults++
				} else if len(unexpected) < 10 {
					unexpected = append(unexpected, fmt.Sprintf("client %d %s: %v", i, what, err))
				}
				return false
			}
			item := []*cloudapi.AttachApiProductRequestApis{{ApiId: tea.String(apis[i]), StageName: tea.String("RELEASE")}}
			ditem := []*cloudapi.DetachApiProductRequestApis{{ApiId: tea.String(apis[i]), StageName: tea.String("RELEASE")}}
			for time.Now().Before(deadline) {
				_, err := c.AttachApiProduct(&cloudapi.AttachApiProductRequest{ApiProductId: tea.String(product), Apis: item})
				note("attach", err)
				_, err = c.DescribeApiProductApis(&cloudapi.DescribeApiProductApisRequest{ApiProductId: tea.String(product), PageSize: tea.Int32(100)})
				note("list", err)
				// Detach until it succeeds (bounded), so that every product ends empty.
				for try := 0; try < 20; try++ {
					_, err = c.DetachApiProduct(&cloudapi.DetachApiProductRequest{ApiProductId: tea.String(product), Apis: ditem})
					if note("detach", err) {
						break
					}
				}
			}
		}(i)
	}
	wg.Wait()
	for p := 0; p < 10; p++ {
		if atts, _ := s.ProductAttachments(emulator.DefaultAccountID, "", fmt.Sprintf("load%02d", p)); len(atts) != 0 {
			t.Errorf("product load%02d still holds %d attachments", p, len(atts))
		}
	}
	t.Logf("%d clients for %s: %d answers, %d of them the configured 503 (%.1f %%)", clients, loadDuration(), ops, faults, 100*float64(faults)/float64(max(ops, 1)))
	if len(unexpected) > 0 {
		t.Errorf("errors beyond the configured faults:\n%s", strings.Join(unexpected, "\n"))
	}
	if ops < clients*3 {
		t.Errorf("only %d answers for %d clients", ops, clients)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, tr := range transports {
		tr.CloseIdleConnections()
	}
	// Goroutines end asynchronously after Close; give them a moment, then compare.
	var after int
	for wait := time.Now().Add(10 * time.Second); time.Now().Before(wait); time.Sleep(50 * time.Millisecond) {
		if after = runtime.NumGoroutine(); after <= before+2 {
			break
		}
	}
	if after > before+2 {
		buf := make([]byte, 1<<16)
		n := runtime.Stack(buf, true)
		t.Errorf("goroutines: %d before, %d after the server closed (leak):\n%s", before, after, buf[:n])
	}
}

// TestServiceHostileRequests: requests no SDK sends are answered with the right codes, and the
// server keeps serving afterwards.
func TestServiceHostileRequests(t *testing.T) {
	s := startServer(t)
	post := func(header http.Header, body string) (int, map[string]any) {
		req, err := http.NewRequest(http.MethodPost, s.URL()+"/", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header = header
		return do(t, req)
	}
	form := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	cases := []struct {
		name   string
		req    func() (int, map[string]any)
		status int
		code   string
	}{
		{"oversized body", func() (int, map[string]any) {
			return do(t, rawV1(t, s, "DescribeApiProductApis", url.Values{"ApiProductId": {"p1"}, "Pad": {strings.Repeat("x", 2<<20)}}, "n-big2", true))
		}, 400, "InvalidParameter"},
		{"garbage Authorization", func() (int, map[string]any) {
			return post(http.Header{"Authorization": {"ACS3-HMAC-SHA256 garbage"}, "X-Acs-Action": {"DescribeApis"}, "X-Acs-Version": {"2016-07-14"}}, "")
		}, 400, ""},
		{"V3 with a wrong signature", func() (int, map[string]any) {
			return post(http.Header{
				"Authorization":         {"ACS3-HMAC-SHA256 Credential=" + emulator.DefaultAccessKeyID + ",SignedHeaders=host;x-acs-action,Signature=00"},
				"X-Acs-Action":          {"DescribeApis"},
				"X-Acs-Version":         {"2016-07-14"},
				"X-Acs-Date":            {time.Now().UTC().Format("2006-01-02T15:04:05Z")},
				"X-Acs-Signature-Nonce": {"n-hostile"},
				"X-Acs-Content-Sha256":  {"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
			}, "")
		}, 400, ""},
		{"V1 with a malformed signature", func() (int, map[string]any) {
			q := url.Values{"Action": {"DescribeApis"}, "Version": {"2016-07-14"}, "AccessKeyId": {emulator.DefaultAccessKeyID}, "Format": {"JSON"},
				"SignatureMethod": {"HMAC-SHA1"}, "SignatureVersion": {"1.0"}, "SignatureNonce": {"n-v1bad"}, "Timestamp": {time.Now().UTC().Format("2006-01-02T15:04:05Z")},
				"Signature": {"%%%not-base64"}}
			return post(form, q.Encode())
		}, 400, "SignatureDoesNotMatch"},
		{"unknown access key", func() (int, map[string]any) {
			q := url.Values{"Action": {"DescribeApis"}, "Version": {"2016-07-14"}, "AccessKeyId": {"LTAInobody"}, "Format": {"JSON"},
				"SignatureMethod": {"HMAC-SHA1"}, "SignatureVersion": {"1.0"}, "SignatureNonce": {"n-v1nokey"}, "Timestamp": {time.Now().UTC().Format("2006-01-02T15:04:05Z")},
				"Signature": {"AAAA"}}
			return post(form, q.Encode())
		}, 404, "InvalidAccessKeyId.NotFound"},
		{"unsigned", func() (int, map[string]any) { return post(form, "") }, 400, "MissingParameter"},
	}
	for _, tc := range cases {
		status, m := tc.req()
		code, _ := m["Code"].(string)
		if status != tc.status || (tc.code != "" && code != tc.code) || code == "" || m["RequestId"] == nil {
			t.Errorf("%s: %d %v, want %d %s with a RequestId", tc.name, status, m, tc.status, tc.code)
		}
	}

	// Malformed HTTP is the HTTP server's to refuse; headers beyond the limit are 431.
	raw := func(req string) string {
		conn, err := net.Dial("tcp", s.Endpoint())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := conn.Write([]byte(req)); err != nil {
			return "write: " + err.Error()
		}
		buf := make([]byte, 64)
		n, _ := conn.Read(buf)
		return string(buf[:n])
	}
	if got := raw("POST / HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n"); !strings.HasPrefix(got, "HTTP/1.1 400") {
		t.Errorf("malformed header line answered %q, want 400", got)
	}
	if got := raw("POST / HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("a", 2<<20) + "\r\n\r\n"); !strings.HasPrefix(got, "HTTP/1.1 431") && !strings.HasPrefix(got, "write: ") {
		t.Errorf("oversized headers answered %q, want 431", got)
	}
	// Still serving.
	if _, err := defaultTyped(t, s).DescribeApis(&cloudapi.DescribeApisRequest{}); err != nil {
		t.Fatalf("the server stopped serving after hostile requests: %v", err)
	}
}
