package model

import (
	"maps"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// StageNames are the stages of DeployApi and AbolishApi and of product attachments, in the order
// listings show them.
var StageNames = [...]string{"RELEASE", "PRE", "TEST"}

// ValidStage reports whether s is RELEASE, PRE or TEST.
func ValidStage(s string) bool { return s == "RELEASE" || s == "PRE" || s == "TEST" }

func checkStage(param, s string) error {
	if !ValidStage(s) {
		return invalid(param, "must be RELEASE, PRE or TEST")
	}
	return nil
}

var (
	apiNamePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{3,49}$`)
	httpMethods    = map[string]bool{"GET": true, "POST": true, "PUT": true, "DELETE": true,
		"PATCH": true, "HEAD": true, "OPTIONS": true, "ANY": true}
)

// RequestConfig is the part of CreateApi's RequestConfig the emulator keeps and returns.
type RequestConfig struct {
	RequestProtocol     string `json:"RequestProtocol"`
	RequestHttpMethod   string `json:"RequestHttpMethod"` //nolint:revive // the service's spelling
	RequestPath         string `json:"RequestPath"`
	RequestMode         string `json:"RequestMode"`
	BodyFormat          string `json:"BodyFormat"`
	BodyModel           string `json:"BodyModel"`
	PostBodyDescription string `json:"PostBodyDescription"`
}

// ServiceConfig is the part of CreateApi's ServiceConfig the emulator keeps and returns.
// ServiceTimeout is a number because the typed SDK decodes it into an int32.
type ServiceConfig struct {
	ServiceProtocol   string `json:"ServiceProtocol"`
	ServiceHttpMethod string `json:"ServiceHttpMethod"` //nolint:revive // the service's spelling
	ServiceAddress    string `json:"ServiceAddress"`
	ServicePath       string `json:"ServicePath"`
	ServiceTimeout    int32  `json:"ServiceTimeout"`
	Mock              string `json:"Mock"`
	MockResult        string `json:"MockResult"`
	ServiceVpcEnable  string `json:"ServiceVpcEnable"`
}

// Deployment is what a stage of an API runs.
type Deployment struct {
	Version     string    `json:"version"`
	Description string    `json:"description,omitempty"`
	Deployed    time.Time `json:"deployed"`
}

// API is an API and the stages it is deployed to. Values returned by the model are copies; GroupName
// is the group's name at the time of the call.
type API struct {
	ID            string
	GroupID       string
	GroupName     string
	Name          string
	Description   string
	Visibility    string
	AuthType      string
	Method        string // RequestConfig.RequestHttpMethod
	Path          string // RequestConfig.RequestPath
	RequestConfig RequestConfig
	ServiceConfig ServiceConfig
	ResultType    string
	ResultSample  string
	Created       time.Time
	Modified      time.Time
	Seq           uint64
	Stages        map[string]Deployment // by stage name
}

type api = API

// view copies a stored API for a caller outside the lock. Caller holds r.mu.
func (r *Region) view(a *api) API {
	v := *a
	v.Stages = maps.Clone(a.Stages)
	if g := r.groups[a.GroupID]; g != nil {
		v.GroupName = g.Name
	}
	return v
}

// CreateAPIRequest is CreateApi. ID is empty for a generated id (seeds may fix it).
type CreateAPIRequest struct {
	ID, GroupID, Name, Description, Visibility, AuthType string
	RequestConfig                                        RequestConfig
	ServiceConfig                                        ServiceConfig
	ResultType, ResultSample                             string
}

// CreateAPI validates and stores an API: name rules, visibility, method and path, name and path
// unique within the group, and the group must exist. AuthType defaults to APP, ResultType to JSON,
// RequestProtocol to HTTP and RequestMode to MAPPING; the method is upper-cased.
func (r *Region) CreateAPI(in CreateAPIRequest, now time.Time) (API, error) {
	if in.GroupID == "" {
		return API{}, missing("GroupId")
	}
	if in.Name == "" {
		return API{}, missing("ApiName")
	}
	if !apiNamePattern.MatchString(in.Name) {
		return API{}, invalid("ApiName", "4 to 50 characters: a letter first, then letters, digits or underscores")
	}
	switch in.Visibility {
	case "PUBLIC", "PRIVATE":
	case "":
		return API{}, missing("Visibility")
	default:
		return API{}, invalid("Visibility", "must be PUBLIC or PRIVATE")
	}
	if in.AuthType == "" {
		in.AuthType = "APP"
	}
	if err := checkDescription("Description", in.Description, 2000); err != nil {
		return API{}, err
	}
	rc := &in.RequestConfig
	rc.RequestHttpMethod = strings.ToUpper(rc.RequestHttpMethod)
	switch {
	case rc.RequestHttpMethod == "":
		return API{}, missing("RequestConfig.RequestHttpMethod")
	case !httpMethods[rc.RequestHttpMethod]:
		return API{}, invalid("RequestConfig.RequestHttpMethod", "must be one of GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS, ANY")
	case rc.RequestPath == "":
		return API{}, missing("RequestConfig.RequestPath")
	case !strings.HasPrefix(rc.RequestPath, "/") || strings.ContainsAny(rc.RequestPath, " \t\r\n?#") || !validText(rc.RequestPath, 1024):
		return API{}, invalid("RequestConfig.RequestPath", "must start with / and contain no spaces, ? or #")
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
	if in.ID != "" && !idPattern.MatchString(in.ID) {
		return API{}, invalid("ApiId", "must be 32 lowercase hex characters")
	}

	r.mu.Lock()
	defer r.mu.Unlock()
	if r.groups[in.GroupID] == nil {
		return API{}, &NotFoundError{Resource: ResourceGroup, ID: in.GroupID}
	}
	for _, o := range r.apis {
		if o.GroupID != in.GroupID {
			continue
		}
		if o.Name == in.Name {
			return API{}, invalid("ApiName", "an API named "+strconv.Quote(in.Name)+" already exists in the group")
		}
		if o.Path == rc.RequestPath {
			return API{}, invalid("RequestConfig.RequestPath", "the path "+strconv.Quote(Clip(rc.RequestPath))+" is already used by another API of the group")
		}
	}
	id := in.ID
	if id == "" {
		id = newID()
	} else if r.apis[id] != nil {
		return API{}, invalid("ApiId", "an API with this id already exists")
	}
	a := &api{ID: id, GroupID: in.GroupID, Name: in.Name, Description: in.Description, Visibility: in.Visibility,
		AuthType: in.AuthType, Method: rc.RequestHttpMethod, Path: rc.RequestPath, RequestConfig: *rc,
		ServiceConfig: in.ServiceConfig, ResultType: in.ResultType, ResultSample: in.ResultSample,
		Created: now, Modified: now, Seq: r.b.ids.nextSeq(), Stages: make(map[string]Deployment)}
	r.apis[id] = a
	r.b.changed()
	return r.view(a), nil
}

// lookupAPI finds an API; groupID, when given, must match. Caller holds r.mu.
func (r *Region) lookupAPI(groupID, apiID string) (*api, error) {
	a := r.apis[apiID]
	if a == nil || groupID != "" && a.GroupID != groupID {
		return nil, &NotFoundError{Resource: ResourceAPI, ID: apiID}
	}
	return a, nil
}

// DeleteAPI removes an API. Alibaba requires an API to be unpublished (abolished from every stage)
// before it can be deleted, so a deployed API is refused. The API's attachments are removed from
// every product of the region: a product never refers to an API that no longer exists.
func (r *Region) DeleteAPI(groupID, apiID string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	a, err := r.lookupAPI(groupID, apiID)
	if err != nil {
		return err
	}
	if len(a.Stages) > 0 {
		var stages []string
		for _, st := range StageNames {
			if _, ok := a.Stages[st]; ok {
				stages = append(stages, st)
			}
		}
		return invalid("ApiId", "the API is deployed to "+strings.Join(stages, ", ")+"; abolish it (AbolishApi) before deleting it")
	}
	delete(r.apis, apiID)
	for _, p := range r.products {
		p.removeWhere(func(at Attachment) bool { return at.APIID == apiID })
	}
	r.b.changed()
	return nil
}

// DeployRequest is DeployApi.
type DeployRequest struct {
	GroupID, APIID, Stage, Description string
}

// Deploy publishes an API to a stage; redeploying replaces the stage's version.
func (r *Region) Deploy(in DeployRequest, now time.Time) error {
	if err := checkDescription("Description", in.Description, 2000); err != nil {
		return err
	}
	if err := checkStage("StageName", in.Stage); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	a, err := r.lookupAPI(in.GroupID, in.APIID)
	if err != nil {
		return err
	}
	a.Stages[in.Stage] = Deployment{Version: newID(), Description: in.Description, Deployed: now}
	r.b.changed()
	return nil
}

// Abolish unpublishes an API from a stage. Abolishing a stage the API is not deployed to is a no-op
// success, so cleanup code can be idempotent. Product attachments are not touched: a product refers
// to (API, stage) independently of what is published there.
func (r *Region) Abolish(groupID, apiID, stage string) error {
	if err := checkStage("StageName", stage); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	a, err := r.lookupAPI(groupID, apiID)
	if err != nil {
		return err
	}
	if _, was := a.Stages[stage]; was {
		delete(a.Stages, stage)
		r.b.changed()
	}
	return nil
}

// DescribeAPI returns one API; groupID, when given, must match.
func (r *Region) DescribeAPI(groupID, apiID string) (API, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	a, err := r.lookupAPI(groupID, apiID)
	if err != nil {
		return API{}, err
	}
	return r.view(a), nil
}

// APIFilter selects APIs for ListAPIs. Empty fields match everything; Name matches a substring
// ("fuzzy" in Alibaba's words), Stage the APIs deployed there, Undeployed those deployed nowhere.
type APIFilter struct {
	GroupID, APIID, Name, Path, Method, Visibility, Stage string
	Undeployed                                            bool
}

// ListAPIs pages through the matching APIs in creation order and returns the page and the total.
func (r *Region) ListAPIs(f APIFilter, page Page) ([]API, int, error) {
	if f.Stage != "" {
		if err := checkStage("StageName", f.Stage); err != nil {
			return nil, 0, err
		}
	}
	f.Method = strings.ToUpper(f.Method)
	r.mu.RLock()
	defer r.mu.RUnlock()
	var match []*api
	for _, a := range bySeq(r.apis, func(a *api) uint64 { return a.Seq }) {
		_, deployedThere := a.Stages[f.Stage]
		switch {
		case f.GroupID != "" && a.GroupID != f.GroupID,
			f.APIID != "" && a.ID != f.APIID,
			f.Name != "" && !strings.Contains(a.Name, f.Name),
			f.Path != "" && a.Path != f.Path,
			f.Method != "" && a.Method != f.Method,
			f.Visibility != "" && a.Visibility != f.Visibility,
			f.Stage != "" && !deployedThere,
			f.Undeployed && len(a.Stages) > 0:
			continue
		}
		match = append(match, a)
	}
	lo, hi := page.window(len(match))
	out := make([]API, 0, hi-lo)
	for _, a := range match[lo:hi] {
		out = append(out, r.view(a))
	}
	return out, len(match), nil
}

// Clip keeps client-supplied identifiers echoed in messages short, so a hostile 1 MiB parameter does
// not come back in an error body or the request log.
func Clip(s string) string {
	const max = 80
	if len(s) <= max {
		return s
	}
	return s[:max] + "..."
}
