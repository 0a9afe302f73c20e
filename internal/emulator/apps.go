package emulator

import (
	"regexp"
	"sort"
	"strconv"
	"time"
)

// Apps and their API-product authorizations. An app belongs to one account and region, like
// everything else; authorizations refer to products of that same region. The emulator serves no API
// calls, so authorizations are bookkeeping only: AuthValidTime is stored and answered, never
// enforced, and an expired authorization stays listed until it is removed.

// appNamePattern is CreateApp's documented rule: 4 to 26 characters, a letter first, then letters,
// digits or underscores.
var appNamePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{3,25}$`)

// appIDParam reads the required AppId: a positive decimal int64, as both SDKs send it.
func appIDParam(p params) (int64, *apiError) {
	v, e := p.required("AppId")
	if e != nil {
		return 0, e
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, errInvalidParameter("AppId", "must be a positive integer")
	}
	return id, nil
}

// productIDsParam reads the required ApiProductIds in either wire form ("a,b" from the typed SDK's
// shrink, ApiProductIds.N from the legacy SDK), checks each id's shape and drops repeats, keeping the
// first occurrence's position.
func (s *Server) productIDsParam(p params) ([]string, *apiError) {
	ids, e := p.list("ApiProductIds", s.cfg.maxItems)
	if e != nil {
		return nil, e
	}
	if len(ids) == 0 {
		return nil, errMissingParameter("ApiProductIds")
	}
	out := make([]string, 0, len(ids))
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if !validProductID(id) {
			return nil, errInvalidParameter("ApiProductIds", "1 to 64 letters, digits, '_' or '-' per product id, got "+strconv.Quote(clip(id)))
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out, nil
}

// parseAuthValidTime accepts an RFC 3339 time (Alibaba documents GMT, e.g. 2023-06-12T03:07:37Z) and
// returns it as answered later: UTC, whole seconds. "" means the authorization never expires.
func parseAuthValidTime(v string) (string, *apiError) {
	if v == "" {
		return "", nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return "", errInvalidParameter("AuthValidTime", "expected a UTC time such as 2023-06-12T03:07:37Z")
	}
	return fmtTime(t), nil
}

// lookupApp finds an app of the caller in the region. Caller holds s.mu.
func (s *Server) lookupApp(account, region string, id int64) (*regionState, *app) {
	rs := s.st.region(account, region, false)
	if rs == nil {
		return nil, nil
	}
	return rs, rs.apps[id]
}

// opCreateApp creates an app. AppName follows the documented rule; names need not be unique (Alibaba
// documents no such rule). AppKey, AppSecret and AppCode are accepted and dropped: the emulator serves
// no API calls, and not keeping them keeps app secrets out of the state file. Tags are ignored.
func opCreateApp(s *Server, c *opContext) (any, *apiError) {
	name, e := c.p.required("AppName")
	if e != nil {
		return nil, e
	}
	if !appNamePattern.MatchString(name) {
		return nil, errInvalidParameter("AppName", "4 to 26 characters: a letter first, then letters, digits or underscores")
	}
	desc, extend := c.p.get("Description"), c.p.get("Extend")
	if !validText(desc, 180) {
		return nil, errInvalidParameter("Description", "at most 180 printable characters")
	}
	if !validText(extend, 2000) {
		return nil, errInvalidParameter("Extend", "at most 2000 printable characters")
	}
	s.mu.Lock()
	rs := s.st.region(c.account, c.region, true)
	a := newApp(s.st.nextAppID(), name, desc, extend, c.now, s.st.nextSeq())
	rs.apps[a.ID] = a
	s.mu.Unlock()
	s.persist()
	return createAppResponse{RequestID: c.requestID, AppID: a.ID}, nil
}

// opDeleteApp deletes an app and, with it, its authorizations (they cannot outlive the app).
func opDeleteApp(s *Server, c *opContext) (any, *apiError) {
	id, e := appIDParam(c.p)
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	rs, a := s.lookupApp(c.account, c.region, id)
	if a == nil {
		s.mu.Unlock()
		return nil, errNotFoundApp(id)
	}
	delete(rs.apps, id)
	s.mu.Unlock()
	s.persist()
	return requestIDOnly{c.requestID}, nil
}

// opSetAPIProductsAuthorities authorizes an app on products. The whole call is validated first (app
// exists, every product exists) and changes nothing when any check fails. Re-authorizing a product
// replaces AuthValidTime and Description (an absent AuthValidTime makes it permanent again) and keeps
// the original AuthorizedTime and listing position.
func opSetAPIProductsAuthorities(s *Server, c *opContext) (any, *apiError) {
	id, e := appIDParam(c.p)
	if e != nil {
		return nil, e
	}
	products, e := s.productIDsParam(c.p)
	if e != nil {
		return nil, e
	}
	validUntil, e := parseAuthValidTime(c.p.get("AuthValidTime"))
	if e != nil {
		return nil, e
	}
	desc := c.p.get("Description")
	if !validText(desc, 2000) {
		return nil, errInvalidParameter("Description", "at most 2000 printable characters")
	}
	s.mu.Lock()
	rs, a := s.lookupApp(c.account, c.region, id)
	if a == nil {
		s.mu.Unlock()
		return nil, errNotFoundApp(id)
	}
	for _, pid := range products {
		if rs.products[pid] == nil {
			s.mu.Unlock()
			return nil, errNotFoundProduct(pid)
		}
	}
	for _, pid := range products {
		if au := a.auths[pid]; au != nil {
			au.ValidUntil, au.Description = validUntil, desc
			continue
		}
		a.auths[pid] = &authorization{ProductID: pid, ValidUntil: validUntil, Description: desc, Authorized: c.now, Seq: s.st.nextSeq()}
	}
	s.mu.Unlock()
	s.persist()
	return requestIDOnly{c.requestID}, nil
}

// opRemoveAPIProductsAuthorities revokes an app's authorizations on products. Products the app is not
// authorized on, including products that do not exist, are ignored, so revoking is idempotent.
func opRemoveAPIProductsAuthorities(s *Server, c *opContext) (any, *apiError) {
	id, e := appIDParam(c.p)
	if e != nil {
		return nil, e
	}
	products, e := s.productIDsParam(c.p)
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	_, a := s.lookupApp(c.account, c.region, id)
	if a == nil {
		s.mu.Unlock()
		return nil, errNotFoundApp(id)
	}
	changed := false
	for _, pid := range products {
		if a.auths[pid] != nil {
			delete(a.auths, pid)
			changed = true
		}
	}
	s.mu.Unlock()
	if changed {
		s.persist()
	}
	return requestIDOnly{c.requestID}, nil
}

// opDescribeAPIProductsByApp pages through the products an app is authorized on, in grant order.
func opDescribeAPIProductsByApp(s *Server, c *opContext) (any, *apiError) {
	id, e := appIDParam(c.p)
	if e != nil {
		return nil, e
	}
	number, size, e := s.page(c.p)
	if e != nil {
		return nil, e
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, a := s.lookupApp(c.account, c.region, id)
	if a == nil {
		return nil, errNotFoundApp(id)
	}
	auths := a.sortedAuths()
	resp := describeAPIProductsByAppResponse{RequestID: c.requestID, PageNumber: int32(number), PageSize: int32(size), TotalCount: int32(len(auths))}
	lo, hi := window(number, size, len(auths))
	resp.APIProductInfoList.APIProductInfo = make([]apiProductInfo, 0, hi-lo)
	for _, au := range auths[lo:hi] {
		resp.APIProductInfoList.APIProductInfo = append(resp.APIProductInfoList.APIProductInfo, apiProductInfo{APIProductID: au.ProductID})
	}
	return resp, nil
}

// opDescribeAppsByAPIProduct pages through the apps authorized on a product, in grant order. AppName,
// when given, must match exactly. Description is the authorization's (SetApiProductsAuthorities),
// Extend the app's.
func opDescribeAppsByAPIProduct(s *Server, c *opContext) (any, *apiError) {
	pid, e := productIDParam(c.p)
	if e != nil {
		return nil, e
	}
	number, size, e := s.page(c.p)
	if e != nil {
		return nil, e
	}
	name := c.p.get("AppName")
	s.mu.RLock()
	defer s.mu.RUnlock()
	rs := s.st.region(c.account, c.region, false)
	if rs == nil || rs.products[pid] == nil {
		return nil, errNotFoundProduct(pid)
	}
	type grant struct {
		a  *app
		au *authorization
	}
	var match []grant
	for _, a := range rs.apps {
		if au := a.auths[pid]; au != nil && (name == "" || a.Name == name) {
			match = append(match, grant{a, au})
		}
	}
	sort.Slice(match, func(i, j int) bool { return match[i].au.Seq < match[j].au.Seq })
	resp := describeAppsByAPIProductResponse{RequestID: c.requestID, PageNumber: int32(number), PageSize: int32(size), TotalCount: int32(len(match))}
	lo, hi := window(number, size, len(match))
	resp.AuthorizedApps.AuthorizedApp = make([]authorizedApp, 0, hi-lo)
	for _, g := range match[lo:hi] {
		resp.AuthorizedApps.AuthorizedApp = append(resp.AuthorizedApps.AuthorizedApp, authorizedApp{
			AppID: g.a.ID, AppName: g.a.Name, AuthValidTime: g.au.ValidUntil, AuthorizedTime: fmtTime(g.au.Authorized),
			Description: g.au.Description, Extend: g.a.Extend,
		})
	}
	return resp, nil
}

// authorizedApps lists, in id order, the apps of rs authorized on a product. Caller holds s.mu.
func (rs *regionState) authorizedApps(productID string) []int64 {
	var ids []int64
	for id, a := range rs.apps {
		if a.auths[productID] != nil {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}
