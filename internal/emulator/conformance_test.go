package emulator_test

import (
	"fmt"
	"reflect"
	"testing"

	cloudapi "github.com/alibabacloud-go/cloudapi-20160714/v5/client"
	"github.com/alibabacloud-go/tea/tea"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	legacy "github.com/aliyun/alibaba-cloud-sdk-go/services/cloudapi"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator"
)

// The conformance flow runs the same scenario through every official client, so the emulator's wire
// format (signatures, flattened arrays, JSON types and field names) is checked by the SDKs' own
// parsers. Each client adapter converts responses into these plain structs and reports any field the
// SDK left unset (nil pointer), so a missing field fails the test rather than reading as "".

type pageInfo struct {
	PageNumber, PageSize, TotalCount int
	Items                            []productAPI
}

type productAPI struct {
	APIID, APIName, GroupID, GroupName, Method, Path, Description, RegionID, StageName string
}

type apiDetail struct {
	APIID, APIName, GroupID, GroupName, RegionID, Visibility, Description, Method, Path string
	Deployed                                                                            map[string]string // stage → DeployedStatus
}

type apisPage struct {
	PageNumber, PageSize, TotalCount int
	Items                            []apiDetail
}

type flowClient interface {
	createGroup(name, description string) (string, error)
	createAPI(groupID, name, method, path, description string) (string, error)
	deploy(groupID, apiID, stage string) error
	attach(product string, pairs []emulator.Attachment) error
	detach(product string, pairs []emulator.Attachment) error
	describeProduct(product string, page, size int) (pageInfo, error)
	describeAPI(apiID string) (apiDetail, error)
	describeAPIs(groupID string, page, size int) (apisPage, error)
}

// missing collects names of response fields an SDK did not fill.
type missing []string

func (m *missing) s(p *string, name string) string {
	if p == nil {
		*m = append(*m, name)
		return ""
	}
	return *p
}

func (m *missing) i(p *int32, name string) int {
	if p == nil {
		*m = append(*m, name)
		return 0
	}
	return int(*p)
}

func (m missing) err() error {
	if len(m) > 0 {
		return fmt.Errorf("response fields missing: %v", []string(m))
	}
	return nil
}

// ---- typed client (V3 or V1) ----

type typedFlow struct{ c *cloudapi.Client }

func (f typedFlow) createGroup(name, description string) (string, error) {
	r, err := f.c.CreateApiGroup(&cloudapi.CreateApiGroupRequest{GroupName: tea.String(name), Description: tea.String(description)})
	if err != nil {
		return "", err
	}
	var m missing
	id := m.s(r.Body.GroupId, "GroupId")
	if got := m.s(r.Body.GroupName, "GroupName"); got != name {
		return "", fmt.Errorf("GroupName = %q, want %q", got, name)
	}
	m.s(r.Body.RequestId, "RequestId")
	return id, m.err()
}

func requestConfig(method, path string) string {
	return fmt.Sprintf(`{"RequestProtocol":"HTTP","RequestHttpMethod":%q,"RequestPath":%q,"BodyFormat":"FORM","PostBodyDescription":""}`, method, path)
}

const serviceConfigJSON = `{"ServiceProtocol":"HTTP","ServiceHttpMethod":"GET","ServiceAddress":"http://www.example.com","ServiceTimeout":"1000","ServicePath":"/backend"}`

func (f typedFlow) createAPI(groupID, name, method, path, description string) (string, error) {
	r, err := f.c.CreateApi(&cloudapi.CreateApiRequest{
		GroupId: tea.String(groupID), ApiName: tea.String(name), Visibility: tea.String("PUBLIC"),
		Description: tea.String(description), AuthType: tea.String("APP"),
		RequestConfig: tea.String(requestConfig(method, path)), ServiceConfig: tea.String(serviceConfigJSON),
		ResultType: tea.String("JSON"), ResultSample: tea.String(`{"ok":true}`),
	})
	if err != nil {
		return "", err
	}
	var m missing
	id := m.s(r.Body.ApiId, "ApiId")
	m.s(r.Body.RequestId, "RequestId")
	return id, m.err()
}

func (f typedFlow) deploy(groupID, apiID, stage string) error {
	_, err := f.c.DeployApi(&cloudapi.DeployApiRequest{GroupId: tea.String(groupID), ApiId: tea.String(apiID),
		StageName: tea.String(stage), Description: tea.String("conformance deploy")})
	return err
}

