package emulator

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"time"
)

// Stage names accepted by DeployApi, AbolishApi and the Apis.N.StageName of product operations.
var stageNames = [...]string{"RELEASE", "PRE", "TEST"}

func validStage(s string) bool {
	return s == "RELEASE" || s == "PRE" || s == "TEST"
}

// regionState is everything one account owns in one region. The server's mutex guards it.
type regionState struct {
	groups   map[string]*group
	apis     map[string]*api
	products map[string]*product
	apps     map[int64]*app
}

type group struct {
	ID          string
	Name        string
	Description string
	BasePath    string
	Created     time.Time
	Seq         uint64 // creation order, for stable listings
}

type api struct {
	ID            string
	GroupID       string
	Name          string
	Description   string
	Visibility    string
	AuthType      string
	Method        string // RequestConfig.RequestHttpMethod
	Path          string // RequestConfig.RequestPath
	RequestConfig requestConfig
	ServiceConfig serviceConfig
	ResultType    string
	ResultSample  string
	Created       time.Time
	Modified      time.Time
	Seq           uint64
	Stages        map[string]*deployment // by stage name
}

type deployment struct {
	Version     string
	Description string
	Deployed    time.Time
}

// requestConfig is the part of CreateApi's RequestConfig JSON the emulator keeps and returns.
type requestConfig struct {
	RequestProtocol     string `json:"RequestProtocol"`
	RequestHttpMethod   string `json:"RequestHttpMethod"`
	RequestPath         string `json:"RequestPath"`
	RequestMode         string `json:"RequestMode"`
	BodyFormat          string `json:"BodyFormat"`
	BodyModel           string `json:"BodyModel"`
	PostBodyDescription string `json:"PostBodyDescription"`
}

// serviceConfig is the part of CreateApi's ServiceConfig JSON the emulator keeps and returns.
// ServiceTimeout is a number because the typed SDK decodes it into an int32.
type serviceConfig struct {
	ServiceProtocol   string `json:"ServiceProtocol"`
	ServiceHttpMethod string `json:"ServiceHttpMethod"`
	ServiceAddress    string `json:"ServiceAddress"`
	ServicePath       string `json:"ServicePath"`
	ServiceTimeout    int32  `json:"ServiceTimeout"`
	Mock              string `json:"Mock"`
	MockResult        string `json:"MockResult"`
	ServiceVpcEnable  string `json:"ServiceVpcEnable"`
}

// product keeps attachments in attach order; index finds a pair without scanning.
type product struct {
	ID      string
	Created time.Time
	atts    []attachment
	index   map[attKey]struct{}
}

type attKey struct{ APIID, Stage string }

type attachment struct {
	APIID    string
	Stage    string
	Attached time.Time
}

func newProduct(id string, now time.Time) *product {
	return &product{ID: id, Created: now, index: make(map[attKey]struct{})}
}

func (p *product) has(k attKey) bool { _, ok := p.index[k]; return ok }

func (p *product) add(a attachment) {
	k := attKey{a.APIID, a.Stage}
	if p.has(k) {
		return
	}
	p.index[k] = struct{}{}
	p.atts = append(p.atts, a)
}

// removeWhere drops every attachment matching drop, keeping the order of the rest. One pass, so a
// detach of many pairs costs O(attachments), not O(attachments × pairs).
func (p *product) removeWhere(drop func(attachment) bool) int {
	kept := p.atts[:0]
	n := 0
	for _, a := range p.atts {
		if drop(a) {
			delete(p.index, attKey{a.APIID, a.Stage})
			n++
			continue
		}
		kept = append(kept, a)
	}
	clear(p.atts[len(kept):])
	p.atts = kept
	return n
}

// app is an application (CreateApp) and the API products it is authorized on, keyed by product id.
type app struct {
	ID          int64
	Name        string
	Description string
	Extend      string
	Created     time.Time
	Seq         uint64
	auths       map[string]*authorization
}

