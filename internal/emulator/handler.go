package emulator

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator/model"
	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator/signature"
)

// apiVersion is the only OpenAPI version of CloudAPI the emulator speaks.
const apiVersion = "2016-07-14"

// outcomeDrop is the RequestCount outcome of a request whose connection was dropped by a fault.
const outcomeDrop = "Drop"

// opContext is one authenticated request as an operation sees it: who, where, when, its decoded
// parameters, and the model store of the caller's account in the request's region (an empty
// stand-in when the caller has nothing there yet; operations that create objects take the store
// from s.store instead, which creates it).
type opContext struct {
	account   string
	region    string
	requestID string
	now       time.Time
	p         params
	r         *model.Region
}

// operation decodes one action's parameters, calls the model and builds the response document. Its
// errors are answered through wireError.
type operation func(s *Server, c *opContext) (any, error)

func operations() map[string]operation {
	return map[string]operation{
		"CreateApiGroup":         opCreateAPIGroup,
		"DeleteApiGroup":         opDeleteAPIGroup,
		"CreateApi":              opCreateAPI,
		"DeleteApi":              opDeleteAPI,
		"DeployApi":              opDeployAPI,
		"AbolishApi":             opAbolishAPI,
		"DescribeApis":           opDescribeAPIs,
		"DescribeApi":            opDescribeAPI,
		"AttachApiProduct":       opAttachAPIProduct,
		"DetachApiProduct":       opDetachAPIProduct,
		"DescribeApiProductApis": opDescribeAPIProductAPIs,
		"DeleteApiProduct":       opDeleteAPIProduct,

		"CreateApp":                    opCreateApp,
		"DeleteApp":                    opDeleteApp,
		"SetApiProductsAuthorities":    opSetAPIProductsAuthorities,
		"SetAppsAuthToApiProduct":      opSetAppsAuthToAPIProduct,
		"RemoveApiProductsAuthorities": opRemoveAPIProductsAuthorities,
		"DescribeApiProductsByApp":     opDescribeAPIProductsByApp,
		"DescribeAppsByApiProduct":     opDescribeAppsByAPIProduct,
		"DescribeAppAttributes":        opDescribeAppAttributes,
	}
}

// ack is the answer of operations that answer nothing but their request id, once the model's err
// (if any) is known.
func ack(c *opContext, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return requestIDOnly{c.requestID}, nil
}

// store returns the caller's store in the request's region, creating it.
func (s *Server) store(c *opContext) *model.Region { return s.backend.Region(c.account, c.region) }

// requestRecord is what the request log and the counters learn about one request.
type requestRecord struct {
	action  string // "" until known; unknown actions only after authentication
	account string // "" until authenticated
	status  int
	code    string // "OK" or the error code
	drop    bool
	counted bool // the counters have it
}

// count adds the request to the counters before its answer is written: a client that has read the
// answer must find the request counted (a large answer can reach it before the handler returns).
func (s *Server) count(rec *requestRecord) {
	s.stats.add(rec.action, rec.code)
	rec.counted = true
}

