package emulator

import (
	"errors"
	"strings"
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
	s.mu.Lock()
	s.st = newStore()
	s.mu.Unlock()
	s.stats.reset()
	s.persist()
}

// RequestCount reports how many requests had action and outcome. outcome "" matches any outcome,
// "OK" successes, "Drop" dropped connections, anything else that error code. action "" matches any
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
	region = s.regionOr(region)
	s.mu.RLock()
	defer s.mu.RUnlock()
	rs := s.st.region(accountID, region, false)
	if rs == nil || rs.products[productID] == nil {
		return nil, false
	}
	p := rs.products[productID]
	atts = make([]Attachment, 0, len(p.atts))
	for _, a := range p.atts {
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
	g, e := s.createGroup(accountID, s.regionOr(region), groupInput{ID: id, Name: name, Description: description}, s.cfg.now())
	if e != nil {
		return "", e
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
	if spec.Visibility == "" {
		spec.Visibility = "PUBLIC"
	}
	if spec.Method == "" {
		spec.Method = "GET"
	}
	in := apiInput{
		ID: id, GroupID: spec.GroupID, Name: spec.Name, Description: spec.Description, Visibility: spec.Visibility,
		RequestConfig: requestConfig{RequestHttpMethod: spec.Method, RequestPath: spec.Path},
		ServiceConfig: serviceConfig{ServiceProtocol: "HTTP", ServiceHttpMethod: strings.ToUpper(spec.Method),
			ServiceAddress: "http://127.0.0.1", ServicePath: spec.Path, ServiceTimeout: 10000},
	}
	a, e := s.createAPI(accountID, s.regionOr(region), in, s.cfg.now())
	if e != nil {
		return "", e
	}
	return a.ID, nil
}

// SeedDeployment deploys an API to stage (RELEASE, PRE or TEST) directly (no HTTP).
func (s *Server) SeedDeployment(accountID, region, apiID, stage string) error {
	if err := checkSeedTarget(accountID, region); err != nil {
		return err
	}
	if e := s.deploy(accountID, s.regionOr(region), "", apiID, stage, "seeded", s.cfg.now()); e != nil {
		return e
	}
	return nil
}

func checkSeedTarget(accountID, region string) error {
	if accountID == "" {
		return errors.New("emulator: account id is empty")
	}
	if region != "" && !validRegion(region) {
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