func (f typedFlow) attach(product string, pairs []emulator.Attachment) error {
	req := &cloudapi.AttachApiProductRequest{ApiProductId: tea.String(product)}
	for _, p := range pairs {
		req.Apis = append(req.Apis, &cloudapi.AttachApiProductRequestApis{ApiId: tea.String(p.APIID), StageName: tea.String(p.StageName)})
	}
	r, err := f.c.AttachApiProduct(req)
	if err == nil && r.Body.RequestId == nil {
		return fmt.Errorf("AttachApiProduct: no RequestId")
	}
	return err
}

func (f typedFlow) detach(product string, pairs []emulator.Attachment) error {
	req := &cloudapi.DetachApiProductRequest{ApiProductId: tea.String(product)}
	for _, p := range pairs {
		req.Apis = append(req.Apis, &cloudapi.DetachApiProductRequestApis{ApiId: tea.String(p.APIID), StageName: tea.String(p.StageName)})
	}
	r, err := f.c.DetachApiProduct(req)
	if err == nil && r.Body.RequestId == nil {
		return fmt.Errorf("DetachApiProduct: no RequestId")
	}
	return err
}

func (f typedFlow) describeProduct(product string, page, size int) (pageInfo, error) {
	r, err := f.c.DescribeApiProductApis(&cloudapi.DescribeApiProductApisRequest{ApiProductId: tea.String(product),
		PageNumber: tea.Int32(int32(page)), PageSize: tea.Int32(int32(size))})
	if err != nil {
		return pageInfo{}, err
	}
	var m missing
	b := r.Body
	out := pageInfo{PageNumber: m.i(b.PageNumber, "PageNumber"), PageSize: m.i(b.PageSize, "PageSize"), TotalCount: m.i(b.TotalCount, "TotalCount")}
	m.s(b.RequestId, "RequestId")
	if b.ApiInfoList == nil {
		return out, fmt.Errorf("ApiInfoList missing")
	}
	for _, a := range b.ApiInfoList.ApiInfo {
		out.Items = append(out.Items, productAPI{
			APIID: m.s(a.ApiId, "ApiId"), APIName: m.s(a.ApiName, "ApiName"), GroupID: m.s(a.GroupId, "GroupId"),
			GroupName: m.s(a.GroupName, "GroupName"), Method: m.s(a.Method, "Method"), Path: m.s(a.Path, "Path"),
			Description: m.s(a.Description, "Description"), RegionID: m.s(a.RegionId, "RegionId"), StageName: m.s(a.StageName, "StageName"),
		})
	}
	return out, m.err()
}

func (f typedFlow) describeAPI(apiID string) (apiDetail, error) {
	r, err := f.c.DescribeApi(&cloudapi.DescribeApiRequest{ApiId: tea.String(apiID)})
	if err != nil {
		return apiDetail{}, err
	}
	var m missing
	b := r.Body
	d := apiDetail{APIID: m.s(b.ApiId, "ApiId"), APIName: m.s(b.ApiName, "ApiName"), GroupID: m.s(b.GroupId, "GroupId"),
		GroupName: m.s(b.GroupName, "GroupName"), RegionID: m.s(b.RegionId, "RegionId"), Visibility: m.s(b.Visibility, "Visibility"),
		Description: m.s(b.Description, "Description"), Deployed: map[string]string{}}
	if b.RequestConfig == nil || b.ServiceConfig == nil || b.DeployedInfos == nil {
		return d, fmt.Errorf("RequestConfig/ServiceConfig/DeployedInfos missing")
	}
	d.Method = m.s(b.RequestConfig.RequestHttpMethod, "RequestHttpMethod")
	d.Path = m.s(b.RequestConfig.RequestPath, "RequestPath")
	if got := tea.Int32Value(b.ServiceConfig.ServiceTimeout); got != 1000 {
		return d, fmt.Errorf("ServiceConfig.ServiceTimeout = %d, want 1000", got)
	}
	for _, di := range b.DeployedInfos.DeployedInfo {
		d.Deployed[m.s(di.StageName, "StageName")] = m.s(di.DeployedStatus, "DeployedStatus")
	}
	return d, m.err()
}

