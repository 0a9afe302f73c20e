package emulator_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator/signature/signaturetest"
)

// signedAttach returns n V3-signed AttachApiProduct requests with distinct nonces, ready for the
// handler (signing happens before the timer starts).
func signedAttach(b *testing.B, s *emulator.Server, apiID string, n int) []*http.Request {
	b.Helper()
	q := url.Values{"ApiProductId": {"bench"}, "Apis.1.ApiId": {apiID}, "Apis.1.StageName": {"RELEASE"}}.Encode()
	reqs := make([]*http.Request, n)
	for i := range reqs {
		r := httptest.NewRequest(http.MethodPost, "http://"+s.Endpoint()+"/?"+q, nil)
		r.Header.Set("x-acs-action", "AttachApiProduct")
		r.Header.Set("x-acs-version", "2016-07-14")
		r.Header.Set("x-acs-signature-nonce", fmt.Sprintf("bench-%s-%d", b.Name(), i))
		if err := signaturetest.SignV3(r, nil, emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret); err != nil {
			b.Fatal(err)
		}
		reqs[i] = r
	}
	return reqs
}

// BenchmarkHandlerAttach measures the server side alone: parse, verify (HMAC-SHA256), nonce, attach,
// JSON answer, through Handler() with a recorder.
func BenchmarkHandlerAttach(b *testing.B) {
	s := emulator.New()
	defer s.Close()
	fx := seedFixture(b, s, emulator.DefaultAccountID)
	h := s.Handler()
	reqs := signedAttach(b, s, fx.apiID, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, reqs[i])
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body.String())
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkHandlerAttachParallel is BenchmarkHandlerAttach on all cores.
func BenchmarkHandlerAttachParallel(b *testing.B) {
	s := emulator.New()
	defer s.Close()
	fx := seedFixture(b, s, emulator.DefaultAccountID)
	h := s.Handler()
	reqs := make(chan *http.Request, b.N)
	for _, r := range signedAttach(b, s, fx.apiID, b.N) {
		reqs <- r
	}
	close(reqs)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, <-reqs)
			if rec.Code != http.StatusOK {
				b.Errorf("status %d: %s", rec.Code, rec.Body.String())
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkSignedAttach is end to end: the official typed client (V3 signing, HTTP over loopback)
// against the listening emulator, from as many goroutines as cores.
func BenchmarkSignedAttach(b *testing.B) {
	s := emulator.New()
	defer s.Close()
	defer b.StopTimer() // Close is not part of the measurement
	fx := seedFixture(b, s, emulator.DefaultAccountID)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		c := defaultTyped(b, s)
		req := attachReq("bench", fx.apiID, "RELEASE")
		for pb.Next() {
			if _, err := c.AttachApiProduct(req); err != nil {
				b.Errorf("attach: %v", err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}
