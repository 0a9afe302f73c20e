package emulator

import "github.com/cloudapi/terraform-provider-apigateway/internal/emulator/model"

// Protocol side of API products: AttachApiProduct, DetachApiProduct, DescribeApiProductApis and
// DeleteApiProduct.

// productIDParam reads the required ApiProductId. Its shape is checked here, before the other
// parameters are decoded, so that a request with several problems is answered about the product id
// first; the rule itself is the model's.
func productIDParam(p params) (string, error) {
	id, err := p.required("ApiProductId")
	if err != nil {
		return "", err
	}
	if !model.ValidProductID(id) {
		return "", errInvalidParameter("ApiProductId", model.ProductIDRule)
	}
	return id, nil
}

// productItems decodes what AttachApiProduct and DetachApiProduct take: ApiProductId and the
// Apis.N.ApiId / Apis.N.StageName items, at most the configured number of them.
func (s *Server) productItems(p params) (string, []model.AttachmentKey, error) {
	id, err := productIDParam(p)
	if err != nil {
		return "", nil, err
	}
	objs, err := p.objects("Apis", s.cfg.maxItems, "ApiId", "StageName")
	if err != nil {
		return "", nil, err
	}
	out := make([]model.AttachmentKey, 0, len(objs))
	for _, o := range objs {
		out = append(out, model.AttachmentKey{APIID: o["ApiId"], Stage: o["StageName"]})
	}
	return id, out, nil
}

func opAttachAPIProduct(s *Server, c *opContext) (any, error) {
	id, items, err := s.productItems(c.p)
	if err != nil {
		return nil, err
	}
	return ack(c, c.r.Attach(id, items, c.now))
}

func opDetachAPIProduct(s *Server, c *opContext) (any, error) {
	id, items, err := s.productItems(c.p)
	if err != nil {
		return nil, err
	}
	return ack(c, c.r.Detach(id, items, c.now))
}

func opDescribeAPIProductAPIs(s *Server, c *opContext) (any, error) {
	id, err := productIDParam(c.p)
	if err != nil {
		return nil, err
	}
	return listing(s, c, func(p model.Page) ([]model.ProductAPI, int, error) {
		return c.r.ProductAPIs(id, c.now, p)
	}, func(it model.ProductAPI) apiInfo {
		a := it.API
		return apiInfo{APIID: a.ID, APIName: a.Name, GroupID: a.GroupID, GroupName: a.GroupName,
			Method: a.Method, Path: a.Path, Description: a.Description, RegionID: c.region,
			StageName: it.Stage, BoundTime: fmtTime(it.Attached), Visibility: a.Visibility}
	}, func(h listPage, infos []apiInfo) any { return describeAPIProductAPIsResponse{h, apiInfoList{infos}} })
}

func opDeleteAPIProduct(_ *Server, c *opContext) (any, error) {
	id, err := productIDParam(c.p)
	if err != nil {
		return nil, err
	}
	return ack(c, c.r.DeleteProduct(id, c.now))
}