func (f typedFlow) describeAPIs(groupID string, page, size int) (apisPage, error) {
	r, err := f.c.DescribeApis(&cloudapi.DescribeApisRequest{GroupId: tea.String(groupID), PageNumber: tea.Int32(int32(page)), PageSize: tea.Int32(int32(size))})
	if err != nil {
		return apisPage{}, err
	}
	var m missing
	b := r.Body
	out := apisPage{PageNumber: m.i(b.PageNumber, "PageNumber"), PageSize: m.i(b.PageSize, "PageSize"), TotalCount: m.i(b.TotalCount, "TotalCount")}
	if b.ApiSummarys == nil {
		return out, fmt.Errorf("ApiSummarys missing")
	}
	for _, a := range b.ApiSummarys.ApiSummary {
		d := apiDetail{APIID: m.s(a.ApiId, "ApiId"), APIName: m.s(a.ApiName, "ApiName"), GroupID: m.s(a.GroupId, "GroupId"),
			GroupName: m.s(a.GroupName, "GroupName"), RegionID: m.s(a.RegionId, "RegionId"), Visibility: m.s(a.Visibility, "Visibility"),
			Description: m.s(a.Description, "Description"), Method: m.s(a.ApiMethod, "ApiMethod"), Path: m.s(a.ApiPath, "ApiPath"),
			Deployed: map[string]string{}}
		if a.DeployedInfos == nil {
			return out, fmt.Errorf("DeployedInfos missing")
		}
		for _, di := range a.DeployedInfos.DeployedInfo {
			d.Deployed[m.s(di.StageName, "StageName")] = m.s(di.DeployedStatus, "DeployedStatus")
		}
		out.Items = append(out.Items, d)
	}
	return out, m.err()
}

// ---- legacy client (V1, form bodies for some CreateApi fields) ----

type legacyFlow struct {
	c        *legacy.Client
	endpoint string
}

func (f legacyFlow) prep(r *requests.RpcRequest) {
	r.Scheme = "http"
	r.Domain = f.endpoint
}

func (f legacyFlow) createGroup(name, description string) (string, error) {
	req := legacy.CreateCreateApiGroupRequest()
	f.prep(req.RpcRequest)
	req.GroupName, req.Description = name, description
	r, err := f.c.CreateApiGroup(req)
	if err != nil {
		return "", err
	}
	if r.GroupName != name || r.RequestId == "" {
		return "", fmt.Errorf("CreateApiGroup response %+v", r)
	}
	return r.GroupId, nil
}

func (f legacyFlow) createAPI(groupID, name, method, path, description string) (string, error) {
	req := legacy.CreateCreateApiRequest()
	f.prep(req.RpcRequest)
	req.GroupId, req.ApiName, req.Visibility, req.Description, req.AuthType = groupID, name, "PUBLIC", description, "APP"
	req.RequestConfig, req.ServiceConfig = requestConfig(method, path), serviceConfigJSON
	req.ResultType, req.ResultSample = "JSON", `{"ok":true}` // ResultSample travels in the form body
	r, err := f.c.CreateApi(req)
	if err != nil {
		return "", err
	}
	if r.RequestId == "" {
		return "", fmt.Errorf("CreateApi: no RequestId")
	}
	return r.ApiId, nil
}

func (f legacyFlow) deploy(groupID, apiID, stage string) error {
	req := legacy.CreateDeployApiRequest()
	f.prep(req.RpcRequest)
	req.GroupId, req.ApiId, req.StageName, req.Description = groupID, apiID, stage, "conformance deploy"
	_, err := f.c.DeployApi(req)
	return err
}

func (f legacyFlow) attach(product string, pairs []emulator.Attachment) error {
	req := legacy.CreateAttachApiProductRequest()
	f.prep(req.RpcRequest)
	req.ApiProductId = product
	apis := make([]legacy.AttachApiProductApis, 0, len(pairs))
	for _, p := range pairs {
		apis = append(apis, legacy.AttachApiProductApis{ApiId: p.APIID, StageName: p.StageName})
	}
	req.Apis = &apis
	_, err := f.c.AttachApiProduct(req)
	return err
}

