package emulator

import (
	"errors"
	"strings"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator/model"
)

// InjectFault activates a fault for subsequent requests (see Fault).
func (s *Server) InjectFault(f Fault) { s.faults.add(f) }

// ClearFaults removes every active fault, including those given by WithFaults. The QPS limit and
// base latency stay.
func (s *Server) ClearFaults() { s.faults.clear() }

// Reset drops all groups, APIs, deployments, products, apps and authorizations of every account, and
// all request counters (app ids start again from the first).
// Accounts, temporary credentials, remembered nonces and faults stay.
func (s *Server) Reset() {
	s.backend.Reset()
	s.stats.reset()
}

// RequestCount reports how many requests had action and outcome. outcome "" matches any outcome,
// "OK" successes, "Drop" dropped connections, "ProxyNotFound" the 404s of the proxy in front of the
// service (Behaviour.ProxyNotFoundEvery, FaultProxyNotFound), anything else that error code. action "" matches any
// action, including requests rejected before their action was known. Unknown actions are counted under
// their own name, except that beyond the first 256 distinct unknown names (since start or Reset) they
// are counted under "(other)", so a client cannot grow the counters without limit.
func (s *Server) RequestCount(action, outcome string) int { return s.stats.get(action, outcome) }

// Attachment is one (API, stage) pair attached to a product.
type Attachment struct {
	APIID, StageName string
}

// ProductAttachments returns a product's attachments in attach order, ignoring the visibility delay,
// and whether the product exists. region "" means the server's default region.
func (s *Server) ProductAttachments(accountID, region, productID string) (atts []Attachment, exists bool) {
	all, exists := s.backend.Lookup(accountID, s.regionOr(region)).Attachments(productID)
	if !exists {
		return nil, false
	}
	atts = make([]Attachment, 0, len(all))
	for _, a := range all {
		atts = append(atts, Attachment{APIID: a.APIID, StageName: a.Stage})
	}
	return atts, true
}

// APISpec describes an API for SeedAPI. Visibility defaults to PUBLIC and Method to GET; Path is
// required.
type APISpec struct {
	GroupID, Name, Method, Path, Description, Visibility string
}

// SeedGroup creates an API group directly (no HTTP) and returns its id. region "" means the server's
// default region. The same validation as CreateApiGroup applies.
func (s *Server) SeedGroup(accountID, region, name string) (groupID string, err error) {
	return s.seedGroup(accountID, region, "", name, "")
}

// seedGroup is SeedGroup with an optional fixed id (32 lowercase hex) and a description, for seed
// files that name their ids.
func (s *Server) seedGroup(accountID, region, id, name, description string) (string, error) {
	if err := checkSeedTarget(accountID, region); err != nil {
		return "", err
	}
	g, err := s.backend.Region(accountID, s.regionOr(region)).CreateGroup(
		model.CreateGroupRequest{ID: id, Name: name, Description: description}, s.cfg.now())
	if err != nil {
		return "", wireError(err)
	}
	return g.ID, nil
}

// SeedAPI creates an API directly (no HTTP) and returns its id, with the same validation as
// CreateApi: name rules, unique name and path in the group, existing group.
func (s *Server) SeedAPI(accountID, region string, spec APISpec) (apiID string, err error) {
	return s.seedAPI(accountID, region, "", spec)
}

// seedAPI is SeedAPI with an optional fixed id (32 lowercase hex).
func (s *Server) seedAPI(accountID, region, id string, spec APISpec) (string, error) {
	if err := checkSeedTarget(accountID, region); err != nil {
		return "", err
	}
	in := seedAPIRequest(id, spec.GroupID, spec)
	a, err := s.backend.Region(accountID, s.regionOr(region)).CreateAPI(in, s.cfg.now())
	if err != nil {
		return "", wireError(err)
	}
	return a.ID, nil
}

// seedAPIRequest is the CreateApi request behind SeedAPI and seed files: Visibility defaults to
// PUBLIC, Method to GET, and the backend is a placeholder (the emulator serves no API calls).
func seedAPIRequest(id, groupID string, spec APISpec) model.CreateAPIRequest {
	if spec.Visibility == "" {
		spec.Visibility = "PUBLIC"
	}
	if spec.Method == "" {
		spec.Method = "GET"
	}
	return model.CreateAPIRequest{
		ID: id, GroupID: groupID, Name: spec.Name, Description: spec.Description, Visibility: spec.Visibility,
		RequestConfig: model.RequestConfig{RequestHttpMethod: spec.Method, RequestPath: spec.Path},
		ServiceConfig: model.ServiceConfig{ServiceProtocol: "HTTP", ServiceHttpMethod: strings.ToUpper(spec.Method),
			ServiceAddress: "http://127.0.0.1", ServicePath: spec.Path, ServiceTimeout: 10000},
	}
}

// SeedDeployment deploys an API to stage (RELEASE, PRE or TEST) directly (no HTTP).
func (s *Server) SeedDeployment(accountID, region, apiID, stage string) error {
	if err := checkSeedTarget(accountID, region); err != nil {
		return err
	}
	err := s.backend.Region(accountID, s.regionOr(region)).Deploy(
		model.DeployRequest{APIID: apiID, Stage: stage, Description: "seeded"}, s.cfg.now())
	if err != nil {
		return wireError(err)
	}
	return nil
}

func checkSeedTarget(accountID, region string) error {
	if accountID == "" {
		return errors.New("emulator: account id is empty")
	}
	if region != "" && !model.ValidRegion(region) {
		return errors.New("emulator: invalid region id " + region)
	}
	return nil
}

func (s *Server) regionOr(region string) string {
	if region == "" {
		return s.cfg.region
	}
	return region
}

// SeedApp creates an app directly (no HTTP) and returns its id, with CreateApp's validation.
func (s *Server) SeedApp(accountID, region, name string) (appID int64, err error) {
	if err := checkSeedTarget(accountID, region); err != nil {
		return 0, err
	}
	a, err := s.backend.Region(accountID, s.regionOr(region)).CreateApp(model.CreateAppRequest{Name: name}, s.cfg.now())
	if err != nil {
		return 0, wireError(err)
	}
	return a.ID, nil
}

// RemoveApp deletes an app directly (no HTTP), and with it its authorizations, as DeleteApp does.
func (s *Server) RemoveApp(accountID, region string, appID int64) error {
	if err := checkSeedTarget(accountID, region); err != nil {
		return err
	}
	if err := s.backend.Region(accountID, s.regionOr(region)).DeleteApp(appID); err != nil {
		return wireError(err)
	}
	return nil
}

// ProductGrants returns the apps authorized on a product now (expired authorizations left out), in
// grant order, and whether the product exists.
func (s *Server) ProductGrants(accountID, region, productID string) (grants []Grant, exists bool) {
	r := s.backend.Lookup(accountID, s.regionOr(region))
	out, _, err := r.ProductApps(productID, "", s.cfg.now(), model.Page{Number: 1, Size: 1 << 30})
	if err != nil {
		return nil, false
	}
	for _, g := range out {
		grants = append(grants, Grant{AppID: g.App.ID, AppName: g.App.Name, AuthValidTime: g.Authorization.ValidUntil, Description: g.Authorization.Description})
	}
	return grants, true
}

// Grant is an app's authorization on a product, as ProductGrants reports it.
type Grant struct {
	AppID         int64
	AppName       string
	AuthValidTime string
	Description   string
}
