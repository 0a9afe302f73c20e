package emulator_test

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator"
)

// WithTLS serves HTTPS with a certificate for the listen address: a client that trusts the CA
// gets answers, one that does not fails the handshake with a certificate error. Two servers given
// the same CA are trusted through one CA certificate.
func TestTLSServesWithAPrivateCA(t *testing.T) {
	ca, err := emulator.NewCertificateAuthority()
	if err != nil {
		t.Fatal(err)
	}
	a := startServer(t, emulator.WithTLS(ca))
	b := startServer(t, emulator.WithTLS(ca))
	own := startServer(t, emulator.WithTLS(nil))
	if !strings.HasPrefix(a.URL(), "https://") || string(a.CACertPEM()) != string(ca.CertPEM()) || own.CACertPEM() == nil {
		t.Fatalf("URL %s, CA of a shared %v, own CA %v", a.URL(), string(a.CACertPEM()) == string(ca.CertPEM()), own.CACertPEM() != nil)
	}
	if startServer(t).CACertPEM() != nil {
		t.Fatal("a plain HTTP server has a CA")
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(ca.CertPEM()) {
		t.Fatal("CA PEM does not parse")
	}
	trusting := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	for i, s := range []*emulator.Server{a, b} {
		resp, err := trusting.Do(rawV3(t, s, "DescribeApis", url.Values{}, "tls-"+string(rune('a'+i))))
		if err != nil {
			t.Fatalf("server %d over TLS: %v", i, err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("server %d over TLS: status %d", i, resp.StatusCode)
		}
	}
	resp, err := trusting.Do(rawV3(t, own, "DescribeApis", url.Values{}, "tls-own"))
	if err == nil {
		_ = resp.Body.Close()
	}
	var unknown x509.UnknownAuthorityError
	if !errors.As(err, &unknown) {
		t.Fatalf("server with another CA: %v, want an unknown-authority error", err)
	}
}