func (f legacyFlow) detach(product string, pairs []emulator.Attachment) error {
	req := legacy.CreateDetachApiProductRequest()
	f.prep(req.RpcRequest)
	req.ApiProductId = product
	apis := make([]legacy.DetachApiProductApis, 0, len(pairs))
	for _, p := range pairs {
		apis = append(apis, legacy.DetachApiProductApis{ApiId: p.APIID, StageName: p.StageName})
	}
	req.Apis = &apis
	_, err := f.c.DetachApiProduct(req)
	return err
}

func (f legacyFlow) describeProduct(product string, page, size int) (pageInfo, error) {
	req := legacy.CreateDescribeApiProductApisRequest()
	f.prep(req.RpcRequest)
	req.ApiProductId = product
	req.PageNumber, req.PageSize = requests.NewInteger(page), requests.NewInteger(size)
	r, err := f.c.DescribeApiProductApis(req)
	if err != nil {
		return pageInfo{}, err
	}
	out := pageInfo{PageNumber: r.PageNumber, PageSize: r.PageSize, TotalCount: r.TotalCount}
	for _, a := range r.ApiInfoList.ApiInfo {
		out.Items = append(out.Items, productAPI{APIID: a.ApiId, APIName: a.ApiName, GroupID: a.GroupId, GroupName: a.GroupName,
			Method: a.Method, Path: a.Path, Description: a.Description, RegionID: a.RegionId, StageName: a.StageName})
		if a.BoundTime == "" || a.Visibility == "" {
			return out, fmt.Errorf("legacy ApiInfo BoundTime/Visibility empty: %+v", a)
		}
	}
	return out, nil
}

func (f legacyFlow) describeAPI(apiID string) (apiDetail, error) {
	req := legacy.CreateDescribeApiRequest()
	f.prep(req.RpcRequest)
	req.ApiId = apiID
	r, err := f.c.DescribeApi(req)
	if err != nil {
		return apiDetail{}, err
	}
	if r.ServiceConfig.ServiceTimeout != 1000 {
		return apiDetail{}, fmt.Errorf("ServiceTimeout = %d", r.ServiceConfig.ServiceTimeout)
	}
	d := apiDetail{APIID: r.ApiId, APIName: r.ApiName, GroupID: r.GroupId, GroupName: r.GroupName, RegionID: r.RegionId,
		Visibility: r.Visibility, Description: r.Description, Method: r.RequestConfig.RequestHttpMethod,
		Path: r.RequestConfig.RequestPath, Deployed: map[string]string{}}
	for _, di := range r.DeployedInfos.DeployedInfo {
		d.Deployed[di.StageName] = di.DeployedStatus
	}
	return d, nil
}

func (f legacyFlow) describeAPIs(groupID string, page, size int) (apisPage, error) {
	req := legacy.CreateDescribeApisRequest()
	f.prep(req.RpcRequest)
	req.GroupId = groupID
	req.PageNumber, req.PageSize = requests.NewInteger(page), requests.NewInteger(size)
	r, err := f.c.DescribeApis(req)
	if err != nil {
		return apisPage{}, err
	}
	out := apisPage{PageNumber: r.PageNumber, PageSize: r.PageSize, TotalCount: r.TotalCount}
	for _, a := range r.ApiSummarys.ApiSummary {
		d := apiDetail{APIID: a.ApiId, APIName: a.ApiName, GroupID: a.GroupId, GroupName: a.GroupName, RegionID: a.RegionId,
			Visibility: a.Visibility, Description: a.Description, Method: a.ApiMethod, Path: a.ApiPath, Deployed: map[string]string{}}
		for _, di := range a.DeployedInfos.DeployedInfo {
			d.Deployed[di.StageName] = di.DeployedStatus
		}
		out.Items = append(out.Items, d)
	}
	return out, nil
}

func legacyClient(t testing.TB, s *emulator.Server, akid, secret string) legacyFlow {
	t.Helper()
	c, err := legacy.NewClientWithAccessKey(emulator.DefaultRegion, akid, secret)
	if err != nil {
		t.Fatalf("legacy client: %v", err)
	}
	c.GetConfig().AutoRetry = false
	return legacyFlow{c: c, endpoint: s.Endpoint()}
}

// ---- the scenario ----

// awkward exercises the canonicalisation edge cases of both signature styles: spaces, '*', '~',
// '/', '+', '&', '=', '%' and multi-byte UTF-8.
const awkward = "a b*c~d/e+f&g=h%i 中文 ✓"

