package emulator

import (
	"strconv"
	"time"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator/model"
)

// Protocol side of apps and their authorizations: CreateApp, DeleteApp, SetApiProductsAuthorities,
// SetAppsAuthToApiProduct, RemoveApiProductsAuthorities, DescribeApiProductsByApp, DescribeAppsByApiProduct and
// DescribeAppAttributes. AppKey, AppSecret, AppCode and Tag.N of CreateApp are accepted and dropped.

// appIDParam reads the required AppId: a positive decimal int64, as both SDKs send it.
func appIDParam(p params) (int64, error) {
	v, err := p.required("AppId")
	if err != nil {
		return 0, err
	}
	id, perr := strconv.ParseInt(v, 10, 64)
	if perr != nil || id <= 0 {
		return 0, errInvalidParameter("AppId", "must be a positive integer")
	}
	return id, nil
}

// productIDsParam reads the required ApiProductIds in either wire form ("a,b" from the typed SDK's
// shrink, ApiProductIds.N from the legacy SDK), checks each id's shape and drops repeats, keeping the
// first occurrence's position.
func (s *Server) productIDsParam(p params) ([]string, error) {
	return distinctList(p, "ApiProductIds", s.cfg.maxItems, func(id string) (string, error) {
		if !model.ValidProductID(id) {
			return "", errInvalidParameter("ApiProductIds", model.ProductIDRule+" per product id, got "+strconv.Quote(model.Clip(id)))
		}
		return id, nil
	})
}

// distinctList reads the required list parameter name (at most maxItems items, in either wire form),
// parses each item and drops repeats, keeping the first occurrence's position.
func distinctList[T comparable](p params, name string, maxItems int, parse func(string) (T, error)) ([]T, error) {
	raw, err := p.list(name, maxItems)
	if err != nil {
		return nil, err
	}
	if len(raw) == 0 {
		return nil, errMissingParameter(name)
	}
	out := make([]T, 0, len(raw))
	seen := make(map[T]bool, len(raw))
	for _, v := range raw {
		item, err := parse(v)
		if err != nil {
			return nil, err
		}
		if !seen[item] {
			seen[item] = true
			out = append(out, item)
		}
	}
	return out, nil
}

// parseAuthValidTime accepts an RFC 3339 time (Alibaba documents GMT, e.g. 2023-06-12T03:07:37Z) and
// returns it as answered later: UTC, whole seconds. "" means the authorization never expires.
func parseAuthValidTime(v string) (string, error) {
	if v == "" {
		return "", nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return "", errInvalidParameter("AuthValidTime", "expected a UTC time such as 2023-06-12T03:07:37Z")
	}
	return fmtTime(t), nil
}

func opCreateApp(s *Server, c *opContext) (any, error) {
	name, err := c.p.required("AppName")
	if err != nil {
		return nil, err
	}
	a, err := s.store(c).CreateApp(model.CreateAppRequest{Name: name, Description: c.p.get("Description"), Extend: c.p.get("Extend")}, c.now)
	if err != nil {
		return nil, err
	}
	return createAppResponse{RequestID: c.requestID, AppID: a.ID}, nil
}

func opDeleteApp(_ *Server, c *opContext) (any, error) {
	id, err := appIDParam(c.p)
	if err != nil {
		return nil, err
	}
	return ack(c, c.r.DeleteApp(id))
}

// appProductsRequest decodes the AppId and ApiProductIds both authorization operations take.
func (s *Server) appProductsRequest(p params) (int64, []string, error) {
	id, err := appIDParam(p)
	if err != nil {
		return 0, nil, err
	}
	products, err := s.productIDsParam(p)
	return id, products, err
}

func opSetAPIProductsAuthorities(s *Server, c *opContext) (any, error) {
	id, products, err := s.appProductsRequest(c.p)
	if err != nil {
		return nil, err
	}
	return grant(c, func(validUntil, description string) error {
		return c.r.Authorize(model.AuthorizeRequest{AppID: id, ProductIDs: products, ValidUntil: validUntil, Description: description}, c.now)
	})
}

// grant reads the terms of a grant (AuthValidTime, Description) and makes it with authorize.
func grant(c *opContext, authorize func(validUntil, description string) error) (any, error) {
	validUntil, err := parseAuthValidTime(c.p.get("AuthValidTime"))
	if err != nil {
		return nil, err
	}
	return ack(c, authorize(validUntil, c.p.get("Description")))
}

