package emulator

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// opContext is one authenticated request as an operation sees it.
type opContext struct {
	account   string
	region    string
	requestID string
	now       time.Time
	p         params
}

// operation runs one action and returns the response document or an error answer.
type operation func(s *Server, c *opContext) (any, *apiError)

func operations() map[string]operation {
	return map[string]operation{
		"CreateApiGroup":         opCreateAPIGroup,
		"DeleteApiGroup":         opDeleteAPIGroup,
		"CreateApi":              opCreateAPI,
		"DeleteApi":              opDeleteAPI,
		"DeployApi":              opDeployAPI,
		"AbolishApi":             opAbolishAPI,
		"DescribeApis":           opDescribeAPIs,
		"DescribeApi":            opDescribeAPI,
		"AttachApiProduct":       opAttachAPIProduct,
		"DetachApiProduct":       opDetachAPIProduct,
		"DescribeApiProductApis": opDescribeAPIProductAPIs,
		"DeleteApiProduct":       opDeleteAPIProduct,

		"CreateApp":                    opCreateApp,
		"DeleteApp":                    opDeleteApp,
		"SetApiProductsAuthorities":    opSetAPIProductsAuthorities,
		"RemoveApiProductsAuthorities": opRemoveAPIProductsAuthorities,
		"DescribeApiProductsByApp":     opDescribeAPIProductsByApp,
		"DescribeAppsByApiProduct":     opDescribeAppsByAPIProduct,
	}
}