// authorization is one SetApiProductsAuthorities grant. ValidUntil is the AuthValidTime as
// answered (UTC, timeLayout); "" means it never expires.
type authorization struct {
	ProductID   string
	ValidUntil  string
	Description string
	Authorized  time.Time
	Seq         uint64 // grant order, for stable listings
}

func newApp(id int64, name, description, extend string, created time.Time, seq uint64) *app {
	return &app{ID: id, Name: name, Description: description, Extend: extend, Created: created, Seq: seq,
		auths: make(map[string]*authorization)}
}

// sortedAuths returns the app's authorizations in grant order.
func (a *app) sortedAuths() []*authorization {
	out := make([]*authorization, 0, len(a.auths))
	for _, au := range a.auths {
		out = append(out, au)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out
}

// sortedApps returns the region's apps in creation order.
func (rs *regionState) sortedApps() []*app {
	out := make([]*app, 0, len(rs.apps))
	for _, a := range rs.apps {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out
}

// appIDBase is where app ids start: real AppIds are positive integers of nine or more digits
// (Alibaba's examples show 110962435), and clients store them as int64.
const appIDBase int64 = 110000000

// store is all tenants' state: account → region → resources. seq orders creations globally.
// lastAppID is the last app id handed out; one counter for every account keeps app ids unique
// per account (and globally) without a search.
type store struct {
	accounts  map[string]map[string]*regionState
	seq       uint64
	lastAppID int64
}

func newStore() *store { return &store{accounts: make(map[string]map[string]*regionState)} }

// region returns the state of (account, region), creating it when create is set; nil otherwise.
func (st *store) region(accountID, region string, create bool) *regionState {
	regions := st.accounts[accountID]
	if regions == nil {
		if !create {
			return nil
		}
		regions = make(map[string]*regionState)
		st.accounts[accountID] = regions
	}
	rs := regions[region]
	if rs == nil && create {
		rs = &regionState{
			groups:   make(map[string]*group),
			apis:     make(map[string]*api),
			products: make(map[string]*product),
			apps:     make(map[int64]*app),
		}
		regions[region] = rs
	}
	return rs
}

func (st *store) nextSeq() uint64 { st.seq++; return st.seq }

func (st *store) nextAppID() int64 {
	st.lastAppID = max(st.lastAppID, appIDBase) + 1
	return st.lastAppID
}

// empty reports whether no account holds any group, API, product or app.
func (st *store) empty() bool {
	for _, regions := range st.accounts {
		for _, rs := range regions {
			if len(rs.groups)+len(rs.apis)+len(rs.products)+len(rs.apps) > 0 {
				return false
			}
		}
	}
	return true
}

// newID returns 32 lowercase hex characters, the shape of real group and API ids.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b[:])
}

// sortedAPIs returns the region's APIs in creation order.
func (rs *regionState) sortedAPIs() []*api {
	out := make([]*api, 0, len(rs.apis))
	for _, a := range rs.apis {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out
}

func (rs *regionState) sortedGroups() []*group {
	out := make([]*group, 0, len(rs.groups))
	for _, g := range rs.groups {
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out
}

// ---- persistence ----

// snapshotVersion is bumped on incompatible changes of the snapshot layout; restore refuses others.
const snapshotVersion = 1

type snapshotDoc struct {
	Version int `json:"version"`
	// Accounts registered at run time (seed files). Option accounts are not stored: they come from
	// the options on every start, and a changed secret there must win.
	Accounts []snapAccount `json:"accounts,omitempty"`
	Seq      uint64        `json:"seq"`
	// LastAppID keeps app ids from being reused after a restart, even of apps deleted since.
	// Absent in snapshots written before apps existed; the field is optional, so the version stays.
	LastAppID int64        `json:"lastAppId,omitempty"`
	State     []snapRegion `json:"state"`
}

type snapAccount struct {
	ID              string `json:"id"`
	AccessKeyID     string `json:"accessKeyId"`
	AccessKeySecret string `json:"accessKeySecret"`
}

type snapRegion struct {
	Account  string        `json:"account"`
	Region   string        `json:"region"`
	Groups   []snapGroup   `json:"groups"`
	APIs     []snapAPI     `json:"apis"`
	Products []snapProduct `json:"products"`
	Apps     []snapApp     `json:"apps,omitempty"`
}

type snapGroup struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	BasePath    string    `json:"basePath,omitempty"`
	Created     time.Time `json:"created"`
	Seq         uint64    `json:"seq"`
}

type snapAPI struct {
	ID            string           `json:"id"`
	GroupID       string           `json:"groupId"`
	Name          string           `json:"name"`
	Description   string           `json:"description,omitempty"`
	Visibility    string           `json:"visibility"`
	AuthType      string           `json:"authType,omitempty"`
	RequestConfig requestConfig    `json:"requestConfig"`
	ServiceConfig serviceConfig    `json:"serviceConfig"`
	ResultType    string           `json:"resultType,omitempty"`
	ResultSample  string           `json:"resultSample,omitempty"`
	Created       time.Time        `json:"created"`
	Modified      time.Time        `json:"modified"`
	Seq           uint64           `json:"seq"`
	Stages        []snapDeployment `json:"stages,omitempty"`
}

type snapDeployment struct {
	Stage       string    `json:"stage"`
	Version     string    `json:"version"`
	Description string    `json:"description,omitempty"`
	Deployed    time.Time `json:"deployed"`
}

type snapProduct struct {
	ID          string           `json:"id"`
	Created     time.Time        `json:"created"`
	Attachments []snapAttachment `json:"attachments"`
}

type snapAttachment struct {
	APIID    string    `json:"apiId"`
	Stage    string    `json:"stage"`
	Attached time.Time `json:"attached"`
}

type snapApp struct {
	ID             int64               `json:"id"`
	Name           string              `json:"name"`
	Description    string              `json:"description,omitempty"`
	Extend         string              `json:"extend,omitempty"`
	Created        time.Time           `json:"created"`
	Seq            uint64              `json:"seq"`
	Authorizations []snapAuthorization `json:"authorizations,omitempty"`
}

type snapAuthorization struct {
	ProductID     string    `json:"productId"`
	AuthValidTime string    `json:"authValidTime,omitempty"`
	Description   string    `json:"description,omitempty"`
	Authorized    time.Time `json:"authorized"`
	Seq           uint64    `json:"seq"`
}

// snapshot encodes every account's state (and run-time accounts) as JSON with a version field. It
// is what the state file stores; deterministic order keeps diffs of the file readable.
func (s *Server) snapshot() ([]byte, error) {
	doc := snapshotDoc{Version: snapshotVersion}
	s.keysMu.RLock()
	for _, a := range s.runtimeAccounts {
		doc.Accounts = append(doc.Accounts, snapAccount{ID: a.ID, AccessKeyID: a.AccessKeyID, AccessKeySecret: a.AccessKeySecret})
	}
	s.keysMu.RUnlock()

	s.mu.RLock()
	doc.Seq = s.st.seq
	doc.LastAppID = s.st.lastAppID
	accountIDs := make([]string, 0, len(s.st.accounts))
	for id := range s.st.accounts {
		accountIDs = append(accountIDs, id)
	}
	sort.Strings(accountIDs)
	for _, acc := range accountIDs {
		regions := s.st.accounts[acc]
		names := make([]string, 0, len(regions))
		for r := range regions {
			names = append(names, r)
		}
		sort.Strings(names)
		for _, r := range names {
			rs := regions[r]
			sr := snapRegion{Account: acc, Region: r, Groups: []snapGroup{}, APIs: []snapAPI{}, Products: []snapProduct{}}
			for _, g := range rs.sortedGroups() {
				sr.Groups = append(sr.Groups, snapGroup{ID: g.ID, Name: g.Name, Description: g.Description, BasePath: g.BasePath, Created: g.Created, Seq: g.Seq})
			}
			for _, a := range rs.sortedAPIs() {
				sa := snapAPI{ID: a.ID, GroupID: a.GroupID, Name: a.Name, Description: a.Description, Visibility: a.Visibility,
					AuthType: a.AuthType, RequestConfig: a.RequestConfig, ServiceConfig: a.ServiceConfig,
					ResultType: a.ResultType, ResultSample: a.ResultSample, Created: a.Created, Modified: a.Modified, Seq: a.Seq}
				for _, stage := range stageNames {
					if d := a.Stages[stage]; d != nil {
						sa.Stages = append(sa.Stages, snapDeployment{Stage: stage, Version: d.Version, Description: d.Description, Deployed: d.Deployed})
					}
				}
				sr.APIs = append(sr.APIs, sa)
			}
			pids := make([]string, 0, len(rs.products))
			for id := range rs.products {
				pids = append(pids, id)
			}
			sort.Strings(pids)
			for _, id := range pids {
				p := rs.products[id]
				sp := snapProduct{ID: p.ID, Created: p.Created, Attachments: make([]snapAttachment, 0, len(p.atts))}
				for _, at := range p.atts {
					sp.Attachments = append(sp.Attachments, snapAttachment{APIID: at.APIID, Stage: at.Stage, Attached: at.Attached})
				}
				sr.Products = append(sr.Products, sp)
			}
			for _, a := range rs.sortedApps() {
				sa := snapApp{ID: a.ID, Name: a.Name, Description: a.Description, Extend: a.Extend, Created: a.Created, Seq: a.Seq}
				for _, au := range a.sortedAuths() {
					sa.Authorizations = append(sa.Authorizations, snapAuthorization{ProductID: au.ProductID,
						AuthValidTime: au.ValidUntil, Description: au.Description, Authorized: au.Authorized, Seq: au.Seq})
				}
				sr.Apps = append(sr.Apps, sa)
			}
			doc.State = append(doc.State, sr)
		}
	}
	s.mu.RUnlock()
	return json.MarshalIndent(doc, "", " ")
}

// restore replaces all state with a snapshot. It validates everything before touching the server,
// so a snapshot that does not make sense is an error and leaves the server empty rather than half
// loaded. Run-time accounts in the snapshot are registered unless their access key is already
// configured (options win).
func (s *Server) restore(data []byte) error {
	var doc snapshotDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("state snapshot: %w", err)
	}
	if doc.Version != snapshotVersion {
		return fmt.Errorf("state snapshot: unsupported version %d (this emulator reads version %d)", doc.Version, snapshotVersion)
	}
	st := newStore()
	st.seq = doc.Seq
	st.lastAppID = doc.LastAppID
	if doc.LastAppID < 0 {
		return fmt.Errorf("state snapshot: lastAppId %d is negative", doc.LastAppID)
	}
	// The emulator hands out app ids unique per account across all its regions; a snapshot that
	// breaks this was not written by it.
	appIDs := make(map[string]map[int64]bool)
	for _, a := range doc.Accounts {
		if err := validateAccount(Account(a)); err != nil {
			return fmt.Errorf("state snapshot: %w", err)
		}
	}
	for _, sr := range doc.State {
		if sr.Account == "" || !validRegion(sr.Region) {
			return fmt.Errorf("state snapshot: entry with account %q region %q is invalid", sr.Account, sr.Region)
		}
		if st.region(sr.Account, sr.Region, false) != nil {
			return fmt.Errorf("state snapshot: account %q region %q appears twice", sr.Account, sr.Region)
		}
		rs := st.region(sr.Account, sr.Region, true)
		where := fmt.Sprintf("account %q region %q", sr.Account, sr.Region)
		for _, g := range sr.Groups {
			if g.ID == "" || rs.groups[g.ID] != nil {
				return fmt.Errorf("state snapshot: %s: group id %q is empty or duplicated", where, g.ID)
			}
			rs.groups[g.ID] = &group{ID: g.ID, Name: g.Name, Description: g.Description, BasePath: g.BasePath, Created: g.Created, Seq: g.Seq}
			st.seq = max(st.seq, g.Seq)
		}
		for _, a := range sr.APIs {
			if a.ID == "" || rs.apis[a.ID] != nil {
				return fmt.Errorf("state snapshot: %s: API id %q is empty or duplicated", where, a.ID)
			}
			if rs.groups[a.GroupID] == nil {
				return fmt.Errorf("state snapshot: %s: API %q belongs to unknown group %q", where, a.ID, a.GroupID)
			}
			x := &api{ID: a.ID, GroupID: a.GroupID, Name: a.Name, Description: a.Description, Visibility: a.Visibility,
				AuthType: a.AuthType, Method: a.RequestConfig.RequestHttpMethod, Path: a.RequestConfig.RequestPath,
				RequestConfig: a.RequestConfig, ServiceConfig: a.ServiceConfig, ResultType: a.ResultType,
				ResultSample: a.ResultSample, Created: a.Created, Modified: a.Modified, Seq: a.Seq,
				Stages: make(map[string]*deployment)}
			for _, d := range a.Stages {
				if !validStage(d.Stage) {
					return fmt.Errorf("state snapshot: %s: API %q has invalid stage %q", where, a.ID, d.Stage)
				}
				x.Stages[d.Stage] = &deployment{Version: d.Version, Description: d.Description, Deployed: d.Deployed}
			}
			rs.apis[a.ID] = x
			st.seq = max(st.seq, a.Seq)
		}
		for _, p := range sr.Products {
			if !validProductID(p.ID) || rs.products[p.ID] != nil {
				return fmt.Errorf("state snapshot: %s: product id %q is invalid or duplicated", where, p.ID)
			}
			np := newProduct(p.ID, p.Created)
			for _, at := range p.Attachments {
				if !validStage(at.Stage) || rs.apis[at.APIID] == nil {
					return fmt.Errorf("state snapshot: %s: product %q has an attachment to unknown API %q or invalid stage %q",
						where, p.ID, at.APIID, at.Stage)
				}
				np.add(attachment{APIID: at.APIID, Stage: at.Stage, Attached: at.Attached})
			}
			rs.products[p.ID] = np
		}
		if appIDs[sr.Account] == nil {
			appIDs[sr.Account] = make(map[int64]bool)
		}
		for _, a := range sr.Apps {
			if a.ID <= 0 || appIDs[sr.Account][a.ID] {
				return fmt.Errorf("state snapshot: %s: app id %d is not positive or is duplicated", where, a.ID)
			}
			if !appNamePattern.MatchString(a.Name) {
				return fmt.Errorf("state snapshot: %s: app %d has invalid name %q", where, a.ID, a.Name)
			}
			appIDs[sr.Account][a.ID] = true
			na := newApp(a.ID, a.Name, a.Description, a.Extend, a.Created, a.Seq)
			for _, au := range a.Authorizations {
				if rs.products[au.ProductID] == nil || na.auths[au.ProductID] != nil {
					return fmt.Errorf("state snapshot: %s: app %d has an authorization on unknown or repeated product %q",
						where, a.ID, au.ProductID)
				}
				if au.AuthValidTime != "" {
					if _, err := time.Parse(timeLayout, au.AuthValidTime); err != nil {
						return fmt.Errorf("state snapshot: %s: app %d product %q: invalid authValidTime %q",
							where, a.ID, au.ProductID, au.AuthValidTime)
					}
				}
				na.auths[au.ProductID] = &authorization{ProductID: au.ProductID, ValidUntil: au.AuthValidTime,
					Description: au.Description, Authorized: au.Authorized, Seq: au.Seq}
				st.seq = max(st.seq, au.Seq)
			}
			rs.apps[a.ID] = na
			st.seq = max(st.seq, a.Seq)
			st.lastAppID = max(st.lastAppID, a.ID)
		}
	}

	for _, a := range doc.Accounts {
		s.addAccountIfAbsent(Account(a))
	}
	s.mu.Lock()
	s.st = st
	s.mu.Unlock()
	return nil
}
