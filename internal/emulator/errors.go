package emulator

import (
	"fmt"
	"net/http"
	"net/url"
)

// apiError is an OpenAPI error answer: HTTP status, Alibaba error code, message and optional extra
// headers (Throttling.User carries x-ratelimit-user). It implements error so the Seed* helpers can
// return it unchanged.
type apiError struct {
	Code    string
	Message string
	Status  int
	Header  http.Header
}

// newAPIError builds an error answer; format and args make the message. Messages must never contain
// secrets: callers only pass parameter names and identifiers.
func newAPIError(status int, code, format string, args ...any) *apiError {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	return &apiError{Code: code, Message: msg, Status: status}
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

// The constructors below fix the code, status and message wording of every error the operations
// return, so tests and clients see one spelling per condition.

func errMissingParameter(name string) *apiError {
	return newAPIError(http.StatusBadRequest, "MissingParameter",
		"The input parameter %q that is mandatory for processing this request is not supplied.", name)
}

func errInvalidParameter(name, why string) *apiError {
	if why == "" {
		return newAPIError(http.StatusBadRequest, "InvalidParameter", "The specified parameter %q is not valid.", name)
	}
	return newAPIError(http.StatusBadRequest, "InvalidParameter", "The specified parameter %q is not valid: %s", name, why)
}

func errNotFoundAPI(apiID string) *apiError {
	return newAPIError(http.StatusNotFound, "NotFoundApi", "The specified API %q does not exist.", clip(apiID))
}

func errNotFoundGroup(groupID string) *apiError {
	return newAPIError(http.StatusNotFound, "NotFoundApiGroup", "The specified API group %q does not exist.", clip(groupID))
}

func errNotFoundProduct(productID string) *apiError {
	return newAPIError(http.StatusNotFound, "NotFoundApiProduct", "The specified API product %q does not exist.", clip(productID))
}

// clip keeps client-supplied identifiers echoed in messages short, so a hostile 1 MiB parameter does
// not come back in the error body or the request log.
func clip(s string) string {
	const max = 80
	if len(s) <= max {
		return s
	}
	return s[:max] + "..."
}

// errorBody is the JSON error document both SDKs parse (RequestId, HostId, Code, Message, Recommend).
type errorBody struct {
	RequestID string `json:"RequestId"`
	HostID    string `json:"HostId"`
	Code      string `json:"Code"`
	Message   string `json:"Message"`
	Recommend string `json:"Recommend"`
}

// writeError answers e. hostID is the Host the client addressed, like the real gateway's HostId.
func writeError(w http.ResponseWriter, requestID, hostID string, e *apiError) {
	for k, vs := range e.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	status := e.Status
	if status < 400 || status > 599 {
		status = http.StatusInternalServerError
	}
	body := errorBody{
		RequestID: requestID,
		HostID:    hostID,
		Code:      e.Code,
		Message:   e.Message,
		Recommend: "https://api.aliyun.com/troubleshoot?q=" + url.QueryEscape(e.Code) +
			"&product=CloudAPI&requestId=" + requestID,
	}
	writeJSON(w, requestID, status, body)
}
