package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/cloudapi/terraform-provider-apigateway/internal/cloudapi"
)

// grantError explains a failed grant.
func (r *apiProductAuthorizationResource) grantError(id authorizationID, err error, diags *diag.Diagnostics) {
	switch {
	case isAppGone(err):
		addAppNotFound(diags, r.data, id.AppID, fmt.Sprintf(" for the configured credentials, so it cannot be authorized on API product %q. "+
			"If the app was deleted, remove this resource or point app_id at an existing app. (%s)", id.ProductID, describeError(err)))
	case isGone(err):
		addProductNotFound(diags, r.data, id.ProductID, "An API product is created by attaching its first API: "+
			"manage it with apigateway_api_product (or apigateway_api_product_attachment) and reference its api_product_id, so that Terraform attaches the APIs first. ("+
			describeError(err)+")")
	default:
		diags.AddError("Cannot authorize app on API product",
			fmt.Sprintf("Authorizing app %d on API product %q failed: %s", id.AppID, id.ProductID, describeError(err)))
	}
}

// grantOutcome is what grant knows of its grant once it returns.
type grantOutcome int

const (
	granted      grantOutcome = iota // granted with the plan's terms
	grantFailed                      // definitely not granted (or not with these terms); diags say why
	grantUnknown                     // may or may not be granted; diags hold the error, plan what was sent
)

// grant sends the plan's grant and reads it back into plan. A failed call whose effect a listing can
// tell (anything but rejected credentials or a call never sent) is checked against a listing taken
// afterwards: a grant listed with the plan's terms is a success. private, when not nil, records a
// grant that no listing has shown yet (see unconfirmed), so that Read does not drop it while
// the service may still be catching up.
func (r *apiProductAuthorizationResource) grant(ctx context.Context, plan *apiProductAuthorizationModel, private privateSetter, diags *diag.Diagnostics) grantOutcome {
	id := plan.authorizationID()
	plan.ID = types.StringValue(id.String())
	clearUnknown := func() {
		for _, v := range []*types.String{&plan.AppName, &plan.AuthorizedTime} {
			if v.IsUnknown() {
				*v = types.StringNull()
			}
		}
	}
	tflog.Debug(ctx, "authorizing app on API product")
	err := r.data.client.GrantApp(ctx, id.ProductID, id.AppID, plan.terms())
	if listingDecides(err) {
		g, ferr := r.findAfter(id)
		if ferr == nil && plan.sameTerms(g) {
			tflog.Warn(ctx, "grant call failed but the app is authorized with these terms; continuing", map[string]any{"error": err.Error()})
			plan.setGrant(g)
			clearUnknown()
			return granted
		}
		if outcomeUnknown(err) {
			check := "The listing that followed does not show it with these terms yet, which does not prove that it was not granted: the service may list a fresh grant only after a while."
			if ferr != nil && !isGone(ferr) {
				check = "Checking whether it was granted failed too: " + describeError(ferr)
			}
			clearUnknown()
			if private != nil {
				diags.Append(setUnconfirmed(ctx, private, r.data.now())...)
			}
			diags.AddError("App may have been authorized",
				fmt.Sprintf("Authorizing app %d on API product %q did not complete: %s\n\n%s\n\n"+
					"The authorization is recorded in the state, so that nothing granted goes untracked: the next apply grants it again "+
					"(a create is recorded as tainted and replaced) and destroy revokes it.",
					id.AppID, id.ProductID, describeError(err), check))
			return grantUnknown
		}
	}
	if notSent(err) {
		diags.AddError("App not authorized", notSentDetail(fmt.Sprintf("Authorizing app %d on API product %q", id.AppID, id.ProductID),
			"timeout", "nothing was granted; the next apply grants it"))
		return grantFailed
	}
	if err != nil {
		r.grantError(id, err, diags)
		return grantFailed
	}
	g, err := r.data.client.FindGrant(ctx, id.ProductID, id.AppID, cloudapi.Strict)
	switch {
	case err == nil:
		plan.setGrant(g)
	case isGone(err):
		// The grant succeeded but is not listed (yet): keep what was granted, and keep Read from
		// dropping it while the listing catches up; the next refresh fills in the rest.
		tflog.Warn(ctx, "authorization not listed right after the grant; its computed attributes are filled in by the next refresh")
		if private != nil {
			diags.Append(setUnconfirmed(ctx, private, r.data.now())...)
		}
	default:
		tflog.Warn(ctx, "could not read the authorization back; its computed attributes are filled in by the next refresh", map[string]any{"error": err.Error()})
	}
	clearUnknown()
	tflog.Info(ctx, "authorized app on API product")
	return granted
}

// sameTerms reports whether the listed grant g has the plan's terms.
func (m *apiProductAuthorizationModel) sameTerms(g *cloudapi.AuthorizedApp) bool {
	return sameInstant(m.AuthValidTime.ValueString(), g.AuthValidTime) && m.Description.ValueString() == g.Description
}

// findAfter looks for the grant in a listing that starts now, under a fresh, short deadline: the
// operation's own context may have ended (Ctrl-C, timeout) when this runs.
func (r *apiProductAuthorizationResource) findAfter(id authorizationID) (*cloudapi.AuthorizedApp, error) {
	ctx, cancel := context.WithTimeout(context.Background(), findAfterTimeout)
	defer cancel()
	return r.data.client.FindGrant(ctx, id.ProductID, id.AppID, cloudapi.Strict)
}
