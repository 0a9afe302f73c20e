package signature

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator/signature/signaturetest"
)

// BenchmarkVerifyV3 measures Parse+Verify of a typical AttachApiProduct V3
// request (what the emulator does per request before any business logic).
func BenchmarkVerifyV3(b *testing.B) {
	q := url.Values{"ApiProductId": {awkward}}
	for i, id := range []string{"a1", "a2", "a3", "a4"} {
		n := string(rune('1' + i))
		q.Set("Apis."+n+".ApiId", id)
		q.Set("Apis."+n+".StageName", "RELEASE")
	}
	r := &http.Request{Method: http.MethodPost, URL: &url.URL{Path: "/", RawQuery: q.Encode()}, Host: "127.0.0.1:8080", Header: http.Header{}}
	r.Header.Set("x-acs-action", "AttachApiProduct")
	r.Header.Set("x-acs-version", "2016-07-14")
	r.Header.Set("x-acs-credentials-provider", "static_ak")
	if err := signaturetest.SignV3(r, nil, testAK, testSecret); err != nil {
		b.Fatal(err)
	}
	benchmarkVerify(b, r)
}

// BenchmarkVerifyV1 measures Parse+Verify of the same call signed with V1,
// all parameters in the query as darabonba's "v2" mode sends them.
func BenchmarkVerifyV1(b *testing.B) {
	p := v1Base()
	for i, id := range []string{"a1", "a2", "a3", "a4"} {
		n := string(rune('1' + i))
		p.Set("Apis."+n+".ApiId", id)
		p.Set("Apis."+n+".StageName", "RELEASE")
	}
	p.Set("Signature", signaturetest.SignV1(p, http.MethodPost, testSecret))
	r := &http.Request{Method: http.MethodPost, URL: &url.URL{Path: "/", RawQuery: p.Encode()}, Host: "127.0.0.1:8080", Header: http.Header{}}
	benchmarkVerify(b, r)
}

// benchmarkVerify measures Parse+Verify of r.
func benchmarkVerify(b *testing.B, r *http.Request) {
	b.ReportAllocs()
	for b.Loop() {
		req, err := Parse(r, nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := req.Verify(testSecret); err != nil {
			b.Fatal(err)
		}
	}
}
