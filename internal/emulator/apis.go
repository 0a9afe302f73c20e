package emulator

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator/model"
)

// Protocol side of APIs and deployments: CreateApi, DeleteApi, DeployApi, AbolishApi, DescribeApis
// and DescribeApi. Decoding the JSON-valued RequestConfig and ServiceConfig is the protocol's job;
// what values are acceptable is the model's.

// opCreateAPI requires GroupId, ApiName, Visibility, RequestConfig and ServiceConfig, the fields the
// current SDK marks required; ResultType and ResultSample are optional (older metadata marked them
// required, the current SDK does not, and the legacy SDK fixtures omit them).
func opCreateAPI(_ *Server, c *opContext) (any, error) {
	in := model.CreateAPIRequest{
		GroupID: c.p.get("GroupId"), Name: c.p.get("ApiName"), Description: c.p.get("Description"),
		Visibility: c.p.get("Visibility"), AuthType: c.p.get("AuthType"),
		ResultType: c.p.get("ResultType"), ResultSample: c.p.get("ResultSample"),
	}
	for _, name := range []string{"GroupId", "ApiName", "Visibility", "RequestConfig", "ServiceConfig"} {
		if c.p.get(name) == "" {
			return nil, errMissingParameter(name)
		}
	}
	var err error
	if in.RequestConfig, err = parseRequestConfig(c.p.get("RequestConfig")); err != nil {
		return nil, err
	}
	if in.ServiceConfig, err = parseServiceConfig(c.p.get("ServiceConfig")); err != nil {
		return nil, err
	}
	a, err := c.r.CreateAPI(in, c.now)
	if err != nil {
		return nil, err
	}
	return createAPIResponse{RequestID: c.requestID, APIID: a.ID}, nil
}

// jsonObject decodes a JSON-object parameter keeping numbers exact.
func jsonObject(name, raw string) (map[string]any, *apiError) {
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil || dec.More() {
		return nil, errInvalidParameter(name, "must be a JSON object")
	}
	return m, nil
}

// configObject decodes the JSON-object parameter obj and reads its optional string members into
// dst; a member of another type is InvalidParameter naming obj.key. It returns the whole object
// for members of other types.
func configObject(obj, raw string, dst map[string]*string) (map[string]any, error) {
	m, e := jsonObject(obj, raw)
	if e != nil {
		return nil, e
	}
	for key, d := range dst {
		v, ok := m[key]
		if !ok || v == nil {
			continue
		}
		str, ok := v.(string)
		if !ok {
			return nil, errInvalidParameter(obj+"."+key, "must be a string")
		}
		*d = str
	}
	return m, nil
}

func parseRequestConfig(raw string) (model.RequestConfig, error) {
	var rc model.RequestConfig
	_, err := configObject("RequestConfig", raw, map[string]*string{
		"RequestProtocol": &rc.RequestProtocol, "RequestHttpMethod": &rc.RequestHttpMethod,
		"RequestPath": &rc.RequestPath, "RequestMode": &rc.RequestMode, "BodyFormat": &rc.BodyFormat,
		"BodyModel": &rc.BodyModel, "PostBodyDescription": &rc.PostBodyDescription,
	})
	return rc, err
}

func parseServiceConfig(raw string) (model.ServiceConfig, error) {
	var sc model.ServiceConfig
	m, err := configObject("ServiceConfig", raw, map[string]*string{
		"ServiceProtocol": &sc.ServiceProtocol, "ServiceHttpMethod": &sc.ServiceHttpMethod,
		"ServiceAddress": &sc.ServiceAddress, "ServicePath": &sc.ServicePath, "Mock": &sc.Mock,
		"MockResult": &sc.MockResult, "ServiceVpcEnable": &sc.ServiceVpcEnable,
	})
	if err != nil {
		return model.ServiceConfig{}, err
	}
	// ServiceTimeout arrives as "1000" in Alibaba's own examples and as a number from other clients.
	bad := errInvalidParameter("ServiceConfig.ServiceTimeout", "must be a non-negative integer (milliseconds)")
	switch v := m["ServiceTimeout"].(type) {
	case nil:
	case json.Number:
		n, err := strconv.ParseInt(v.String(), 10, 32)
		if err != nil || n < 0 {
			return model.ServiceConfig{}, bad
		}
		sc.ServiceTimeout = int32(n)
	case string:
		n, err := strconv.ParseInt(v, 10, 32)
		if v != "" && (err != nil || n < 0) {
			return model.ServiceConfig{}, bad
		}
		sc.ServiceTimeout = int32(n)
	default:
		return model.ServiceConfig{}, bad
	}
	return sc, nil
}