// appIDsParam reads the required AppIds of SetAppsAuthToApiProduct in either wire form: AppIds.N
// (the typed SDKs flatten the int64 list) or "a,b". Each must be a positive integer; repeats are
// dropped, keeping the first position.
func (s *Server) appIDsParam(p params) ([]int64, error) {
	return distinctList(p, "AppIds", s.cfg.maxItems, func(v string) (int64, error) {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return 0, errInvalidParameter("AppIds", "must be positive integers, got "+strconv.Quote(model.Clip(v)))
		}
		return id, nil
	})
}

// opSetAppsAuthToAPIProduct grants one product to many apps (SetAppsAuthToApiProduct).
func opSetAppsAuthToAPIProduct(s *Server, c *opContext) (any, error) {
	pid, err := productIDParam(c.p)
	if err != nil {
		return nil, err
	}
	apps, err := s.appIDsParam(c.p)
	if err != nil {
		return nil, err
	}
	return grant(c, func(validUntil, description string) error {
		return c.r.AuthorizeApps(model.AuthorizeAppsRequest{ProductID: pid, AppIDs: apps, ValidUntil: validUntil, Description: description}, c.now)
	})
}

func opRemoveAPIProductsAuthorities(s *Server, c *opContext) (any, error) {
	id, products, err := s.appProductsRequest(c.p)
	if err != nil {
		return nil, err
	}
	return ack(c, c.r.Revoke(id, products))
}

func opDescribeAPIProductsByApp(s *Server, c *opContext) (any, error) {
	id, err := appIDParam(c.p)
	if err != nil {
		return nil, err
	}
	return listing(s, c, func(p model.Page) ([]model.Authorization, int, error) { return c.r.AppProducts(id, c.now, p) },
		func(au model.Authorization) apiProductInfo { return apiProductInfo{APIProductID: au.ProductID} },
		func(h listPage, infos []apiProductInfo) any {
			return describeAPIProductsByAppResponse{h, apiProductInfoList{infos}}
		})
}

// opDescribeAppsByAPIProduct: an AuthorizedApp's Description is the authorization's
// (SetApiProductsAuthorities), Extend the app's.
func opDescribeAppsByAPIProduct(s *Server, c *opContext) (any, error) {
	pid, err := productIDParam(c.p)
	if err != nil {
		return nil, err
	}
	return listing(s, c, func(p model.Page) ([]model.Grant, int, error) {
		return c.r.ProductApps(pid, c.p.get("AppName"), c.now, p)
	}, func(g model.Grant) authorizedApp {
		return authorizedApp{AppID: g.App.ID, AppName: g.App.Name, AuthValidTime: g.Authorization.ValidUntil,
			AuthorizedTime: fmtTime(g.Authorization.Authorized), Description: g.Authorization.Description, Extend: g.App.Extend}
	}, func(h listPage, apps []authorizedApp) any {
		return describeAppsByAPIProductResponse{h, authorizedAppList{apps}}
	})
}

// opDescribeAppAttributes pages through the caller's apps (DescribeAppAttributes); AppId and AppName
// filter. The SDK documents AppId as optional, so an app id that matches nothing answers an empty
// page (TotalCount 0), not NotFoundApp: a caller asking after one app reads "no such app" from the
// empty page. AppKey, AppCode, Tag.N, EnableTagAuth and Sort are accepted and ignored (the
// emulator keeps no keys or tags).
func opDescribeAppAttributes(s *Server, c *opContext) (any, error) {
	var id int64
	if c.p.get("AppId") != "" {
		var err error
		if id, err = appIDParam(c.p); err != nil {
			return nil, err
		}
	}
	return listing(s, c, func(p model.Page) ([]model.App, int, error) { return c.r.Apps(id, c.p.get("AppName"), p) },
		func(a model.App) appAttribute {
			return appAttribute{AppID: a.ID, AppName: a.Name, Description: a.Description, Extend: a.Extend,
				CreatedTime: fmtTime(a.Created), ModifiedTime: fmtTime(a.Created), Tags: emptyTags()}
		}, func(h listPage, apps []appAttribute) any {
			return describeAppAttributesResponse{h, appAttributeList{apps}}
		})
}
