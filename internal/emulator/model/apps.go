package model

import (
	"regexp"
	"sort"
	"strconv"
	"time"
)

// Apps and their API-product authorizations. An app belongs to one account and region, like
// everything else; authorizations refer to products of that same region. The emulator serves no API
// calls, so authorizations are bookkeeping, but their validity is honoured: an authorization whose
// AuthValidTime has passed is gone for every purpose (not listed by either Describe operation, no
// obstacle to DeleteApiProduct, and a new grant of the same pair starts afresh), as if the service
// had revoked it when it expired. Alibaba documents only that an empty AuthValidTime never expires.

// appNamePattern is CreateApp's documented rule: 4 to 26 characters, a letter first, then letters,
// digits or underscores.
var appNamePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{3,25}$`)

// App is an application (CreateApp).
type App struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	Extend      string    `json:"extend,omitempty"`
	Created     time.Time `json:"created"`
	Seq         uint64    `json:"seq"`
}

type app struct {
	App
	auths map[string]*Authorization // by product id
}

// Authorization is one SetApiProductsAuthorities grant. ValidUntil is the AuthValidTime as
// answered (UTC, "2006-01-02T15:04:05Z"); "" means it never expires.
type Authorization struct {
	ProductID   string    `json:"productId"`
	ValidUntil  string    `json:"authValidTime,omitempty"`
	Description string    `json:"description,omitempty"`
	Authorized  time.Time `json:"authorized"`
	Seq         uint64    `json:"seq"` // grant order, for stable listings
}

// live reports whether the authorization is still valid at now.
func (au *Authorization) live(now time.Time) bool {
	if au == nil {
		return false
	}
	if au.ValidUntil == "" {
		return true
	}
	until, err := time.Parse(time.RFC3339, au.ValidUntil)
	return err != nil || now.Before(until)
}

// liveAuth is the app's authorization on the product if it is still valid at now.
func (a *app) liveAuth(productID string, now time.Time) *Authorization {
	if au := a.auths[productID]; au.live(now) {
		return au
	}
	return nil
}

func (a *app) sortedAuths(now time.Time) []*Authorization {
	all := bySeq(a.auths, func(au *Authorization) uint64 { return au.Seq })
	out := all[:0]
	for _, au := range all {
		if au.live(now) {
			out = append(out, au)
		}
	}
	return out
}

// CreateAppRequest is CreateApp. AppKey, AppSecret and AppCode are not part of it: the emulator
// serves no API calls, and not keeping them keeps app secrets out of the state file.
type CreateAppRequest struct {
	Name, Description, Extend string
}

// CreateApp creates an app with a fresh id (ids are not reused after DeleteApp). Names follow the
// documented rule and need not be unique (Alibaba documents no such rule).
func (r *Region) CreateApp(in CreateAppRequest, now time.Time) (App, error) {
	if in.Name == "" {
		return App{}, missing("AppName")
	}
	if !appNamePattern.MatchString(in.Name) {
		return App{}, invalid("AppName", "4 to 26 characters: a letter first, then letters, digits or underscores")
	}
	if err := checkDescription("Description", in.Description, 180); err != nil {
		return App{}, err
	}
	if err := checkDescription("Extend", in.Extend, 2000); err != nil {
		return App{}, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	a := &app{App: App{ID: r.b.ids.nextAppID(), Name: in.Name, Description: in.Description, Extend: in.Extend,
		Created: now, Seq: r.b.ids.nextSeq()}, auths: make(map[string]*Authorization)}
	r.apps[a.ID] = a
	r.b.changed()
	return a.App, nil
}

// lookupApp finds an app. Caller holds r.mu.
func (r *Region) lookupApp(id int64) (*app, error) {
	if a := r.apps[id]; a != nil {
		return a, nil
	}
	return nil, &NotFoundError{Resource: ResourceApp, ID: strconv.FormatInt(id, 10)}
}

// DeleteApp deletes an app and, with it, its authorizations (they cannot outlive the app).
func (r *Region) DeleteApp(id int64) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, err := r.lookupApp(id); err != nil {
		return err
	}
	delete(r.apps, id)
	r.b.changed()
	return nil
}

// AuthorizeRequest is SetApiProductsAuthorities. ValidUntil "" means the grant never expires.
type AuthorizeRequest struct {
	AppID       int64
	ProductIDs  []string
	ValidUntil  string
	Description string
}

// Authorize authorizes an app on products. The whole call is validated first (app exists, every
// product exists) and changes nothing when any check fails. Re-authorizing a product replaces the
// validity and description (an absent validity makes it permanent again) and keeps the original
// authorization time and listing position.
func (r *Region) Authorize(in AuthorizeRequest, now time.Time) (err error) {
	if err := checkDescription("Description", in.Description, 2000); err != nil {
		return err
	}
	return r.lockedWrite(func() error {
		a, err := r.lookupApp(in.AppID)
		if err != nil {
			return err
		}
		for _, pid := range in.ProductIDs {
			if _, err := r.lookupProduct(pid); err != nil {
				return err
			}
		}
		for _, pid := range in.ProductIDs {
			r.grant(a, pid, in.ValidUntil, in.Description, now)
		}
		r.b.changed()
		return nil
	}, in.ProductIDs...)
}

// grant authorizes app a on a product: a live authorization gets the new validity and description
// and keeps its time and position; an expired one is replaced by a fresh one. Caller holds r.mu.
func (r *Region) grant(a *app, productID, validUntil, description string, now time.Time) {
	if au := a.liveAuth(productID, now); au != nil {
		au.ValidUntil, au.Description = validUntil, description
		return
	}
	a.auths[productID] = &Authorization{ProductID: productID, ValidUntil: validUntil, Description: description,
		Authorized: now, Seq: r.b.ids.nextSeq()}
}

// AuthorizeAppsRequest is SetAppsAuthToApiProduct: one product, many apps. ValidUntil "" means the
// grants never expire.
type AuthorizeAppsRequest struct {
	ProductID   string
	AppIDs      []int64
	ValidUntil  string
	Description string
}

// AuthorizeApps authorizes apps on one product, with the rules of Authorize: all or nothing (the
// product and every app must exist, under every Behaviour.UnknownProduct: a grant cannot name a
// product the service does not know, even where listings treat it as empty), re-granting replaces
// validity and description.
func (r *Region) AuthorizeApps(in AuthorizeAppsRequest, now time.Time) (err error) {
	if err := checkProductID(in.ProductID); err != nil {
		return err
	}
	if err := checkDescription("Description", in.Description, 2000); err != nil {
		return err
	}
	return r.lockedWrite(func() error {
		if _, err := r.lookupProduct(in.ProductID); err != nil {
			return err
		}
		apps := make([]*app, 0, len(in.AppIDs))
		for _, id := range in.AppIDs {
			a, err := r.lookupApp(id)
			if err != nil {
				return err
			}
			apps = append(apps, a)
		}
		for _, a := range apps {
			r.grant(a, in.ProductID, in.ValidUntil, in.Description, now)
		}
		r.b.changed()
		return nil
	}, in.ProductID)
}

// Revoke removes an app's authorizations on products. Products the app is not authorized on are
// ignored, so revoking is idempotent. A product that does not exist is answered as
// Behaviour.UnknownProduct says, like a detach from it: not found (the whole call fails, nothing is
// revoked), or ignored under UnknownProductEmpty.
func (r *Region) Revoke(appID int64, productIDs []string) (err error) {
	return r.lockedWrite(func() error {
		a, err := r.lookupApp(appID)
		if err != nil {
			return err
		}
		if r.b.behaviour.UnknownProduct != UnknownProductEmpty {
			for _, pid := range productIDs {
				if _, err := r.lookupProduct(pid); err != nil {
					return err
				}
			}
		}
		changed := false
		for _, pid := range productIDs {
			if a.auths[pid] != nil {
				delete(a.auths, pid)
				changed = true
			}
		}
		if changed {
			r.b.changed()
		}
		return nil
	}, productIDs...)
}

// AppProducts pages through the authorizations of an app that are valid at now, in grant order.
func (r *Region) AppProducts(appID int64, now time.Time, page Page) ([]Authorization, int, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	a, err := r.lookupApp(appID)
	if err != nil {
		return nil, 0, err
	}
	auths := a.sortedAuths(now)
	lo, hi := page.window(len(auths))
	out := make([]Authorization, 0, hi-lo)
	for _, au := range auths[lo:hi] {
		out = append(out, *au)
	}
	return out, len(auths), nil
}

// Grant is an authorization together with its app.
type Grant struct {
	App           App
	Authorization Authorization
}

// ProductApps pages through the apps authorized on a product at now, in grant order; appName,
// when not empty, must match exactly. An unknown product is not found, or has no apps
// (Behaviour.UnknownProduct).
func (r *Region) ProductApps(productID, appName string, now time.Time, page Page) ([]Grant, int, error) {
	if err := checkProductID(productID); err != nil {
		return nil, 0, err
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	if _, err := r.lookupProduct(productID); err != nil {
		if r.b.behaviour.UnknownProduct == UnknownProductEmpty {
			return []Grant{}, 0, nil
		}
		return nil, 0, err
	}
	var match []Grant
	for _, a := range r.apps {
		if au := a.liveAuth(productID, now); au != nil && (appName == "" || a.Name == appName) {
			match = append(match, Grant{App: a.App, Authorization: *au})
		}
	}
	sort.Slice(match, func(i, j int) bool { return match[i].Authorization.Seq < match[j].Authorization.Seq })
	lo, hi := page.window(len(match))
	return match[lo:hi], len(match), nil
}

// Apps pages through the region's apps in creation order (DescribeAppAttributes). appID and
// appName, when set, must match exactly: an app id that matches nothing is an empty page, not an
// error, since both are filters of one listing.
func (r *Region) Apps(appID int64, appName string, page Page) ([]App, int, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var match []App
	for _, a := range r.apps {
		if (appID == 0 || a.ID == appID) && (appName == "" || a.Name == appName) {
			match = append(match, a.App)
		}
	}
	sort.Slice(match, func(i, j int) bool { return match[i].Seq < match[j].Seq })
	lo, hi := page.window(len(match))
	return match[lo:hi], len(match), nil
}