func opDeleteAPI(_ *Server, c *opContext) (any, error) {
	id, err := c.p.required("ApiId")
	if err != nil {
		return nil, err
	}
	return ack(c, c.r.DeleteAPI(c.p.get("GroupId"), id))
}

func opDeployAPI(_ *Server, c *opContext) (any, error) {
	var in model.DeployRequest
	var err error
	for _, f := range []struct {
		name string
		dst  *string
	}{{"ApiId", &in.APIID}, {"StageName", &in.Stage}, {"Description", &in.Description}} {
		if *f.dst, err = c.p.required(f.name); err != nil {
			return nil, err
		}
	}
	in.GroupID = c.p.get("GroupId")
	return ack(c, c.r.Deploy(in, c.now))
}

func opAbolishAPI(_ *Server, c *opContext) (any, error) {
	id, err := c.p.required("ApiId")
	if err != nil {
		return nil, err
	}
	stage, err := c.p.required("StageName")
	if err != nil {
		return nil, err
	}
	return ack(c, c.r.Abolish(c.p.get("GroupId"), id, stage))
}

// deployedInfosOf lists all three stages, DEPLOYED or NONDEPLOYED, like the real service.
func deployedInfosOf(a model.API) deployedInfos {
	out := deployedInfos{DeployedInfo: make([]deployedInfo, 0, len(model.StageNames))}
	for _, st := range model.StageNames {
		di := deployedInfo{StageName: st, DeployedStatus: "NONDEPLOYED"}
		if d, ok := a.Stages[st]; ok {
			di.DeployedStatus, di.EffectiveVersion = "DEPLOYED", d.Version
		}
		out.DeployedInfo = append(out.DeployedInfo, di)
	}
	return out
}

// opDescribeAPIs lists APIs. Unknown filters (CatalogId, Tag.N.*) are ignored.
func opDescribeAPIs(s *Server, c *opContext) (any, error) {
	return listing(s, c, func(p model.Page) ([]model.API, int, error) {
		undeployed, _, err := c.p.boolParam("UnDeployed")
		if err != nil {
			return nil, 0, err
		}
		return c.r.ListAPIs(model.APIFilter{
			GroupID: c.p.get("GroupId"), APIID: c.p.get("ApiId"), Name: c.p.get("ApiName"), Path: c.p.get("ApiPath"),
			Method: c.p.get("ApiMethod"), Visibility: c.p.get("Visibility"), Stage: c.p.get("StageName"), Undeployed: undeployed,
		}, p)
	}, func(a model.API) apiSummary {
		return apiSummary{RegionID: c.region, GroupID: a.GroupID, GroupName: a.GroupName, APIID: a.ID, APIName: a.Name,
			APIPath: a.Path, APIMethod: a.Method, Visibility: a.Visibility, Description: a.Description,
			CreatedTime: fmtTime(a.Created), ModifiedTime: fmtTime(a.Modified), DeployedInfos: deployedInfosOf(a)}
	}, func(h listPage, summaries []apiSummary) any {
		return describeAPIsResponse{h, apiSummaryList{summaries}}
	})
}

func opDescribeAPI(_ *Server, c *opContext) (any, error) {
	id, err := c.p.required("ApiId")
	if err != nil {
		return nil, err
	}
	a, err := c.r.DescribeAPI(c.p.get("GroupId"), id)
	if err != nil {
		return nil, err
	}
	return describeAPIResponse{
		RequestID: c.requestID, RegionID: c.region, GroupID: a.GroupID, GroupName: a.GroupName,
		APIID: a.ID, APIName: a.Name, Visibility: a.Visibility, AuthType: a.AuthType, Description: a.Description,
		CreatedTime: fmtTime(a.Created), ModifiedTime: fmtTime(a.Modified), ResultType: a.ResultType,
		ResultSample: a.ResultSample, RequestConfig: a.RequestConfig, ServiceConfig: a.ServiceConfig,
		DeployedInfos: deployedInfosOf(a),
	}, nil
}
