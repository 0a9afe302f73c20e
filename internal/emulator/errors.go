package emulator

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator/model"
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

// codeUnknownProductOther is the answer for an unknown product under model.UnknownProductOtherCode:
// a 400 whose code neither says "not found" nor is one a client could know in advance (Alibaba's
// EntityNotExist.* family of other services), so that a client cannot rely on the code.
const codeUnknownProductOther = "EntityNotExist.ApiProduct"

// Codes of the refusals that model.Behaviour can turn on; Alibaba documents neither.
const (
	codeAlreadyAttached = "ApiAlreadyAttached"
	codeNotAttached     = "ApiNotAttached"
)

// codeLockTimeout answers a write refused for another write to the same product
// (model.Behaviour.LockTimeoutEvery). The code is the service's (the alicloud provider retries it
// for API Gateway writes); its status is not documented. The emulator answers 400, as the service
// answers most refusals, which is also the harder case for a client: a 5xx would be retried
// whatever its code, a 400 only if the client knows the code.
const codeLockTimeout = "ConcurrencyLockTimeout"

// wireError is the package's wireError under the server's reading of the service: the answer for
// an unknown product depends on model.Behaviour.UnknownProduct.
func (s *Server) wireError(err error) *apiError {
	var nf *model.NotFoundError
	if errors.As(err, &nf) && nf.Resource == model.ResourceProduct && s.backend.Behaviour().UnknownProduct == model.UnknownProductOtherCode {
		return newAPIError(http.StatusBadRequest, codeUnknownProductOther, "The API product %q does not exist.", clip(nf.ID))
	}
	return wireError(err)
}

func errNotFoundProduct(productID string) *apiError {
	return newAPIError(http.StatusNotFound, "NotFoundApiProduct", "The specified API product %q does not exist.", clip(productID))
}

// codeProductAuthorized is the emulator's code for DeleteApiProduct while apps are still authorized
// on the product. Alibaba documents the refusal but no code; a code of its own (rather than
// InvalidParameter) lets a client tell "revoke the authorizations first" from a malformed request.
const codeProductAuthorized = "ApiProductAuthorizedToApp"

func errProductAuthorized(productID string, appIDs []int64) *apiError {
	ids := make([]string, 0, min(len(appIDs), 5))
	for _, id := range appIDs[:min(len(appIDs), 5)] {
		ids = append(ids, strconv.FormatInt(id, 10))
	}
	more := ""
	if len(appIDs) > 5 {
		more = fmt.Sprintf(" and %d more", len(appIDs)-5)
	}
	return newAPIError(http.StatusBadRequest, codeProductAuthorized,
		"The API product %q is authorized to app(s) %s%s; revoke the authorizations (RemoveApiProductsAuthorities) before deleting it.",
		clip(productID), strings.Join(ids, ", "), more)
}

// clip keeps client-supplied identifiers echoed in messages short (see model.Clip).
func clip(s string) string { return model.Clip(s) }

// wireError is the one mapping from what an operation returns to a CloudAPI answer: the model's
// typed errors become their codes, statuses and messages; protocol errors pass through. Anything
// else is a bug in the emulator and answers InternalError without details.
func wireError(err error) *apiError {
	var (
		ae *apiError
		pe *model.ParameterError
		nf *model.NotFoundError
		pa *model.ProductAuthorizedError
		aa *model.AlreadyAttachedError
		na *model.NotAttachedError
		lt *model.LockTimeoutError
	)
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.As(err, &pe) && pe.Missing:
		return errMissingParameter(pe.Param)
	case errors.As(err, &pe):
		return errInvalidParameter(pe.Param, pe.Reason)
	case errors.As(err, &nf):
		switch nf.Resource {
		case model.ResourceAPI:
			return errNotFoundAPI(nf.ID)
		case model.ResourceGroup:
			return errNotFoundGroup(nf.ID)
		case model.ResourceProduct:
			return errNotFoundProduct(nf.ID)
		case model.ResourceApp:
			return newAPIError(http.StatusNotFound, "NotFoundApp", "The specified app %s does not exist.", clip(nf.ID))
		}
	case errors.As(err, &pa):
		return errProductAuthorized(pa.ProductID, pa.AppIDs)
	case errors.As(err, &aa):
		return newAPIError(http.StatusBadRequest, codeAlreadyAttached, "The API %q is already attached to API product %q in stage %s.",
			clip(aa.Pair.APIID), clip(aa.ProductID), clip(aa.Pair.Stage))
	case errors.As(err, &na):
		return newAPIError(http.StatusBadRequest, codeNotAttached, "The API %q is not attached to API product %q in stage %s.",
			clip(na.Pair.APIID), clip(na.ProductID), clip(na.Pair.Stage))
	case errors.As(err, &lt):
		return newAPIError(http.StatusBadRequest, codeLockTimeout, "Another operation on API product %q is in progress; try again later.", clip(lt.ProductID))
	}
	return newAPIError(http.StatusInternalServerError, "InternalError", msgInternalError)
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
