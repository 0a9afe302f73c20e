package provider

import (
	"context"
	"encoding/json"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/cloudapi/terraform-provider-apigateway/internal/cloudapi"
)

// privateUnconfirmed is the private-state key of an attachment that no listing has shown yet:
// its value is the time of the successful attach (RFC 3339).
const privateUnconfirmed = "unconfirmed_since"

// Private state as Create and Read see it (the framework's type is internal).
type (
	privateGetter interface {
		GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
	}
	privateSetter interface {
		SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
	}
)

// setUnconfirmed records when a fresh attachment was made; the zero time clears the record, once a
// listing has shown the attachment.
func setUnconfirmed(ctx context.Context, p privateSetter, at time.Time) diag.Diagnostics {
	if at.IsZero() {
		return p.SetKey(ctx, privateUnconfirmed, nil)
	}
	v, _ := json.Marshal(at.UTC().Format(time.RFC3339Nano))
	return p.SetKey(ctx, privateUnconfirmed, v)
}

// unconfirmedSince returns when the attachment was made if no listing has shown it since, else the
// zero time. Read keeps such an attachment for cloudapi.VisibilityGrace even when the product's
// listing does not show it: the service may take a while to list a fresh attachment, and dropping
// it from state would make the next plan attach it again.
func unconfirmedSince(ctx context.Context, p privateGetter) (time.Time, diag.Diagnostics) {
	raw, diags := p.GetKey(ctx, privateUnconfirmed)
	if len(raw) == 0 || diags.HasError() {
		return time.Time{}, diags
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return time.Time{}, diags
	}
	at, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, diags
	}
	return at, diags
}

// unconfirmed reports how long before now a write was made that no listing has shown yet, and
// whether that is so recent that the service may still not list it. A listing that does not show
// such a write proves nothing: Read keeps the resource, and Delete does not take it for gone
// (DESIGN.md, "Unknown outcomes", rule 2).
func unconfirmed(ctx context.Context, p privateGetter, now time.Time, diags *diag.Diagnostics) (age time.Duration, recent bool) {
	since, d := unconfirmedSince(ctx, p)
	diags.Append(d...)
	age = now.Sub(since)
	return age, !since.IsZero() && age < cloudapi.VisibilityGrace
}