// ServeHTTP handles one OpenAPI request: bounded read, signature parse, version, access key, STS
// token, signature verification, timestamp window, nonce replay, action lookup, fault decision,
// then the operation. Every answer carries a RequestId (body and x-acs-request-id header).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rid := newRequestID()
	var rec requestRecord
	s.serve(w, r, rid, &rec)
	if rec.drop {
		rec.code = outcomeDrop
	}
	if !rec.counted {
		s.count(&rec)
	}
	s.logRequest(&rec, rid, time.Since(start))
	if rec.drop {
		dropConnection(w)
	}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request, rid string, rec *requestRecord) {
	fail := func(e *apiError) {
		rec.status, rec.code = e.Status, e.Code
		s.count(rec)
		writeError(w, rid, r.Host, e)
	}
	if (r.URL.Path != "/" && r.URL.Path != "") || (r.Method != http.MethodPost && r.Method != http.MethodGet) {
		fail(newAPIError(http.StatusNotFound, "InvalidAction.NotFound", "Specified api is not found, please check your url and method."))
		return
	}
	var body []byte
	var err error
	if r.Body != nil { // nil only for requests built by hand for Handler(), never from the server
		body, err = io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			fail(errInvalidParameter("body", fmt.Sprintf("the request body exceeds %d bytes", maxBodyBytes)))
		} else {
			fail(errInvalidParameter("body", "the request body could not be read"))
		}
		return
	}

	req, err := signature.Parse(r, body)
	if err != nil {
		var se *signature.Error
		if errors.As(err, &se) {
			fail(&apiError{Code: se.Code, Message: se.Message, Status: se.Status})
		} else {
			fail(errInvalidParameter("request", "the request could not be parsed"))
		}
		return
	}
	// The version names the service: CloudAPI, or the emulated STS.
	ops, knownVersion := s.services[req.Version]
	op := ops[req.Action]
	if op != nil {
		rec.action = req.Action
	}
	if !knownVersion {
		fail(newAPIError(http.StatusBadRequest, "InvalidVersion", "Specified parameter Version is not valid."))
		return
	}
	cred := s.lookupKey(req.AccessKeyID)
	if cred == nil {
		fail(newAPIError(http.StatusNotFound, "InvalidAccessKeyId.NotFound", "Specified access key is not found."))
		return
	}
	now := s.cfg.now()
	if e := checkSecurityToken(cred, req.SecurityToken, now); e != nil {
		fail(e)
		return
	}
	if err := req.Verify(cred.secret); err != nil {
		var se *signature.Error
		if errors.As(err, &se) {
			fail(&apiError{Code: se.Code, Message: se.Message, Status: se.Status})
		} else {
			fail(newAPIError(http.StatusBadRequest, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation."))
		}
		return
	}
	if d := now.Sub(req.Timestamp); d > clockSkew || d < -clockSkew {
		fail(newAPIError(http.StatusBadRequest, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired."))
		return
	}
	if req.Nonce == "" {
		fail(errMissingParameter(nonceParam(req.Style)))
		return
	}
	if !s.nonces.use(req.AccessKeyID, req.Nonce, now) {
		fail(newAPIError(http.StatusBadRequest, "SignatureNonceUsed", "Specified signature nonce was used already."))
		return
	}
	rec.account = cred.accountID
	if op == nil {
		rec.action = s.stats.unknownAction(req.Action)
		fail(newAPIError(http.StatusNotFound, "InvalidAction.NotFound", "Specified api is not found, please check your url and method."))
		return
	}

	d := s.faults.decide(req.Action, cred.accountID)
	if d.Delay > 0 {
		sleepCtx(r.Context(), d.Delay)
	}
	switch {
	case d.Drop:
		rec.drop = true
		return
	case d.ProxyNotFound:
		rec.status, rec.code = http.StatusNotFound, outcomeProxyNotFound
		s.count(rec)
		writeProxyNotFound(w)
		return
	case d.Err != nil:
		fail(d.Err)
		return
	}

	region := s.cfg.region
	if req.RegionID != "" {
		if !model.ValidRegion(req.RegionID) {
			fail(errInvalidParameter("RegionId", "expected a region id such as cn-hangzhou"))
			return
		}
		region = req.RegionID
	}
	// The operation's clock is read after any injected delay: an attachment made by a slow request is
	// stamped when it actually happened.
	c := &opContext{account: cred.accountID, region: region, requestID: rid, now: s.cfg.now(), p: params(req.Params),
		r: s.backend.Lookup(cred.accountID, region)}
	resp, err := op(s, c)
	if err != nil {
		fail(s.wireError(err))
		return
	}
	rec.status, rec.code = http.StatusOK, "OK"
	s.count(rec)
	writeJSON(w, rid, http.StatusOK, resp)
}

// checkSecurityToken enforces STS rules: a temporary key needs its own, unexpired token; a permanent
// key must not come with a token (a client mixing credentials is a bug worth surfacing).
func checkSecurityToken(c *credential, token string, now time.Time) *apiError {
	if c.token == "" {
		if token != "" {
			return newAPIError(http.StatusBadRequest, "InvalidSecurityToken.MismatchWithAccessKey",
				"The security token does not belong to the access key.")
		}
		return nil
	}
	if token == "" {
		return newAPIError(http.StatusBadRequest, "MissingSecurityToken",
			"The security token is required for a temporary access key.")
	}
	if subtle.ConstantTimeCompare([]byte(token), []byte(c.token)) != 1 {
		return newAPIError(http.StatusBadRequest, "InvalidSecurityToken.MismatchWithAccessKey",
			"The security token does not belong to the access key.")
	}
	if !now.Before(c.expires) {
		return newAPIError(http.StatusBadRequest, "InvalidSecurityToken.Expired", "The security token has expired.")
	}
	return nil
}

func nonceParam(st signature.Style) string {
	if st == signature.StyleV3 {
		return "x-acs-signature-nonce"
	}
	return "SignatureNonce"
}

// clipAction bounds what an unknown action contributes to counters and logs.
func clipAction(a string) string {
	if len(a) > 64 {
		a = a[:64]
	}
	return a
}

// dropConnection closes the client connection without an answer, as a fault. Hijacking works on the
// real server; other ResponseWriters get the abort panic net/http handles silently.
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// writeJSON answers v as JSON with the request id header. Encoding errors cannot happen for the
// response types used here; if one did, the client gets an InternalError rather than a torn body.
func writeJSON(w http.ResponseWriter, requestID string, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		data = []byte(`{"RequestId":"` + requestID + `","Code":"InternalError","Message":"response encoding failed"}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json;charset=utf-8")
	h.Set("x-acs-request-id", requestID)
	h.Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

// newRequestID returns an uppercase UUID-shaped id. Uniqueness, not unpredictability, matters here.
func newRequestID() string {
	const hexdig = "0123456789ABCDEF"
	var b [36]byte
	x, y := rand.Uint64(), rand.Uint64()
	j := 0
	for i := 0; i < 36; i++ {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			b[i] = '-'
			continue
		}
		var nib uint64
		if j < 16 {
			nib = x >> (4 * j) & 0xF
		} else {
			nib = y >> (4 * (j - 16)) & 0xF
		}
		b[i] = hexdig[nib]
		j++
	}
	return string(b[:])
}

// logRequest writes one line: time, action, account, status, code, latency, request id. Only
// values the emulator produced or validated are written, never credentials.
func (s *Server) logRequest(rec *requestRecord, rid string, latency time.Duration) {
	if s.cfg.requestLog == nil {
		return
	}
	action := rec.action
	if action == "" {
		action = "-"
	}
	account := rec.account
	if account == "" {
		account = "-"
	}
	line := fmt.Sprintf("%s action=%s account=%s status=%d code=%s latency=%.3fms request_id=%s\n",
		s.cfg.now().UTC().Format(time.RFC3339), logSafe(action), logSafe(account), rec.status, logSafe(rec.code),
		float64(latency)/float64(time.Millisecond), rid)
	s.logMu.Lock()
	defer s.logMu.Unlock()
	_, _ = io.WriteString(s.cfg.requestLog, line)
}

// logSafe quotes values with characters that could forge or break log lines.
func logSafe(v string) string {
	if strings.IndexFunc(v, func(r rune) bool { return r <= ' ' || r == '"' || r == 0x7f || r > 0x7e }) >= 0 {
		return strconv.Quote(v)
	}
	return v
}
