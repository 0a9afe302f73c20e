package model

import (
	"fmt"
	"time"
)

// Behaviour selects, where Alibaba documents nothing, which plausible reading of the service the
// model follows. The zero value is the emulator's default reading. A provider must be correct under
// every reading, so tests run it against each.
type Behaviour struct {
	// UnknownProduct is how DescribeApiProductApis and DetachApiProduct answer for a product that
	// does not exist.
	UnknownProduct UnknownProductAnswer
	// RefuseDetachUnattached makes DetachApiProduct naming a pair that is not attached (of an
	// existing product, or of any product under UnknownProductEmpty) fail with NotAttachedError,
	// changing nothing; by default such pairs are ignored.
	RefuseDetachUnattached bool
	// RefuseDuplicateAttach makes AttachApiProduct naming a pair that is already attached fail with
	// AlreadyAttachedError, changing nothing; by default re-attaching is a no-op.
	RefuseDuplicateAttach bool
	// AttachVisibilityDelay hides a fresh attachment from DescribeApiProductApis for this long.
	AttachVisibilityDelay time.Duration
	// DetachVisibilityDelay keeps a detached pair in DescribeApiProductApis for this long, like a
	// read replica that has not caught up with the detach. It is gone for every other purpose.
	DetachVisibilityDelay time.Duration
}

// UnknownProductAnswer is one reading of how the service answers for an unknown API product.
type UnknownProductAnswer int

const (
	// UnknownProductNotFound answers NotFoundError (the protocol's NotFoundApiProduct, 404).
	UnknownProductNotFound UnknownProductAnswer = iota
	// UnknownProductEmpty treats an unknown product as an empty one: listings are empty with
	// TotalCount 0, and detaching from it detaches nothing.
	UnknownProductEmpty
	// UnknownProductOtherCode answers NotFoundError too, which the protocol maps to a code a client
	// cannot know in advance (a 400, not a 404, not starting with NotFound).
	UnknownProductOtherCode
)

// UnknownProductAnswers names the readings, for flags and messages.
var UnknownProductAnswers = map[string]UnknownProductAnswer{
	"not-found":  UnknownProductNotFound,
	"empty":      UnknownProductEmpty,
	"other-code": UnknownProductOtherCode,
}

func (a UnknownProductAnswer) String() string {
	for name, v := range UnknownProductAnswers {
		if v == a {
			return name
		}
	}
	return fmt.Sprintf("UnknownProductAnswer(%d)", int(a))
}

// Validate reports settings that cannot be served.
func (bh Behaviour) Validate() error {
	if bh.AttachVisibilityDelay < 0 || bh.DetachVisibilityDelay < 0 {
		return fmt.Errorf("visibility delays must not be negative (attach %s, detach %s)", bh.AttachVisibilityDelay, bh.DetachVisibilityDelay)
	}
	if bh.UnknownProduct < UnknownProductNotFound || bh.UnknownProduct > UnknownProductOtherCode {
		return fmt.Errorf("unknown-product answer %d is not one of the readings", int(bh.UnknownProduct))
	}
	return nil
}

// NotAttachedError is DetachApiProduct refusing pairs that are not attached
// (Behaviour.RefuseDetachUnattached).
type NotAttachedError struct {
	ProductID string
	Pair      AttachmentKey
}

func (e *NotAttachedError) Error() string {
	return fmt.Sprintf("API %s in stage %s is not attached to API product %s", e.Pair.APIID, e.Pair.Stage, e.ProductID)
}

// AlreadyAttachedError is AttachApiProduct refusing pairs that are attached already
// (Behaviour.RefuseDuplicateAttach).
type AlreadyAttachedError struct {
	ProductID string
	Pair      AttachmentKey
}

func (e *AlreadyAttachedError) Error() string {
	return fmt.Sprintf("API %s in stage %s is already attached to API product %s", e.Pair.APIID, e.Pair.Stage, e.ProductID)
}
