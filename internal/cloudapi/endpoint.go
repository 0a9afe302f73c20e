package cloudapi

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

const (
	// ProtocolHTTPS is the default transport protocol.
	ProtocolHTTPS = "HTTPS"
	// ProtocolHTTP is meant for a local emulator.
	ProtocolHTTP = "HTTP"

	endpointForm = "host[:port] (for example apigateway.cn-hangzhou.aliyuncs.com or 127.0.0.1:8080), optionally prefixed by http:// or https://"
)

// EndpointError says why an endpoint and protocol setting cannot be used. The provider turns it
// into a diagnostic on the attribute at fault, the client into its configuration error.
type EndpointError struct {
	// Endpoint is the endpoint as configured, with any user information redacted.
	Endpoint string
	// Scheme is set when the endpoint's URL scheme (HTTP or HTTPS) contradicts Protocol.
	Scheme string
	// Protocol is the protocol setting, upper-cased.
	Protocol string
	// Setting names what is malformed, "endpoint" or "protocol"; "" for a scheme conflict.
	Setting string
	// Err is what is wrong with the setting; nil for a scheme conflict.
	Err error
}

// Error implements error.
func (e *EndpointError) Error() string {
	if e.Err != nil {
		return e.Err.Error()
	}
	return fmt.Sprintf("endpoint %q uses %s but protocol is set to %s; drop the scheme or make them agree", e.Endpoint, e.Scheme, e.Protocol)
}

// Unwrap returns the underlying problem.
func (e *EndpointError) Unwrap() error { return e.Err }

// ResolveEndpoint is the one place that reads an endpoint and protocol setting: it parses endpoint
// (see parseEndpoint), reconciles a URL scheme with protocol, and defaults the protocol to HTTPS.
// hostPort is "" when endpoint is empty (the client then derives it from the region). Errors are
// *EndpointError.
func ResolveEndpoint(endpoint, protocol string) (hostPort, resolvedProtocol string, err error) {
	resolvedProtocol = strings.ToUpper(strings.TrimSpace(protocol))
	if resolvedProtocol != "" && resolvedProtocol != ProtocolHTTP && resolvedProtocol != ProtocolHTTPS {
		return "", "", &EndpointError{Endpoint: RedactEndpoint(endpoint), Protocol: resolvedProtocol,
			Setting: "protocol", Err: fmt.Errorf("invalid protocol %q: expected HTTPS or HTTP", protocol)}
	}
	if endpoint != "" {
		var scheme string
		hostPort, scheme, err = parseEndpoint(endpoint)
		if err != nil {
			return "", "", &EndpointError{Endpoint: RedactEndpoint(endpoint), Protocol: resolvedProtocol, Setting: "endpoint", Err: err}
		}
		if scheme != "" {
			if resolvedProtocol != "" && resolvedProtocol != scheme {
				return "", "", &EndpointError{Endpoint: RedactEndpoint(endpoint), Scheme: scheme, Protocol: resolvedProtocol}
			}
			resolvedProtocol = scheme
		}
	}
	if resolvedProtocol == "" {
		resolvedProtocol = ProtocolHTTPS
	}
	return hostPort, resolvedProtocol, nil
}

// parseEndpoint splits a user-supplied endpoint into the "host[:port]" the SDK wants and the
// protocol named by its scheme ("" when there is none, else "HTTP" or "HTTPS"). It accepts
// "host", "host:port", "[::1]:port", "http://host:port", "https://host/" and rejects anything
// else (paths, query strings, user info, bad ports, whitespace), because the SDK would otherwise
// build a broken URL and fail far from the configuration mistake.
func parseEndpoint(raw string) (hostPort string, protocol string, err error) {
	bad := func(reason string) (string, string, error) {
		return "", "", fmt.Errorf("invalid endpoint %q: %s; expected %s", RedactEndpoint(raw), reason, endpointForm)
	}
	if raw == "" {
		return bad("it is empty")
	}
	if strings.IndexFunc(raw, func(r rune) bool { return r <= ' ' || r == 0x7f }) >= 0 {
		return bad("it contains whitespace or control characters")
	}

	rest := raw
	if i := strings.Index(raw, "://"); i >= 0 {
		switch strings.ToLower(raw[:i]) {
		case "http":
			protocol = ProtocolHTTP
		case "https":
			protocol = ProtocolHTTPS
		default:
			return bad(fmt.Sprintf("unsupported scheme %q (only http and https)", raw[:i]))
		}
		rest = raw[i+3:]
	} else if strings.Contains(raw, ":/") {
		return bad("malformed scheme")
	}

	if strings.ContainsAny(rest, "?#") {
		return bad("query strings and fragments are not allowed")
	}
	if strings.Contains(rest, "@") {
		return bad("user information is not allowed (credentials belong in access_key/secret_key)")
	}
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		if rest[i:] != "/" {
			return bad(fmt.Sprintf("path %q is not allowed (only a trailing /)", rest[i:]))
		}
		rest = rest[:i]
	}
	if rest == "" {
		return bad("the host is missing")
	}

	host, port := rest, ""
	if strings.HasPrefix(rest, "[") || strings.Count(rest, ":") == 1 {
		h, p, splitErr := net.SplitHostPort(rest)
		if splitErr != nil {
			if strings.HasPrefix(rest, "[") && strings.HasSuffix(rest, "]") {
				h = rest[1 : len(rest)-1]
			} else {
				return bad("the host or port is malformed")
			}
		} else {
			if p == "" {
				return bad("the port is empty")
			}
			n, convErr := strconv.Atoi(p)
			if convErr != nil || n < 1 || n > 65535 || strings.HasPrefix(p, "+") {
				return bad(fmt.Sprintf("port %q is not a number between 1 and 65535", p))
			}
			port = p
		}
		host = h
	} else if strings.Contains(rest, ":") {
		return bad("an IPv6 address must be written in brackets, e.g. [::1]:8080")
	}

	if host == "" {
		return bad("the host is missing")
	}
	if ip := net.ParseIP(host); ip == nil {
		if strings.Contains(rest, "[") {
			return bad(fmt.Sprintf("%q is not an IP address", host))
		}
		if !validHostname(host) {
			return bad(fmt.Sprintf("%q is not a valid host name", host))
		}
	} else if ip.To4() == nil && !strings.HasPrefix(rest, "[") {
		return bad("an IPv6 address must be written in brackets, e.g. [::1]:8080")
	}

	hostPort = rest
	if port == "" && strings.HasPrefix(rest, "[") {
		hostPort = "[" + host + "]"
	}
	// Sanity check: what we hand to the SDK must round-trip as a URL authority.
	if u, perr := url.Parse("http://" + hostPort + "/"); perr != nil || u.Host != hostPort {
		return bad("the host is malformed")
	}
	return hostPort, protocol, nil
}

// RedactEndpoint returns raw with any user information ("user:password@") replaced by "***@", for
// error messages: endpoints are not sensitive attributes, but a password pasted into a URL is, and
// the value may come from a variable whose source line Terraform does not show.
func RedactEndpoint(raw string) string {
	start := 0
	if i := strings.Index(raw, "://"); i >= 0 {
		start = i + 3
	}
	// Everything up to the last '@' may belong to the password (which can itself contain '@' or
	// '/'); hiding too much of an invalid endpoint costs nothing.
	if at := strings.LastIndexByte(raw[start:], '@'); at >= 0 {
		return raw[:start] + "***@" + raw[start+at+1:]
	}
	return raw
}

func validHostname(h string) bool {
	if len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(strings.TrimSuffix(h, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return false
			}
		}
	}
	return true
}
