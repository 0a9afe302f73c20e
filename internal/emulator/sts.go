package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// An emulated STS (Security Token Service, 2015-04-01) with one operation, AssumeRole, served on the
// same endpoint as CloudAPI and signed the same way (credentials-go signs it V1 and sends it over
// HTTPS, so a client normally needs WithTLS). It answers temporary credentials for the role's
// account, which the emulator then accepts for CloudAPI calls until they expire.

// stsVersion is the only STS OpenAPI version the emulator speaks.
const stsVersion = "2015-04-01"

// Role is a RAM role that AssumeRole can hand out. ARN is "acs:ram::<account>:role/<name>"; the
// temporary credentials act on that account. TrustedAccounts lists the accounts whose keys may
// assume it (empty: only the role's own account). ExternalID, when set, must be sent as ExternalId.
// MaxSessionDuration bounds DurationSeconds (default and upper limit 43200 seconds, the service's).
type Role struct {
	ARN                string
	TrustedAccounts    []string
	ExternalID         string
	MaxSessionDuration time.Duration
}

// roleARNPattern is the shape of role ARNs; the account is the third field, the name the last.
var roleARNPattern = regexp.MustCompile(`^acs:ram::([0-9A-Za-z_-]{1,64}):role/([A-Za-z0-9._-]{1,64})$`)

// roleSessionNamePattern is AssumeRole's documented rule: 2 to 64 letters, digits, '.', '@', '-', '_'.
var roleSessionNamePattern = regexp.MustCompile(`^[A-Za-z0-9.@_-]{2,64}$`)

// Session durations AssumeRole accepts (DurationSeconds), and its default.
const (
	minSessionDuration     = 900 * time.Second
	maxSessionDuration     = 43200 * time.Second
	defaultSessionDuration = time.Hour
)

func validateRole(r Role) error {
	if !roleARNPattern.MatchString(r.ARN) {
		return fmt.Errorf("role ARN %q is not of the form acs:ram::<account>:role/<name>", r.ARN)
	}
	if r.MaxSessionDuration != 0 && (r.MaxSessionDuration < minSessionDuration || r.MaxSessionDuration > maxSessionDuration) {
		return fmt.Errorf("role %q: maximum session duration %s is outside 15m to 12h", r.ARN, r.MaxSessionDuration)
	}
	return nil
}

// WithRole declares a role for AssumeRole. Repeatable.
func WithRole(r Role) Option { return func(c *config) { c.roles = append(c.roles, r) } }

// stsOperations are the STS actions, by name.
func stsOperations() map[string]operation {
	return map[string]operation{"AssumeRole": opAssumeRole}
}

type assumeRoleResponse struct {
	RequestID       string `json:"RequestId"`
	AssumedRoleUser struct {
		AssumedRoleID string `json:"AssumedRoleId"`
		Arn           string `json:"Arn"`
	} `json:"AssumedRoleUser"`
	Credentials struct {
		AccessKeyID     string `json:"AccessKeyId"`
		AccessKeySecret string `json:"AccessKeySecret"`
		SecurityToken   string `json:"SecurityToken"`
		Expiration      string `json:"Expiration"`
	} `json:"Credentials"`
}

// opAssumeRole checks, in this order, RoleArn, RoleSessionName, DurationSeconds and Policy, then
// that the role exists (EntityNotExist.Role, 404), that the caller's account is trusted and the
// external id matches (NoPermission, 403), and issues credentials for the role's account.
func opAssumeRole(s *Server, c *opContext) (any, error) {
	arn, err := c.p.required("RoleArn")
	if err != nil {
		return nil, err
	}
	m := roleARNPattern.FindStringSubmatch(arn)
	if m == nil {
		return nil, newAPIError(http.StatusBadRequest, "InvalidParameter.RoleArn", "The parameter RoleArn is not valid: expected acs:ram::<account>:role/<name>.")
	}
	session, err := c.p.required("RoleSessionName")
	if err != nil {
		return nil, err
	}
	if !roleSessionNamePattern.MatchString(session) {
		return nil, newAPIError(http.StatusBadRequest, "InvalidParameter.RoleSessionName",
			"The parameter RoleSessionName must be 2 to 64 letters, digits, '.', '@', '-' or '_'.")
	}
	duration := defaultSessionDuration
	if v := c.p.get("DurationSeconds"); v != "" {
		n, perr := strconv.ParseInt(v, 10, 64)
		if perr != nil || time.Duration(n)*time.Second < minSessionDuration || time.Duration(n)*time.Second > maxSessionDuration {
			return nil, newAPIError(http.StatusBadRequest, "InvalidParameter.DurationSeconds",
				"The parameter DurationSeconds must be between 900 and 43200 seconds.")
		}
		duration = time.Duration(n) * time.Second
	}
	if p := c.p.get("Policy"); p != "" && !json.Valid([]byte(p)) {
		return nil, newAPIError(http.StatusBadRequest, "InvalidParameter.PolicyGrammar", "The parameter Policy is not a valid JSON policy document.")
	}
	role, ok := s.role(arn)
	if !ok {
		return nil, newAPIError(http.StatusNotFound, "EntityNotExist.Role", "The role does not exist: %s.", clip(arn))
	}
	trusted := slices.Contains(role.TrustedAccounts, c.account) || len(role.TrustedAccounts) == 0 && c.account == m[1]
	if !trusted || role.ExternalID != "" && c.p.get("ExternalId") != role.ExternalID {
		return nil, newAPIError(http.StatusForbidden, "NoPermission",
			"You are not authorized to do this action. The role's trust policy does not allow account %s to assume %s.", clip(c.account), clip(arn))
	}
	if role.MaxSessionDuration != 0 && duration > role.MaxSessionDuration {
		return nil, newAPIError(http.StatusBadRequest, "InvalidParameter.DurationSeconds",
			"The parameter DurationSeconds must not exceed the role's maximum session duration of %d seconds.", int(role.MaxSessionDuration/time.Second))
	}
	keyID, secret, token, expires := s.issueTemporaryCredentials(m[1], duration)
	resp := assumeRoleResponse{RequestID: c.requestID}
	resp.AssumedRoleUser.AssumedRoleID = strings.ToUpper(randomToken(18, false)) + ":" + session
	resp.AssumedRoleUser.Arn = "acs:ram::" + m[1] + ":assumed-role/" + m[2] + "/" + session
	resp.Credentials.AccessKeyID, resp.Credentials.AccessKeySecret, resp.Credentials.SecurityToken = keyID, secret, token
	resp.Credentials.Expiration = fmtTime(expires)
	return resp, nil
}

// role looks up a declared role by ARN.
func (s *Server) role(arn string) (Role, bool) {
	s.keysMu.RLock()
	defer s.keysMu.RUnlock()
	r, ok := s.roles[arn]
	return r, ok
}