func TestConformanceTypedV3(t *testing.T) {
	s := startServer(t)
	runFlow(t, s, typedFlow{defaultTyped(t, s)})
}

func TestConformanceTypedV1(t *testing.T) {
	s := startServer(t)
	runFlow(t, s, typedFlow{v1Typed(t, s)})
}

func TestConformanceLegacy(t *testing.T) {
	s := startServer(t)
	runFlow(t, s, legacyClient(t, s, emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret))
}

func runFlow(t *testing.T, s *emulator.Server, c flowClient) {
	t.Helper()
	groupName := "conformance group " + awkward
	gid, err := c.createGroup(groupName, "described "+awkward)
	if err != nil {
		t.Fatalf("createGroup: %v", err)
	}
	if len(gid) != 32 {
		t.Fatalf("group id %q is not 32 hex characters", gid)
	}
	const n = 12
	ids := make([]string, n)
	want := map[string]apiDetail{}
	for i := range n {
		method := []string{"GET", "POST", "PUT"}[i%3]
		name := fmt.Sprintf("api_%02d", i)
		path := fmt.Sprintf("/v1/items/[id]/n%02d", i)
		desc := fmt.Sprintf("api %d %s", i, awkward)
		id, err := c.createAPI(gid, name, method, path, desc)
		if err != nil {
			t.Fatalf("createAPI %d: %v", i, err)
		}
		ids[i] = id
		want[id] = apiDetail{APIID: id, APIName: name, GroupID: gid, GroupName: groupName, RegionID: emulator.DefaultRegion,
			Visibility: "PUBLIC", Description: desc, Method: method, Path: path,
			Deployed: map[string]string{"RELEASE": "DEPLOYED", "PRE": "NONDEPLOYED", "TEST": "NONDEPLOYED"}}
	}
	for i, id := range ids {
		if err := c.deploy(gid, id, "RELEASE"); err != nil {
			t.Fatalf("deploy %d: %v", i, err)
		}
		if i%2 == 0 {
			if err := c.deploy(gid, id, "TEST"); err != nil {
				t.Fatalf("deploy TEST %d: %v", i, err)
			}
			want[id].Deployed["TEST"] = "DEPLOYED"
		}
	}

	d, err := c.describeAPI(ids[4])
	if err != nil {
		t.Fatalf("describeAPI: %v", err)
	}
	if !reflect.DeepEqual(d, want[ids[4]]) {
		t.Fatalf("describeAPI =\n%+v\nwant\n%+v", d, want[ids[4]])
	}
	var listed []apiDetail
	for page := 1; page <= 3; page++ {
		p, err := c.describeAPIs(gid, page, 5)
		if err != nil {
			t.Fatalf("describeAPIs page %d: %v", page, err)
		}
		if p.PageNumber != page || p.PageSize != 5 || p.TotalCount != n {
			t.Fatalf("describeAPIs page %d header = %d/%d/%d", page, p.PageNumber, p.PageSize, p.TotalCount)
		}
		listed = append(listed, p.Items...)
	}
	if len(listed) != n {
		t.Fatalf("describeAPIs listed %d APIs, want %d", len(listed), n)
	}
	for i, a := range listed {
		if a.APIID != ids[i] || !reflect.DeepEqual(a, want[ids[i]]) {
			t.Fatalf("describeAPIs item %d =\n%+v\nwant\n%+v", i, a, want[ids[i]])
		}
	}

	const product = "conformance_product-1"
	var attach1, attach2 []emulator.Attachment
	for i := 0; i < 7; i++ {
		attach1 = append(attach1, emulator.Attachment{APIID: ids[i], StageName: "RELEASE"})
	}
	attach2 = append(attach2, attach1[3]) // re-attach: no-op, keeps its position
	for i := 5; i < n; i++ {
		attach2 = append(attach2, emulator.Attachment{APIID: ids[i], StageName: "TEST"})
	}
	if err := c.attach(product, attach1); err != nil {
		t.Fatalf("attach 1: %v", err)
	}
	if err := c.attach(product, attach2); err != nil {
		t.Fatalf("attach 2: %v", err)
	}
	expected := append(append([]emulator.Attachment{}, attach1...), attach2[1:]...)
	checkProduct(t, c, product, expected, want)
	if got, ok := s.ProductAttachments(emulator.DefaultAccountID, "", product); !ok || !reflect.DeepEqual(got, expected) {
		t.Fatalf("ProductAttachments = %v (exists %v), want %v", got, ok, expected)
	}

	// Detach some attached pairs plus one that was never attached (ignored).
	detach := []emulator.Attachment{expected[0], expected[8], {APIID: ids[1], StageName: "PRE"}}
	if err := c.detach(product, detach); err != nil {
		t.Fatalf("detach: %v", err)
	}
	var remaining []emulator.Attachment
	for i, a := range expected {
		if i != 0 && i != 8 {
			remaining = append(remaining, a)
		}
	}
	checkProduct(t, c, product, remaining, want)
	if got := s.RequestCount("AttachApiProduct", "OK"); got != 2 {
		t.Fatalf("RequestCount(AttachApiProduct, OK) = %d, want 2", got)
	}
	if got := s.RequestCount("", "OK"); got < n {
		t.Fatalf("RequestCount(any, OK) = %d", got)
	}
}

