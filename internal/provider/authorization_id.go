package provider

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// authorizationIDFormat is shown to users whenever an authorization id cannot be parsed.
const authorizationIDFormat = "<api_product_id>:<app_id>"

// authValidTimeLayout is how the service reports AuthValidTime: UTC, whole seconds.
const authValidTimeLayout = "2006-01-02T15:04:05Z"

// authorizationID is the identity of one apigateway_api_product_authorization: a (product, app) pair.
type authorizationID struct {
	ProductID string
	AppID     int64
}

// String renders the id stored in state and accepted by import.
func (id authorizationID) String() string {
	return id.ProductID + ":" + strconv.FormatInt(id.AppID, 10)
}

// parseAuthorizationID parses "<api_product_id>:<app_id>" with the schema's rules.
func parseAuthorizationID(raw string) (authorizationID, error) {
	parts := strings.Split(raw, ":")
	if len(parts) != 2 {
		return authorizationID{}, fmt.Errorf("expected an id of the form %q (for example %q), got %q (%d part(s) separated by \":\")",
			authorizationIDFormat, "117b7a64a8b3f064eaa4a47ac62aac5e:110982419", raw, len(parts))
	}
	if problem := identifierProblemIn(parts[0], "authorization id", authorizationIDFormat); problem != "" {
		return authorizationID{}, fmt.Errorf("expected an id of the form %q, got %q: the api_product_id part %s", authorizationIDFormat, raw, problem)
	}
	if problem := appIDProblem(parts[1]); problem != "" {
		return authorizationID{}, fmt.Errorf("expected an id of the form %q, got %q: the app_id part %s", authorizationIDFormat, raw, problem)
	}
	app, _ := strconv.ParseInt(parts[1], 10, 64)
	return authorizationID{ProductID: parts[0], AppID: app}, nil
}

// appIDProblem explains why s is not an app id (the decimal digits of a positive int64), or
// returns "" when it is.
func appIDProblem(s string) string {
	if s == "" {
		return "is empty"
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return fmt.Sprintf("must be the decimal digits of an app id, such as \"110982419\", got %q", s)
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err != nil || n <= 0 || s[0] == '0' {
		return fmt.Sprintf("must be a positive app id without leading zeros that fits in 64 bits, got %q", s)
	}
	return ""
}

// parseAuthValidTime parses an auth_valid_time: RFC 3339 in whole seconds (the service keeps no
// fractions, so a fraction would show as a change at every plan). problem is "" when it is fine.
func parseAuthValidTime(s string) (time.Time, string) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Sprintf("must be an RFC 3339 time such as \"2030-06-30T16:00:00Z\" or \"2030-07-01T00:00:00+08:00\", got %q", s)
	}
	if t.Nanosecond() != 0 {
		return time.Time{}, fmt.Sprintf("must be in whole seconds (the service keeps no fractions), got %q", s)
	}
	return t, ""
}

// wireAuthValidTime is the AuthValidTime to send for an auth_valid_time: UTC, as the service
// documents it. "" (null) means the grant never expires.
func wireAuthValidTime(s string) string {
	if s == "" {
		return ""
	}
	t, problem := parseAuthValidTime(s)
	if problem != "" {
		return s
	}
	return t.UTC().Format(authValidTimeLayout)
}

// sameInstant reports whether two auth_valid_time spellings name the same time ("" only equals "").
func sameInstant(a, b string) bool {
	if a == "" || b == "" {
		return a == b
	}
	ta, pa := parseAuthValidTime(a)
	tb, err := time.Parse(time.RFC3339, b)
	return pa == "" && err == nil && ta.Equal(tb)
}
