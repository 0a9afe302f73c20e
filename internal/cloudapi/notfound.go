package cloudapi

import (
	"errors"
	"fmt"
	"strings"
)

// NotFoundKind says what does not exist.
type NotFoundKind int

const (
	// NotFoundOther is a service's not-found answer about anything else (an API, a group).
	NotFoundOther NotFoundKind = iota
	// NotFoundProduct: the service does not know the API product.
	NotFoundProduct
	// NotFoundAttachment: the product exists but the (API, stage) pair is not attached to it.
	NotFoundAttachment
	// NotFoundGrant: the product exists but the app is not authorized on it.
	NotFoundGrant
	// NotFoundApp: the service knows no app with this id for the caller's account and region.
	NotFoundApp
)

// serviceNotFoundKinds names the kind of a service's not-found answer by its code.
var serviceNotFoundKinds = map[string]NotFoundKind{"NotFoundApiProduct": NotFoundProduct, "NotFoundApp": NotFoundApp}

// NotFoundError is the client's answer that something does not exist: the finders (FindAttachment,
// FindGrant), the product listings (ListProductAPIs, ListProductApps, whatever code the service
// answered an unknown product with) and app look-ups return it. IsNotFound and IsNotFoundKind
// recognise it.
type NotFoundError struct {
	Kind NotFoundKind
	// ProductID, APIID, StageName and AppID are what was looked for (as far as they apply).
	ProductID string
	APIID     string
	StageName string
	AppID     int64
	// RequestID is the request that answered, when no service error (Err) carries it.
	RequestID string
	// Err is the service's answer behind it, if any.
	Err error
}

// Error implements error.
func (e *NotFoundError) Error() string {
	switch e.Kind {
	case NotFoundAttachment:
		return fmt.Sprintf("API %q in stage %s is not attached to API product %q", e.APIID, e.StageName, e.ProductID)
	case NotFoundGrant:
		return fmt.Sprintf("app %d is not authorized on API product %q", e.AppID, e.ProductID)
	case NotFoundApp:
		return fmt.Sprintf("app %d not found", e.AppID) + e.requestIDSuffix()
	}
	msg := fmt.Sprintf("API product %q not found", e.ProductID)
	switch {
	case e.APIID != "":
		msg += fmt.Sprintf(" (looking for API %q in stage %s)", e.APIID, e.StageName)
	case e.AppID != 0:
		msg += fmt.Sprintf(" (looking for the authorization of app %d)", e.AppID)
	}
	return msg + e.requestIDSuffix()
}

func (e *NotFoundError) requestIDSuffix() string {
	id := e.RequestID
	if id == "" {
		id = requestIDOf(e.Err)
	}
	if id == "" {
		return ""
	}
	return " (RequestId: " + id + ")"
}

// Unwrap returns the service's answer, if any.
func (e *NotFoundError) Unwrap() error { return e.Err }

// lookingFor returns a copy of err's *NotFoundError with what a finder looked for added by set
// (listings share theirs between callers); any other error is returned as it is.
func lookingFor(err error, set func(*NotFoundError)) error {
	var nf *NotFoundError
	if !errors.As(err, &nf) {
		return err
	}
	e := *nf
	set(&e)
	return &e
}

// notFoundKind is the one classification of "does not exist": a *NotFoundError, or a service
// error with HTTP status 404 and a CloudAPI error code, or a code starting with "NotFound" or
// ending in ".NotFound". A 404 without a code (an HTML or plain-text page, a JSON body without
// Code) is never "not found": a proxy or load balancer in the way answered (see IsRetryable), and
// only the service can say that something does not exist. Authentication and configuration errors
// that look similar (InvalidAccessKeyId.NotFound, InvalidAction.NotFound, …) are not "not found".
func notFoundKind(err error) (NotFoundKind, bool) {
	if err == nil {
		return 0, false
	}
	var nf *NotFoundError
	if errors.As(err, &nf) {
		return nf.Kind, true
	}
	d := inspect(err)
	if !d.structured || d.code == "" || IsCredentialError(err) || hasCode(d.code, misdirectedCodes) {
		return 0, false
	}
	if d.status == 404 || strings.HasPrefix(d.code, "NotFound") || strings.HasSuffix(d.code, ".NotFound") {
		return serviceNotFoundKinds[d.code], true
	}
	return 0, false
}

// IsNotFound reports whether err means the addressed object does not exist (see notFoundKind).
func IsNotFound(err error) bool {
	_, ok := notFoundKind(err)
	return ok
}

// IsNotFoundKind reports whether err means that an object of kind k does not exist: a
// *NotFoundError of that kind, or the service's own answer for it (NotFoundApiProduct,
// NotFoundApp) to any operation.
func IsNotFoundKind(err error, k NotFoundKind) bool {
	got, ok := notFoundKind(err)
	return ok && got == k
}
