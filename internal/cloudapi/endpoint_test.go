package cloudapi

import (
	"errors"
	"strings"
	"testing"

	"github.com/alibabacloud-go/tea/dara"
)

func TestParseEndpoint(t *testing.T) {
	ok := []struct {
		raw, hostPort, protocol string
	}{
		{"apigateway.cn-hangzhou.aliyuncs.com", "apigateway.cn-hangzhou.aliyuncs.com", ""},
		{"127.0.0.1:8080", "127.0.0.1:8080", ""},
		{"localhost", "localhost", ""},
		{"localhost/", "localhost", ""},
		{"http://127.0.0.1:8080", "127.0.0.1:8080", "HTTP"},
		{"http://127.0.0.1:8080/", "127.0.0.1:8080", "HTTP"},
		{"https://apigateway.cn-shanghai.aliyuncs.com/", "apigateway.cn-shanghai.aliyuncs.com", "HTTPS"},
		{"HTTPS://host.example", "host.example", "HTTPS"},
		{"[::1]:9000", "[::1]:9000", ""},
		{"http://[::1]:9000/", "[::1]:9000", "HTTP"},
		{"[::1]", "[::1]", ""},
		{"my_host.internal:65535", "my_host.internal:65535", ""},
	}
	for _, tc := range ok {
		hp, proto, err := parseEndpoint(tc.raw)
		if err != nil || hp != tc.hostPort || proto != tc.protocol {
			t.Errorf("parseEndpoint(%q) = %q, %q, %v; want %q, %q, nil", tc.raw, hp, proto, err, tc.hostPort, tc.protocol)
		}
	}

	bad := []struct {
		raw, mention string
	}{
		{"", "empty"},
		{"http://", "host is missing"},
		{"https:///", "host is missing"},
		{"host:0", "port"},
		{"host:65536", "port"},
		{"host:abc", "port"},
		{"host:", "port is empty"},
		{"host:+80", "port"},
		{"http://host:8080/path", `path "/path"`},
		{"host/v1/", `path "/v1/"`},
		{"host?x=1", "query"},
		{"https://host/?x=1", "query"},
		{"host#frag", "fragment"},
		{"ftp://host", `scheme "ftp"`},
		{"http:/host", "malformed scheme"},
		{"host name", "whitespace"},
		{" host", "whitespace"},
		{"host\n", "whitespace"},
		{"user:pw@host", "user information"},
		{"::1", "brackets"},
		{"fe80::1:8080", "brackets"},
		{"[notanip]:80", "not an IP"},
		{"-bad-.example", "not a valid host name"},
		{"a..b", "not a valid host name"},
		{"host:80:90", "brackets"},
	}
	for _, tc := range bad {
		_, _, err := parseEndpoint(tc.raw)
		if err == nil {
			t.Errorf("parseEndpoint(%q) accepted", tc.raw)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, tc.mention) {
			t.Errorf("parseEndpoint(%q) error %q does not mention %q", tc.raw, msg, tc.mention)
		}
		if !strings.Contains(msg, "host[:port]") || !strings.Contains(msg, "received") && !strings.Contains(msg, "invalid endpoint") {
			t.Errorf("parseEndpoint(%q) error %q does not show the expected form", tc.raw, msg)
		}
	}
}

// TestParseEndpointHidesUserInfo: a password pasted into the endpoint URL must not reach the error
// (and so the Terraform diagnostic or a log).
func TestParseEndpointHidesUserInfo(t *testing.T) {
	for _, raw := range []string{"http://admin:hunter2@127.0.0.1:8080", "admin:hunter2@host", "https://admin:hun@ter2@host/"} {
		_, _, err := parseEndpoint(raw)
		if err == nil {
			t.Fatalf("parseEndpoint(%q) accepted", raw)
		}
		if msg := err.Error(); strings.Contains(msg, "hunter2") || strings.Contains(msg, "ter2") || !strings.Contains(msg, "***@") {
			t.Errorf("parseEndpoint(%q) error %q shows the user information", raw, msg)
		}
	}
	cases := map[string]string{
		"http://a:b@h:1":       "http://***@h:1",
		"u@h":                  "***@h",
		"http://127.0.0.1:80/": "http://127.0.0.1:80/",
		"":                     "",
	}
	for raw, want := range cases {
		if got := RedactEndpoint(raw); got != want {
			t.Errorf("RedactEndpoint(%q) = %q, want %q", raw, got, want)
		}
	}
}