// checkProduct reads the product page by page (page size 4) and compares every field.
func checkProduct(t *testing.T, c flowClient, product string, expected []emulator.Attachment, apis map[string]apiDetail) {
	t.Helper()
	const size = 4
	var got []productAPI
	pages := (len(expected) + size - 1) / size
	for page := 1; page <= pages+1; page++ { // one page past the end must be empty
		p, err := c.describeProduct(product, page, size)
		if err != nil {
			t.Fatalf("describeProduct page %d: %v", page, err)
		}
		if p.PageNumber != page || p.PageSize != size || p.TotalCount != len(expected) {
			t.Fatalf("page %d header = number %d size %d total %d, want %d/%d/%d", page, p.PageNumber, p.PageSize, p.TotalCount, page, size, len(expected))
		}
		wantLen := min(size, max(0, len(expected)-(page-1)*size))
		if len(p.Items) != wantLen {
			t.Fatalf("page %d has %d items, want %d", page, len(p.Items), wantLen)
		}
		got = append(got, p.Items...)
	}
	for i, e := range expected {
		a := apis[e.APIID]
		w := productAPI{APIID: a.APIID, APIName: a.APIName, GroupID: a.GroupID, GroupName: a.GroupName, Method: a.Method,
			Path: a.Path, Description: a.Description, RegionID: emulator.DefaultRegion, StageName: e.StageName}
		if got[i] != w {
			t.Fatalf("item %d =\n%+v\nwant\n%+v", i, got[i], w)
		}
	}
}

// DescribeAppAttributes through both SDKs.

// appAttr is one app as DescribeAppAttributes reports it, whichever SDK parsed it.
type appAttr struct {
	AppID                                   int64
	AppName, Description, Extend, CreatedAt string
}

func typedAppAttributes(t *testing.T, c *cloudapi.Client, req *cloudapi.DescribeAppAttributesRequest) (apps []appAttr, total int) {
	t.Helper()
	r, err := c.DescribeAppAttributes(req)
	if err != nil {
		t.Fatalf("DescribeAppAttributes: %v", err)
	}
	b := r.Body
	if b.RequestId == nil || b.TotalCount == nil || b.PageNumber == nil || b.PageSize == nil || b.Apps == nil {
		t.Fatalf("DescribeAppAttributes header lacks fields: %v", b)
	}
	apps = []appAttr{}
	for _, a := range b.Apps.AppAttribute {
		if a.AppId == nil || a.AppName == nil || a.Description == nil || a.Extend == nil || a.CreatedTime == nil || a.ModifiedTime == nil || a.Tags == nil {
			t.Fatalf("AppAttribute lacks fields: %v", a)
		}
		if !utcSeconds.MatchString(*a.CreatedTime) {
			t.Errorf("CreatedTime %q is not UTC whole seconds", *a.CreatedTime)
		}
		apps = append(apps, appAttr{*a.AppId, *a.AppName, *a.Description, *a.Extend, *a.CreatedTime})
	}
	return apps, int(*b.TotalCount)
}

