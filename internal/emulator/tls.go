package emulator

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"time"
)

// HTTPS. Real clients talk to API Gateway over HTTPS, so the emulator can too: WithTLS makes it
// serve HTTPS with a certificate from a private certificate authority created at start (or one the
// caller passes, so that many emulators share one trusted CA), WithTLSFiles with a given certificate.
// Clients trust the private CA through its PEM file: Go programs (the provider, credentials-go)
// through SSL_CERT_FILE, Node.js through NODE_EXTRA_CA_CERTS.

// CertificateAuthority is a private CA that signs emulator server certificates. It exists only in
// memory; CertPEM is what clients must trust.
type CertificateAuthority struct {
	cert    *x509.Certificate
	key     *ecdsa.PrivateKey
	certPEM []byte
}

// certValidity bounds generated certificates: long enough for any test run or demo, short enough
// that a leaked CA file is worthless soon.
const certValidity = 7 * 24 * time.Hour

// NewCertificateAuthority creates a CA with a fresh P-256 key.
func NewCertificateAuthority() (*CertificateAuthority, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("emulator: CA key: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serialNumber(),
		Subject:               pkix.Name{CommonName: "apigateway-emulator private CA", Organization: []string{"apigateway-emulator"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(certValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("emulator: CA certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("emulator: CA certificate: %w", err)
	}
	return &CertificateAuthority{cert: cert, key: key, certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}, nil
}

// CertPEM is the CA certificate in PEM form, for SSL_CERT_FILE or a client's trust pool.
func (ca *CertificateAuthority) CertPEM() []byte { return append([]byte(nil), ca.certPEM...) }

// serverCertificate issues a certificate for the listen address: its IP (or host name), plus
// localhost and the loopback addresses, so that 127.0.0.1:PORT and localhost:PORT both verify.
func (ca *CertificateAuthority) serverCertificate(addr net.Addr) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serialNumber(),
		Subject:      pkix.Name{CommonName: "apigateway-emulator"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(certValidity),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	if ta, ok := addr.(*net.TCPAddr); ok && !ta.IP.IsUnspecified() && !ta.IP.IsLoopback() {
		tmpl.IPAddresses = append(tmpl.IPAddresses, ta.IP)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der, ca.cert.Raw}, PrivateKey: key}, nil
}

func serialNumber() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 126))
	return n
}

// tlsSettings is what the TLS options ask for; zero means plain HTTP.
type tlsSettings struct {
	enabled           bool
	ca                *CertificateAuthority // nil with certFile: a given certificate
	certFile, keyFile string
}

// WithTLS serves HTTPS with a certificate for the listen address, signed by ca; nil creates a
// private CA at start (Server.CACertPEM returns it). Plain HTTP stays the default.
func WithTLS(ca *CertificateAuthority) Option {
	return func(c *config) { c.tls = tlsSettings{enabled: true, ca: ca} }
}

// WithTLSFiles serves HTTPS with the PEM certificate (chain) and key in the given files.
func WithTLSFiles(certFile, keyFile string) Option {
	return func(c *config) { c.tls = tlsSettings{enabled: true, certFile: certFile, keyFile: keyFile} }
}

// tlsConfig builds the listener's TLS configuration once the address is known, and returns the CA
// certificate clients must trust (nil for given files).
func (t *tlsSettings) tlsConfig(addr net.Addr) (*tls.Config, []byte, error) {
	if t.certFile != "" || t.keyFile != "" {
		if t.certFile == "" || t.keyFile == "" {
			return nil, nil, errors.New("emulator: TLS needs both a certificate file and a key file")
		}
		cert, err := tls.LoadX509KeyPair(t.certFile, t.keyFile)
		if err != nil {
			return nil, nil, fmt.Errorf("emulator: TLS certificate: %w", err)
		}
		return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil, nil
	}
	ca := t.ca
	if ca == nil {
		var err error
		if ca, err = NewCertificateAuthority(); err != nil {
			return nil, nil, err
		}
	}
	cert, err := ca.serverCertificate(addr)
	if err != nil {
		return nil, nil, fmt.Errorf("emulator: server certificate: %w", err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, ca.CertPEM(), nil
}