func TestNewValidation(t *testing.T) {
	cred := testCredential(t)
	cases := []struct {
		name    string
		cfg     Config
		wantErr string
		wantEP  string
		wantPr  string
	}{
		{name: "default endpoint from region", cfg: Config{RegionID: "cn-shanghai", Credential: cred}, wantEP: "apigateway.cn-shanghai.aliyuncs.com", wantPr: "HTTPS"},
		{name: "explicit endpoint, no region", cfg: Config{Endpoint: "127.0.0.1:8080", Protocol: "http", Credential: cred}, wantEP: "127.0.0.1:8080", wantPr: "HTTP"},
		{name: "scheme sets protocol", cfg: Config{Endpoint: "http://127.0.0.1:8080/", Credential: cred}, wantEP: "127.0.0.1:8080", wantPr: "HTTP"},
		{name: "scheme agrees with protocol", cfg: Config{Endpoint: "https://h.example", Protocol: "HTTPS", Credential: cred}, wantEP: "h.example", wantPr: "HTTPS"},
		{name: "scheme conflicts", cfg: Config{Endpoint: "http://h.example", Protocol: "HTTPS", Credential: cred}, wantErr: "uses HTTP but protocol is set to HTTPS"},
		{name: "no region no endpoint", cfg: Config{Credential: cred}, wantErr: "region is required"},
		{name: "bad region", cfg: Config{RegionID: "cn hangzhou", Credential: cred}, wantErr: "invalid region"},
		{name: "bad protocol", cfg: Config{RegionID: "cn-hangzhou", Protocol: "ftp", Credential: cred}, wantErr: `invalid protocol "ftp": expected HTTPS or HTTP`},
		{name: "bad endpoint", cfg: Config{Endpoint: "http://h/x", Credential: cred}, wantErr: "invalid endpoint"},
		{name: "no credential", cfg: Config{RegionID: "cn-hangzhou"}, wantErr: "no credentials"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := New(tc.cfg)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if p := dara.StringValue(c.sdkConfig().Protocol); c.Endpoint() != tc.wantEP || p != tc.wantPr {
				t.Fatalf("endpoint %q protocol %q, want %q %q", c.Endpoint(), p, tc.wantEP, tc.wantPr)
			}
			if c.retry.MaxAttempts != 8 || c.retry.Clock == nil || c.retry.Rand == nil {
				t.Fatalf("zero RetryPolicy not defaulted: %+v", c.retry)
			}
		})
	}
}

// ResolveEndpoint says which setting is at fault, so the provider can put its diagnostic on the
// right attribute.
func TestResolveEndpointNamesTheSetting(t *testing.T) {
	for _, tc := range []struct {
		endpoint, protocol             string
		wantHost, wantProto, wantField string
	}{
		{"", "", "", "HTTPS", ""},
		{"", "http", "", "HTTP", ""},
		{"http://127.0.0.1:8080", "", "127.0.0.1:8080", "HTTP", ""},
		{"https://h.example", "HTTPS", "h.example", "HTTPS", ""},
		{"http://h.example", "HTTPS", "", "", "conflict"},
		{"h.example/path", "", "", "", "endpoint"},
		{"h.example", "ftp", "", "", "protocol"},
	} {
		host, proto, err := ResolveEndpoint(tc.endpoint, tc.protocol)
		var ee *EndpointError
		field := ""
		if errors.As(err, &ee) {
			field = ee.Setting
			if field == "" {
				field = "conflict"
			}
		} else if err != nil {
			t.Fatalf("ResolveEndpoint(%q, %q): %T %v, want *EndpointError", tc.endpoint, tc.protocol, err, err)
		}
		if host != tc.wantHost || proto != tc.wantProto || field != tc.wantField {
			t.Errorf("ResolveEndpoint(%q, %q) = %q, %q, %v; want %q, %q, %s", tc.endpoint, tc.protocol, host, proto, err, tc.wantHost, tc.wantProto, tc.wantField)
		}
	}
}