var (
	apiNamePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{3,49}$`)
	groupIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)
	httpMethods    = map[string]bool{"GET": true, "POST": true, "PUT": true, "DELETE": true,
		"PATCH": true, "HEAD": true, "OPTIONS": true, "ANY": true}
)

// validProductID: products are named by the caller (Attach creates them), so the id is checked for
// shape only: 1-64 letters, digits, '_' or '-'. Real ids are 32 hex characters.
func validProductID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// validText accepts printable UTF-8 up to max runes, for names and descriptions.
func validText(s string, max int) bool {
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > max {
		return false
	}
	for _, r := range s {
		if r < ' ' && r != '\t' && r != '\n' && r != '\r' || r == 0x7f {
			return false
		}
	}
	return true
}

func fmtTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// ---- groups ----

// groupInput is a group to create; ID is empty for a generated id (seeds may fix it).
type groupInput struct {
	ID, Name, Description, BasePath string
}

// createGroup validates and stores a group. Group names are not required to be unique: Alibaba
// documents no such rule for CreateApiGroup, and test fixtures often reuse names.
func (s *Server) createGroup(account, region string, in groupInput, now time.Time) (*group, *apiError) {
	if strings.TrimSpace(in.Name) == "" {
		return nil, errMissingParameter("GroupName")
	}
	if !validText(in.Name, 128) {
		return nil, errInvalidParameter("GroupName", "at most 128 printable characters")
	}
	if !validText(in.Description, 2000) {
		return nil, errInvalidParameter("Description", "at most 2000 printable characters")
	}
	if in.BasePath == "" {
		in.BasePath = "/"
	} else if !strings.HasPrefix(in.BasePath, "/") || !validText(in.BasePath, 256) {
		return nil, errInvalidParameter("BasePath", "must start with /")
	}
	if in.ID != "" && !groupIDPattern.MatchString(in.ID) {
		return nil, errInvalidParameter("GroupId", "must be 32 lowercase hex characters")
	}
	s.mu.Lock()
	rs := s.st.region(account, region, true)
	id := in.ID
	if id == "" {
		id = newID()
	} else if rs.groups[id] != nil {
		s.mu.Unlock()
		return nil, errInvalidParameter("GroupId", "a group with this id already exists")
	}
	g := &group{ID: id, Name: in.Name, Description: in.Description, BasePath: in.BasePath, Created: now, Seq: s.st.nextSeq()}
	rs.groups[id] = g
	cp := *g
	s.mu.Unlock()
	s.persist()
	return &cp, nil
}

func opCreateAPIGroup(s *Server, c *opContext) (any, *apiError) {
	name, e := c.p.required("GroupName")
	if e != nil {
		return nil, e
	}
	g, e := s.createGroup(c.account, c.region, groupInput{Name: name, Description: c.p.get("Description"), BasePath: c.p.get("BasePath")}, c.now)
	if e != nil {
		return nil, e
	}
	return createAPIGroupResponse{
		RequestID: c.requestID, GroupID: g.ID, GroupName: g.Name, Description: g.Description, BasePath: g.BasePath,
		SubDomain:  g.ID + "-" + c.region + ".alicloudapi.com",
		InstanceID: "api-shared-vpc-001", InstanceType: "VPC_SHARED",
	}, nil
}

// opDeleteAPIGroup follows Alibaba's documentation: deleting a group that does not exist succeeds,
// and a group that still contains APIs cannot be deleted.
func opDeleteAPIGroup(s *Server, c *opContext) (any, *apiError) {
	id, e := c.p.required("GroupId")
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	rs := s.st.region(c.account, c.region, false)
	if rs == nil || rs.groups[id] == nil {
		s.mu.Unlock()
		return requestIDOnly{c.requestID}, nil
	}
	n := 0
	for _, a := range rs.apis {
		if a.GroupID == id {
			n++
		}
	}
	if n > 0 {
		s.mu.Unlock()
		return nil, errInvalidParameter("GroupId", "the API group still contains "+strconv.Itoa(n)+" API(s); delete them first")
	}
	delete(rs.groups, id)
	s.mu.Unlock()
	s.persist()
	return requestIDOnly{c.requestID}, nil
}

// ---- APIs ----

// apiInput is an API to create; ID is empty for a generated id.
type apiInput struct {
	ID, GroupID, Name, Description, Visibility, AuthType string
	RequestConfig                                        requestConfig
	ServiceConfig                                        serviceConfig
	ResultType, ResultSample                             string
}

// createAPI validates and stores an API: name rules, visibility, method and path, name and path
// unique within the group, group must exist.
func (s *Server) createAPI(account, region string, in apiInput, now time.Time) (*api, *apiError) {
	if in.GroupID == "" {
		return nil, errMissingParameter("GroupId")
	}
	if in.Name == "" {
		return nil, errMissingParameter("ApiName")
	}
	if !apiNamePattern.MatchString(in.Name) {
		return nil, errInvalidParameter("ApiName", "4 to 50 characters: a letter first, then letters, digits or underscores")
	}
	switch in.Visibility {
	case "PUBLIC", "PRIVATE":
	case "":
		return nil, errMissingParameter("Visibility")
	default:
		return nil, errInvalidParameter("Visibility", "must be PUBLIC or PRIVATE")
	}
	if in.AuthType == "" {
		in.AuthType = "APP"
	}
	if !validText(in.Description, 2000) {
		return nil, errInvalidParameter("Description", "at most 2000 printable characters")
	}
	rc := &in.RequestConfig
	rc.RequestHttpMethod = strings.ToUpper(rc.RequestHttpMethod)
	switch {
	case rc.RequestHttpMethod == "":
		return nil, errMissingParameter("RequestConfig.RequestHttpMethod")
	case !httpMethods[rc.RequestHttpMethod]:
		return nil, errInvalidParameter("RequestConfig.RequestHttpMethod", "must be one of GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS, ANY")
	case rc.RequestPath == "":
		return nil, errMissingParameter("RequestConfig.RequestPath")
	case !strings.HasPrefix(rc.RequestPath, "/") || strings.ContainsAny(rc.RequestPath, " \t\r\n?#") || !validText(rc.RequestPath, 1024):
		return nil, errInvalidParameter("RequestConfig.RequestPath", "must start with / and contain no spaces, ? or #")
	}
	if rc.RequestProtocol == "" {
		rc.RequestProtocol = "HTTP"
	}
	if rc.RequestMode == "" {
		rc.RequestMode = "MAPPING"
	}
	if in.ResultType == "" {
		in.ResultType = "JSON"
	}
	if in.ID != "" && !groupIDPattern.MatchString(in.ID) {
		return nil, errInvalidParameter("ApiId", "must be 32 lowercase hex characters")
	}

	s.mu.Lock()
	rs := s.st.region(account, region, false)
	if rs == nil || rs.groups[in.GroupID] == nil {
		s.mu.Unlock()
		return nil, errNotFoundGroup(in.GroupID)
	}
	for _, o := range rs.apis {
		if o.GroupID != in.GroupID {
			continue
		}
		if o.Name == in.Name {
			s.mu.Unlock()
			return nil, errInvalidParameter("ApiName", "an API named "+strconv.Quote(in.Name)+" already exists in the group")
		}
		if o.Path == rc.RequestPath {
			s.mu.Unlock()
			return nil, errInvalidParameter("RequestConfig.RequestPath", "the path "+strconv.Quote(clip(rc.RequestPath))+" is already used by another API of the group")
		}
	}
	id := in.ID
	if id == "" {
		id = newID()
	} else if rs.apis[id] != nil {
		s.mu.Unlock()
		return nil, errInvalidParameter("ApiId", "an API with this id already exists")
	}
	a := &api{ID: id, GroupID: in.GroupID, Name: in.Name, Description: in.Description, Visibility: in.Visibility,
		AuthType: in.AuthType, Method: rc.RequestHttpMethod, Path: rc.RequestPath, RequestConfig: *rc,
		ServiceConfig: in.ServiceConfig, ResultType: in.ResultType, ResultSample: in.ResultSample,
		Created: now, Modified: now, Seq: s.st.nextSeq(), Stages: make(map[string]*deployment)}
	rs.apis[id] = a
	s.mu.Unlock()
	s.persist()
	return a, nil
}

// opCreateAPI requires GroupId, ApiName, Visibility, RequestConfig and ServiceConfig, the fields the
// current SDK marks required; ResultType and ResultSample are optional (older metadata marked them
// required, the current SDK does not, and the legacy SDK fixtures omit them).
func opCreateAPI(s *Server, c *opContext) (any, *apiError) {
	in := apiInput{
		GroupID: c.p.get("GroupId"), Name: c.p.get("ApiName"), Description: c.p.get("Description"),
		Visibility: c.p.get("Visibility"), AuthType: c.p.get("AuthType"),
		ResultType: c.p.get("ResultType"), ResultSample: c.p.get("ResultSample"),
	}
	for _, name := range []string{"GroupId", "ApiName", "Visibility", "RequestConfig", "ServiceConfig"} {
		if c.p.get(name) == "" {
			return nil, errMissingParameter(name)
		}
	}
	rc, e := parseRequestConfig(c.p.get("RequestConfig"))
	if e != nil {
		return nil, e
	}
	in.RequestConfig = rc
	sc, e := parseServiceConfig(c.p.get("ServiceConfig"))
	if e != nil {
		return nil, e
	}
	in.ServiceConfig = sc
	a, e := s.createAPI(c.account, c.region, in, c.now)
	if e != nil {
		return nil, e
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

// stringField reads an optional string member; a member of another type is InvalidParameter.
func stringField(m map[string]any, obj, key string) (string, *apiError) {
	v, ok := m[key]
	if !ok || v == nil {
		return "", nil
	}
	str, ok := v.(string)
	if !ok {
		return "", errInvalidParameter(obj+"."+key, "must be a string")
	}
	return str, nil
}

func parseRequestConfig(raw string) (requestConfig, *apiError) {
	m, e := jsonObject("RequestConfig", raw)
	if e != nil {
		return requestConfig{}, e
	}
	var rc requestConfig
	for key, dst := range map[string]*string{
		"RequestProtocol": &rc.RequestProtocol, "RequestHttpMethod": &rc.RequestHttpMethod,
		"RequestPath": &rc.RequestPath, "RequestMode": &rc.RequestMode, "BodyFormat": &rc.BodyFormat,
		"BodyModel": &rc.BodyModel, "PostBodyDescription": &rc.PostBodyDescription,
	} {
		if *dst, e = stringField(m, "RequestConfig", key); e != nil {
			return requestConfig{}, e
		}
	}
	return rc, nil
}

func parseServiceConfig(raw string) (serviceConfig, *apiError) {
	m, e := jsonObject("ServiceConfig", raw)
	if e != nil {
		return serviceConfig{}, e
	}
	var sc serviceConfig
	for key, dst := range map[string]*string{
		"ServiceProtocol": &sc.ServiceProtocol, "ServiceHttpMethod": &sc.ServiceHttpMethod,
		"ServiceAddress": &sc.ServiceAddress, "ServicePath": &sc.ServicePath, "Mock": &sc.Mock,
		"MockResult": &sc.MockResult, "ServiceVpcEnable": &sc.ServiceVpcEnable,
	} {
		if *dst, e = stringField(m, "ServiceConfig", key); e != nil {
			return serviceConfig{}, e
		}
	}
	// ServiceTimeout arrives as "1000" in Alibaba's own examples and as a number from other clients.
	switch v := m["ServiceTimeout"].(type) {
	case nil:
	case json.Number:
		n, err := strconv.ParseInt(v.String(), 10, 32)
		if err != nil || n < 0 {
			return serviceConfig{}, errInvalidParameter("ServiceConfig.ServiceTimeout", "must be a non-negative integer (milliseconds)")
		}
		sc.ServiceTimeout = int32(n)
	case string:
		n, err := strconv.ParseInt(v, 10, 32)
		if v != "" && (err != nil || n < 0) {
			return serviceConfig{}, errInvalidParameter("ServiceConfig.ServiceTimeout", "must be a non-negative integer (milliseconds)")
		}
		sc.ServiceTimeout = int32(n)
	default:
		return serviceConfig{}, errInvalidParameter("ServiceConfig.ServiceTimeout", "must be a non-negative integer (milliseconds)")
	}
	return sc, nil
}

// lookupAPI finds an API of the caller; groupID, when given, must match. Caller holds s.mu.
func (s *Server) lookupAPI(account, region, groupID, apiID string) (*regionState, *api) {
	rs := s.st.region(account, region, false)
	if rs == nil {
		return nil, nil
	}
	a := rs.apis[apiID]
	if a == nil || groupID != "" && a.GroupID != groupID {
		return rs, nil
	}
	return rs, a
}

// deleteAPI removes an API. Alibaba requires an API to be unpublished (abolished from every stage)
// before it can be deleted, so a deployed API is refused. The API's attachments are removed from
// every product of the region: a product never refers to an API that no longer exists.
func (s *Server) deleteAPI(account, region, groupID, apiID string) *apiError {
	s.mu.Lock()
	rs, a := s.lookupAPI(account, region, groupID, apiID)
	if a == nil {
		s.mu.Unlock()
		return errNotFoundAPI(apiID)
	}
	if len(a.Stages) > 0 {
		var stages []string
		for _, st := range stageNames {
			if a.Stages[st] != nil {
				stages = append(stages, st)
			}
		}
		s.mu.Unlock()
		return errInvalidParameter("ApiId", "the API is deployed to "+strings.Join(stages, ", ")+"; abolish it (AbolishApi) before deleting it")
	}
	delete(rs.apis, apiID)
	for _, p := range rs.products {
		p.removeWhere(func(at attachment) bool { return at.APIID == apiID })
	}
	s.mu.Unlock()
	s.persist()
	return nil
}

func opDeleteAPI(s *Server, c *opContext) (any, *apiError) {
	id, e := c.p.required("ApiId")
	if e != nil {
		return nil, e
	}
	if e := s.deleteAPI(c.account, c.region, c.p.get("GroupId"), id); e != nil {
		return nil, e
	}
	return requestIDOnly{c.requestID}, nil
}

// deploy publishes an API to a stage; redeploying replaces the stage's version.
func (s *Server) deploy(account, region, groupID, apiID, stage, description string, now time.Time) *apiError {
	if !validStage(stage) {
		return errInvalidParameter("StageName", "must be RELEASE, PRE or TEST")
	}
	s.mu.Lock()
	_, a := s.lookupAPI(account, region, groupID, apiID)
	if a == nil {
		s.mu.Unlock()
		return errNotFoundAPI(apiID)
	}
	a.Stages[stage] = &deployment{Version: newID(), Description: description, Deployed: now}
	s.mu.Unlock()
	s.persist()
	return nil
}

func opDeployAPI(s *Server, c *opContext) (any, *apiError) {
	id, e := c.p.required("ApiId")
	if e != nil {
		return nil, e
	}
	stage, e := c.p.required("StageName")
	if e != nil {
		return nil, e
	}
	desc, e := c.p.required("Description")
	if e != nil {
		return nil, e
	}
	if !validText(desc, 2000) {
		return nil, errInvalidParameter("Description", "at most 2000 printable characters")
	}
	if e := s.deploy(c.account, c.region, c.p.get("GroupId"), id, stage, desc, c.now); e != nil {
		return nil, e
	}
	return requestIDOnly{c.requestID}, nil
}

// opAbolishAPI unpublishes an API from a stage. Abolishing a stage the API is not deployed to is a
// no-op success, so cleanup code can be idempotent. Product attachments are not touched: a product
// refers to (API, stage) independently of what is published there.
func opAbolishAPI(s *Server, c *opContext) (any, *apiError) {
	id, e := c.p.required("ApiId")
	if e != nil {
		return nil, e
	}
	stage, e := c.p.required("StageName")
	if e != nil {
		return nil, e
	}
	if !validStage(stage) {
		return nil, errInvalidParameter("StageName", "must be RELEASE, PRE or TEST")
	}
	s.mu.Lock()
	_, a := s.lookupAPI(c.account, c.region, c.p.get("GroupId"), id)
	if a == nil {
		s.mu.Unlock()
		return nil, errNotFoundAPI(id)
	}
	_, was := a.Stages[stage]
	delete(a.Stages, stage)
	s.mu.Unlock()
	if was {
		s.persist()
	}
	return requestIDOnly{c.requestID}, nil
}

// deployedInfosOf lists all three stages, DEPLOYED or NONDEPLOYED, like the real service.
func deployedInfosOf(a *api) deployedInfos {
	out := deployedInfos{DeployedInfo: make([]deployedInfo, 0, len(stageNames))}
	for _, st := range stageNames {
		di := deployedInfo{StageName: st, DeployedStatus: "NONDEPLOYED"}
		if d := a.Stages[st]; d != nil {
			di.DeployedStatus, di.EffectiveVersion = "DEPLOYED", d.Version
		}
		out.DeployedInfo = append(out.DeployedInfo, di)
	}
	return out
}

// page reads PageNumber (default 1) and PageSize (default 10, at most the configured maximum). The
// default is capped by the maximum too: a WithMaxPageSize below 10 must bound every page, including
// those of clients that send no PageSize.
func (s *Server) page(p params) (number, size int, e *apiError) {
	if number, e = p.intParam("PageNumber", 1, 1, 1<<30); e != nil {
		return 0, 0, e
	}
	if size, e = p.intParam("PageSize", min(10, s.cfg.maxPageSize), 1, s.cfg.maxPageSize); e != nil {
		return 0, 0, e
	}
	return number, size, nil
}

// window returns the [lo, hi) slice bounds of page number of size over total items.
func window(number, size, total int) (lo, hi int) {
	lo = (number - 1) * size
	if lo > total || lo < 0 {
		lo = total
	}
	hi = min(lo+size, total)
	return lo, hi
}

// opDescribeAPIs lists APIs in creation order. Filters: GroupId, ApiId, ApiPath, ApiMethod,
// Visibility (exact), ApiName (substring, "fuzzy" in Alibaba's words), StageName (deployed there),
// UnDeployed=true (deployed nowhere). Unknown filters (CatalogId, Tag.N.*) are ignored.
func opDescribeAPIs(s *Server, c *opContext) (any, *apiError) {
	number, size, e := s.page(c.p)
	if e != nil {
		return nil, e
	}
	undeployed, _, e := c.p.boolParam("UnDeployed")
	if e != nil {
		return nil, e
	}
	stage := c.p.get("StageName")
	if stage != "" && !validStage(stage) {
		return nil, errInvalidParameter("StageName", "must be RELEASE, PRE or TEST")
	}
	groupID, apiID, name := c.p.get("GroupId"), c.p.get("ApiId"), c.p.get("ApiName")
	path, method, vis := c.p.get("ApiPath"), strings.ToUpper(c.p.get("ApiMethod")), c.p.get("Visibility")

	resp := describeAPIsResponse{RequestID: c.requestID, PageNumber: int32(number), PageSize: int32(size)}
	resp.APISummarys.APISummary = []apiSummary{}
	s.mu.RLock()
	defer s.mu.RUnlock()
	rs := s.st.region(c.account, c.region, false)
	if rs == nil {
		return resp, nil
	}
	var match []*api
	for _, a := range rs.sortedAPIs() {
		switch {
		case groupID != "" && a.GroupID != groupID,
			apiID != "" && a.ID != apiID,
			name != "" && !strings.Contains(a.Name, name),
			path != "" && a.Path != path,
			method != "" && a.Method != method,
			vis != "" && a.Visibility != vis,
			stage != "" && a.Stages[stage] == nil,
			undeployed && len(a.Stages) > 0:
			continue
		}
		match = append(match, a)
	}
	resp.TotalCount = int32(len(match))
	lo, hi := window(number, size, len(match))
	for _, a := range match[lo:hi] {
		g := rs.groups[a.GroupID]
		resp.APISummarys.APISummary = append(resp.APISummarys.APISummary, apiSummary{
			RegionID: c.region, GroupID: a.GroupID, GroupName: g.Name, APIID: a.ID, APIName: a.Name,
			APIPath: a.Path, APIMethod: a.Method, Visibility: a.Visibility, Description: a.Description,
			CreatedTime: fmtTime(a.Created), ModifiedTime: fmtTime(a.Modified), DeployedInfos: deployedInfosOf(a),
		})
	}
	return resp, nil
}

func opDescribeAPI(s *Server, c *opContext) (any, *apiError) {
	id, e := c.p.required("ApiId")
	if e != nil {
		return nil, e
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	rs, a := s.lookupAPI(c.account, c.region, c.p.get("GroupId"), id)
	if a == nil {
		return nil, errNotFoundAPI(id)
	}
	return describeAPIResponse{
		RequestID: c.requestID, RegionID: c.region, GroupID: a.GroupID, GroupName: rs.groups[a.GroupID].Name,
		APIID: a.ID, APIName: a.Name, Visibility: a.Visibility, AuthType: a.AuthType, Description: a.Description,
		CreatedTime: fmtTime(a.Created), ModifiedTime: fmtTime(a.Modified), ResultType: a.ResultType,
		ResultSample: a.ResultSample, RequestConfig: a.RequestConfig, ServiceConfig: a.ServiceConfig,
		DeployedInfos: deployedInfosOf(a),
	}, nil
}

// ---- products ----

// productItems reads Apis.N.ApiId / Apis.N.StageName, validating count and stage names, and drops
// duplicate pairs (keeping the first occurrence's position).
func (s *Server) productItems(p params) ([]attKey, *apiError) {
	objs, e := p.objects("Apis", s.cfg.maxItems, "ApiId", "StageName")
	if e != nil {
		return nil, e
	}
	out := make([]attKey, 0, len(objs))
	seen := make(map[attKey]bool, len(objs))
	for i, o := range objs {
		k := attKey{APIID: o["ApiId"], Stage: o["StageName"]}
		if !validStage(k.Stage) {
			return nil, errInvalidParameter("Apis."+strconv.Itoa(i+1)+".StageName", "must be RELEASE, PRE or TEST")
		}
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out, nil
}

func productIDParam(p params) (string, *apiError) {
	id, e := p.required("ApiProductId")
	if e != nil {
		return "", e
	}
	if !validProductID(id) {
		return "", errInvalidParameter("ApiProductId", "1 to 64 letters, digits, '_' or '-'")
	}
	return id, nil
}

// attach validates every pair before changing anything (all or nothing): every ApiId must be an API
// of the caller in this region. The product is created when missing; attached pairs stay where they
// are (re-attaching is a no-op).
func (s *Server) attach(account, region, productID string, items []attKey, now time.Time) *apiError {
	s.mu.Lock()
	rs := s.st.region(account, region, false)
	for _, it := range items {
		if rs == nil || rs.apis[it.APIID] == nil {
			s.mu.Unlock()
			return errNotFoundAPI(it.APIID)
		}
	}
	p := rs.products[productID]
	changed := p == nil
	if p == nil {
		p = newProduct(productID, now)
		rs.products[productID] = p
	}
	for _, it := range items {
		if !p.has(it) {
			p.add(attachment{APIID: it.APIID, Stage: it.Stage, Attached: now})
			changed = true
		}
	}
	s.mu.Unlock()
	if changed {
		s.persist()
	}
	return nil
}

func opAttachAPIProduct(s *Server, c *opContext) (any, *apiError) {
	id, e := productIDParam(c.p)
	if e != nil {
		return nil, e
	}
	items, e := s.productItems(c.p)
	if e != nil {
		return nil, e
	}
	if e := s.attach(c.account, c.region, id, items, c.now); e != nil {
		return nil, e
	}
	return requestIDOnly{c.requestID}, nil
}

// detach removes the pairs that are attached and ignores the others; the product stays even when
// emptied (only DeleteApiProduct removes it).
func (s *Server) detach(account, region, productID string, items []attKey) *apiError {
	s.mu.Lock()
	rs := s.st.region(account, region, false)
	var p *product
	if rs != nil {
		p = rs.products[productID]
	}
	if p == nil {
		s.mu.Unlock()
		return errNotFoundProduct(productID)
	}
	drop := make(map[attKey]bool, len(items))
	for _, it := range items {
		if p.has(it) {
			drop[it] = true
		}
	}
	n := 0
	if len(drop) > 0 {
		n = p.removeWhere(func(a attachment) bool { return drop[attKey{a.APIID, a.Stage}] })
	}
	s.mu.Unlock()
	if n > 0 {
		s.persist()
	}
	return nil
}

func opDetachAPIProduct(s *Server, c *opContext) (any, *apiError) {
	id, e := productIDParam(c.p)
	if e != nil {
		return nil, e
	}
	items, e := s.productItems(c.p)
	if e != nil {
		return nil, e
	}
	if e := s.detach(c.account, c.region, id, items); e != nil {
		return nil, e
	}
	return requestIDOnly{c.requestID}, nil
}

// opDescribeAPIProductAPIs pages through a product's attachments in attach order. Attachments younger
// than the visibility delay are left out (of the page and of TotalCount), like a read replica that
// has not caught up.
func opDescribeAPIProductAPIs(s *Server, c *opContext) (any, *apiError) {
	id, e := productIDParam(c.p)
	if e != nil {
		return nil, e
	}
	number, size, e := s.page(c.p)
	if e != nil {
		return nil, e
	}
	delay := s.cfg.visibilityDelay
	s.mu.RLock()
	defer s.mu.RUnlock()
	rs := s.st.region(c.account, c.region, false)
	var p *product
	if rs != nil {
		p = rs.products[id]
	}
	if p == nil {
		return nil, errNotFoundProduct(id)
	}
	visible := p.atts
	if delay > 0 {
		visible = make([]attachment, 0, len(p.atts))
		for _, at := range p.atts {
			if c.now.Sub(at.Attached) >= delay {
				visible = append(visible, at)
			}
		}
	}
	resp := describeAPIProductAPIsResponse{RequestID: c.requestID, PageNumber: int32(number), PageSize: int32(size), TotalCount: int32(len(visible))}
	lo, hi := window(number, size, len(visible))
	resp.APIInfoList.APIInfo = make([]apiInfo, 0, hi-lo)
	for _, at := range visible[lo:hi] {
		a := rs.apis[at.APIID]
		resp.APIInfoList.APIInfo = append(resp.APIInfoList.APIInfo, apiInfo{
			APIID: a.ID, APIName: a.Name, GroupID: a.GroupID, GroupName: rs.groups[a.GroupID].Name,
			Method: a.Method, Path: a.Path, Description: a.Description, RegionID: c.region,
			StageName: at.Stage, BoundTime: fmtTime(at.Attached), Visibility: a.Visibility,
		})
	}
	return resp, nil
}

// opDeleteAPIProduct deletes a product and its attachments. Like Alibaba, it refuses while an app is
// still authorized on the product (ApiProductAuthorizedToApp, the emulator's code).
func opDeleteAPIProduct(s *Server, c *opContext) (any, *apiError) {
	id, e := productIDParam(c.p)
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	rs := s.st.region(c.account, c.region, false)
	if rs == nil || rs.products[id] == nil {
		s.mu.Unlock()
		return nil, errNotFoundProduct(id)
	}
	if apps := rs.authorizedApps(id); len(apps) > 0 {
		s.mu.Unlock()
		return nil, errProductAuthorized(id, apps)
	}
	delete(rs.products, id)
	s.mu.Unlock()
	s.persist()
	return requestIDOnly{c.requestID}, nil
}
