package algorithm_test

import (
	"encoding/hex"
	"net/url"
	"testing"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator/signature/algorithm"
	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator/signature/signaturetest"
)

// TestSignV3MatchesReference pins the canonical request against a known
// answer computed independently from the reference algorithm, so SignV3 and
// Parse cannot drift together.
func TestSignV3MatchesReference(t *testing.T) {
	q := url.Values{"b": {"x y*~/ü"}, "a": {""}}
	path, headers := "/", []string{"host", "x-acs-action"}
	got := algorithm.V3CanonicalRequest("POST", path, q, headers, func(n string) []string {
		return map[string][]string{"host": {"h:1"}, "x-acs-action": {" Act "}}[n]
	}, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
	want := "POST\n/\na=&b=x%20y%2A~%2F%C3%BC\nhost:h:1\nx-acs-action:Act\n\nhost;x-acs-action\n" +
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	if got != want {
		t.Fatalf("canonical request:\n%q\nwant\n%q", got, want)
	}
	// HMAC-SHA256 known answer (RFC 4231 test case 2: key "Jefe").
	mac := hex.EncodeToString(algorithm.V3Signature("what do ya want for nothing?", "Jefe"))
	if mac != "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" {
		t.Fatalf("V3Signature = %s", mac)
	}
}

// TestSignV1MatchesReference pins the V1 string to sign and signature.
func TestSignV1MatchesReference(t *testing.T) {
	p := url.Values{"B": {"x y*~/ü"}, "A": {"1"}, "Signature": {"ignored"}}
	sts := algorithm.V1StringToSign(url.Values{"B": p["B"], "A": p["A"]}, "GET")
	want := "GET&%2F&A%3D1%26B%3Dx%2520y%252A~%252F%25C3%25BC"
	if sts != want {
		t.Fatalf("string to sign %q, want %q", sts, want)
	}
	// Independently: base64(HMAC-SHA1("key&", sts)) computed with openssl.
	if got := signaturetest.SignV1(p, "GET", "key"); got != "3vtHeFkC5nj0rlBoDQhrpPLQpGg=" {
		t.Fatalf("SignV1 = %q", got)
	}
}
