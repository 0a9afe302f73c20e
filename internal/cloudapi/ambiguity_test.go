package cloudapi

import (
	"context"
	"errors"
	"testing"
)

// TestRefusalAfterLostAttemptIsUnknown: a definite 4xx that follows an attempt whose answer was lost
// (a dropped connection, a 5xx) may be caused by that attempt (a service that refuses to attach a
// pair twice), so the outcome is unknown; without such an attempt the same 4xx is definite.
func TestRefusalAfterLostAttemptIsUnknown(t *testing.T) {
	refusal := fakeFault{Action: "AttachApiProduct", Kind: "code", Status: 400, Code: "ApiAlreadyAttached", Message: "already attached"}
	for _, tc := range []struct {
		name    string
		faults  []fakeFault
		unknown bool
	}{
		{"refusal alone", []fakeFault{refusal}, false},
		{"after a dropped connection", []fakeFault{{Action: "AttachApiProduct", Kind: "drop"}, refusal}, true},
		{"after a 503", []fakeFault{{Action: "AttachApiProduct", Kind: "503"}, refusal}, true},
		{"after throttling", []fakeFault{{Action: "AttachApiProduct", Kind: "throttle"}, refusal}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.addFaults(tc.faults...)
			c := newTestClient(t, f.endpoint(), fastPolicy(newFakeClock()))
			err := c.AttachAPIProduct(context.Background(), "p1", []APIRef{{APIID: "a1", StageName: "RELEASE"}})
			if err == nil || ErrorCode(err) != "ApiAlreadyAttached" {
				t.Fatalf("err = %v, want the refusal", err)
			}
			if got := OutcomeUnknown(err); got != tc.unknown {
				t.Fatalf("OutcomeUnknown = %v, want %v (%v)", got, tc.unknown, err)
			}
		})
	}
}

// TestUnexplainedListingErrorIsUnknownProductOnlyWhenListingsProveIt: a 4xx that says neither
// "not found" nor anything about credentials is taken for an unknown product only if the product,
// listed with the documented parameters only, and a product that cannot exist are answered alike.
func TestUnexplainedListingErrorIsUnknownProductOnlyWhenListingsProveIt(t *testing.T) {
	gone := fakeFault{Action: "DescribeApiProductApis", Kind: "code", Status: 400, Code: "EntityNotExist.ApiProduct", Message: "no such product"}
	pageSize := fakeFault{Action: "DescribeApiProductApis", Kind: "code", Status: 400, Code: "InvalidParameter", Message: "PageSize"}
	forbidden := fakeFault{Action: "DescribeApiProductApis", Kind: "code", Status: 403, Code: "NoPermission", Message: "denied"}
	for _, tc := range []struct {
		name    string
		faults  []fakeFault
		missing bool
		calls   int
	}{
		// The product and the impossible product are answered the same way: missing.
		{"same answer for an impossible product", []fakeFault{gone, gone, gone}, true, 3},
		// Our PageSize was the problem: the product lists fine with the documented parameters, and
		// then with PageSize 50, which the client keeps using.
		{"our parameters", []fakeFault{pageSize}, false, 3},
		// The impossible product gets another answer: the first is about this product, not its absence.
		{"another answer for an impossible product", []fakeFault{gone, gone, {Action: "DescribeApiProductApis", Kind: "code", Status: 404, Code: "NotFoundApiProduct"}}, false, 3},
		{"permission", []fakeFault{forbidden}, false, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.seedProduct("p1", 1)
			f.addFaults(tc.faults...)
			c := newTestClient(t, f.endpoint(), fastPolicy(newFakeClock()))
			_, err := c.FindAttachment(context.Background(), "p1", "nope", "RELEASE", Strict)
			var nf *NotFoundError
			errors.As(err, &nf)
			if missing := nf != nil && nf.Kind == NotFoundProduct; missing != tc.missing {
				t.Fatalf("product missing = %v, want %v (%v)", missing, tc.missing, err)
			}
			if n := len(f.callsFor("DescribeApiProductApis")); n != tc.calls {
				t.Fatalf("%d listings, want %d", n, tc.calls)
			}
		})
	}
}