func (f legacyFlow) appAttributes(t *testing.T, appID int64, name string, tags ...legacy.DescribeAppAttributesTag) ([]appAttr, int) {
	t.Helper()
	req := legacy.CreateDescribeAppAttributesRequest()
	f.prep(req.RpcRequest)
	if appID != 0 {
		req.AppId = requests.NewInteger64(appID)
	}
	req.AppName = name
	if len(tags) > 0 {
		req.Tag = &tags
	}
	r, err := f.c.DescribeAppAttributes(req)
	if err != nil {
		t.Fatalf("legacy DescribeAppAttributes: %v", err)
	}
	apps := []appAttr{}
	for _, a := range r.Apps.AppAttribute {
		apps = append(apps, appAttr{a.AppId, a.AppName, a.Description, a.Extend, a.CreatedTime})
	}
	return apps, r.TotalCount
}

// TestDescribeAppAttributesBothWireForms: the typed SDK (V3 and V1 signatures, Tag.N.Key flattened
// by the SDK) and the legacy SDK read the same apps; AppId and AppName filter by exact match; an
// app id that matches nothing, or an app deleted since, is an empty page, not an error; a malformed
// AppId is InvalidParameter naming it.
func TestDescribeAppAttributesBothWireForms(t *testing.T) {
	s := startServer(t)
	wire, c := wiredTyped(t, s)
	l := legacyClient(t, s, emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret)

	one := typedCreateApp(t, c, "attr_one", "first app", "x=1")
	two, err := l.createApp("attr_two", "", "")
	if err != nil {
		t.Fatal(err)
	}
	gone := typedCreateApp(t, c, "attr_gone", "", "")
	if _, err := c.DeleteApp(&cloudapi.DeleteAppRequest{AppId: tea.Int64(gone)}); err != nil {
		t.Fatal(err)
	}

	all, total := typedAppAttributes(t, c, &cloudapi.DescribeAppAttributesRequest{PageSize: tea.Int32(100)})
	if total != 2 || len(all) != 2 || all[0].AppID != one || all[1].AppID != two {
		t.Fatalf("all apps: total %d, %+v; want %d then %d", total, all, one, two)
	}
	if all[0].AppName != "attr_one" || all[0].Description != "first app" || all[0].Extend != "x=1" {
		t.Errorf("app %d reported as %+v", one, all[0])
	}

	tagged := []*cloudapi.DescribeAppAttributesRequestTag{{Key: tea.String("env"), Value: tea.String("dev")}}
	v1cfg := clientConfig(s, emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret)
	v1cfg.SignatureAlgorithm, v1cfg.HttpClient = tea.String("v2"), wire
	for name, client := range map[string]*cloudapi.Client{"V3": c, "V1": typedClient(t, v1cfg)} {
		got, total := typedAppAttributes(t, client, &cloudapi.DescribeAppAttributesRequest{AppId: tea.Int64(two), Tag: tagged})
		if total != 1 || len(got) != 1 || got[0] != all[1] {
			t.Errorf("%s AppId=%d: total %d, %+v; want %+v", name, two, total, got, all[1])
		}
		sent := wire.last("DescribeAppAttributes")
		if sent.Get("Tag.1.Key") != "env" || sent.Get("AppId") == "" {
			t.Errorf("%s: Tag and AppId not on the wire as Tag.1.Key and AppId: %v", name, sent)
		}
		if got, total := typedAppAttributes(t, client, &cloudapi.DescribeAppAttributesRequest{AppId: tea.Int64(gone)}); total != 0 || len(got) != 0 {
			t.Errorf("%s deleted app %d: total %d, %+v; want an empty page", name, gone, total, got)
		}
	}

	if got, total := l.appAttributes(t, one, "", legacy.DescribeAppAttributesTag{Key: "env", Value: "dev"}); total != 1 || !reflect.DeepEqual(got, all[:1]) {
		t.Errorf("legacy AppId=%d: total %d, %+v; want %+v", one, total, got, all[:1])
	}
	if got, total := l.appAttributes(t, 0, "attr_two"); total != 1 || !reflect.DeepEqual(got, all[1:]) {
		t.Errorf("legacy AppName=attr_two: total %d, %+v; want %+v", total, got, all[1:])
	}
	if got, total := l.appAttributes(t, 987654321, ""); total != 0 || len(got) != 0 {
		t.Errorf("legacy unknown AppId: total %d, %+v; want an empty page", total, got)
	}

	wantErr(t, callAPI(c, "DescribeAppAttributes", "2016-07-14", map[string]string{"AppId": "abc"}), "InvalidParameter", 400)
}
