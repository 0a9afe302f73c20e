package model

import (
	"fmt"
	"maps"
	"slices"
	"time"
)

// TimeLayout is how times look in answers and snapshots (UTC, whole seconds).
const TimeLayout = "2006-01-02T15:04:05Z"

// ValidRegion accepts region ids like cn-hangzhou or ap-southeast-1: lowercase letters, digits and
// dashes, as region ids end up in responses and map keys.
func ValidRegion(r string) bool {
	return identifier(r, 64, func(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' })
}

// Snapshot is the persistent form of a Backend, as the emulator's state file stores it (field
// names are the file's).
type Snapshot struct {
	Seq uint64 `json:"seq"`
	// LastAppID keeps app ids from being reused after a restart, even of apps deleted since.
	// Absent in snapshots written before apps existed.
	LastAppID int64        `json:"lastAppId,omitempty"`
	State     []SnapRegion `json:"state"`
}

// SnapRegion is one account's state in one region.
type SnapRegion struct {
	Account  string        `json:"account"`
	Region   string        `json:"region"`
	Groups   []SnapGroup   `json:"groups"`
	APIs     []SnapAPI     `json:"apis"`
	Products []SnapProduct `json:"products"`
	Apps     []SnapApp     `json:"apps,omitempty"`
}

// SnapGroup is a group in a snapshot: the Group itself (its json tags are the file's names).
type SnapGroup = Group

// SnapAPI is an API in a snapshot.
type SnapAPI struct {
	ID            string           `json:"id"`
	GroupID       string           `json:"groupId"`
	Name          string           `json:"name"`
	Description   string           `json:"description,omitempty"`
	Visibility    string           `json:"visibility"`
	AuthType      string           `json:"authType,omitempty"`
	RequestConfig RequestConfig    `json:"requestConfig"`
	ServiceConfig ServiceConfig    `json:"serviceConfig"`
	ResultType    string           `json:"resultType,omitempty"`
	ResultSample  string           `json:"resultSample,omitempty"`
	Created       time.Time        `json:"created"`
	Modified      time.Time        `json:"modified"`
	Seq           uint64           `json:"seq"`
	Stages        []SnapDeployment `json:"stages,omitempty"`
}

// SnapDeployment is a deployed stage in a snapshot.
type SnapDeployment struct {
	Stage string `json:"stage"`
	Deployment
}

// SnapProduct is a product in a snapshot.
type SnapProduct struct {
	ID          string           `json:"id"`
	Created     time.Time        `json:"created"`
	Attachments []SnapAttachment `json:"attachments"`
}

// SnapAttachment is an attachment in a snapshot.
type SnapAttachment struct {
	APIID    string    `json:"apiId"`
	Stage    string    `json:"stage"`
	Attached time.Time `json:"attached"`
}

// SnapApp is an app in a snapshot: the App and its authorizations.
type SnapApp struct {
	App
	Authorizations []SnapAuthorization `json:"authorizations,omitempty"`
}

// SnapAuthorization is an authorization in a snapshot: the Authorization itself.
type SnapAuthorization = Authorization

// Snapshot encodes every non-empty region in a deterministic order (by account, region, then
// creation), so diffs of a state file stay readable. Each region is read under its own lock.
func (b *Backend) Snapshot() Snapshot {
	s := Snapshot{Seq: b.ids.seq.Load(), LastAppID: b.ids.lastAppID.Load(), State: []SnapRegion{}}
	for _, r := range b.sortedRegions() {
		if sr, ok := r.snapshot(); ok {
			s.State = append(s.State, sr)
		}
	}
	return s
}

func (r *Region) snapshot() (SnapRegion, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if len(r.groups)+len(r.apis)+len(r.products)+len(r.apps) == 0 {
		return SnapRegion{}, false
	}
	sr := SnapRegion{Account: r.account, Region: r.name, Groups: []SnapGroup{}, APIs: []SnapAPI{}, Products: []SnapProduct{}}
	for _, g := range bySeq(r.groups, func(g *group) uint64 { return g.Seq }) {
		sr.Groups = append(sr.Groups, *g)
	}
	for _, a := range bySeq(r.apis, func(a *api) uint64 { return a.Seq }) {
		sa := SnapAPI{ID: a.ID, GroupID: a.GroupID, Name: a.Name, Description: a.Description, Visibility: a.Visibility,
			AuthType: a.AuthType, RequestConfig: a.RequestConfig, ServiceConfig: a.ServiceConfig,
			ResultType: a.ResultType, ResultSample: a.ResultSample, Created: a.Created, Modified: a.Modified, Seq: a.Seq}
		for _, stage := range StageNames {
			if d, ok := a.Stages[stage]; ok {
				sa.Stages = append(sa.Stages, SnapDeployment{Stage: stage, Deployment: d})
			}
		}
		sr.APIs = append(sr.APIs, sa)
	}
	for _, id := range slices.Sorted(maps.Keys(r.products)) {
		p := r.products[id]
		sp := SnapProduct{ID: p.ID, Created: p.Created, Attachments: make([]SnapAttachment, 0, len(p.atts))}
		for _, at := range p.atts {
			sp.Attachments = append(sp.Attachments, SnapAttachment{APIID: at.APIID, Stage: at.Stage, Attached: at.Attached})
		}
		sr.Products = append(sr.Products, sp)
	}
	for _, a := range bySeq(r.apps, func(a *app) uint64 { return a.Seq }) {
		sa := SnapApp{App: a.App}
		for _, au := range bySeq(a.auths, func(au *Authorization) uint64 { return au.Seq }) {
			sa.Authorizations = append(sa.Authorizations, *au)
		}
		sr.Apps = append(sr.Apps, sa)
	}
	return sr, true
}

// Restore builds a Backend from a snapshot. It checks everything first, so a snapshot that does not
// make sense is an error and no half-loaded Backend exists.
func Restore(s Snapshot, onChange func()) (*Backend, error) {
	if s.LastAppID < 0 {
		return nil, fmt.Errorf("state snapshot: lastAppId %d is negative", s.LastAppID)
	}
	b := NewBackend(onChange)
	seq, lastAppID := s.Seq, s.LastAppID
	// The model hands out app ids unique per account across all its regions; a snapshot that breaks
	// this was not written by it.
	appIDs := make(map[string]map[int64]bool)
	for _, sr := range s.State {
		if sr.Account == "" || !ValidRegion(sr.Region) {
			return nil, fmt.Errorf("state snapshot: entry with account %q region %q is invalid", sr.Account, sr.Region)
		}
		k := regionKey{sr.Account, sr.Region}
		if b.regions[k] != nil {
			return nil, fmt.Errorf("state snapshot: account %q region %q appears twice", sr.Account, sr.Region)
		}
		r := newRegion(b, sr.Account, sr.Region)
		b.regions[k] = r
		where := fmt.Sprintf("account %q region %q", sr.Account, sr.Region)
		for _, g := range sr.Groups {
			if g.ID == "" || r.groups[g.ID] != nil {
				return nil, fmt.Errorf("state snapshot: %s: group id %q is empty or duplicated", where, g.ID)
			}
			r.groups[g.ID] = &g
			seq = max(seq, g.Seq)
		}
		for _, a := range sr.APIs {
			if a.ID == "" || r.apis[a.ID] != nil {
				return nil, fmt.Errorf("state snapshot: %s: API id %q is empty or duplicated", where, a.ID)
			}
			if r.groups[a.GroupID] == nil {
				return nil, fmt.Errorf("state snapshot: %s: API %q belongs to unknown group %q", where, a.ID, a.GroupID)
			}
			x := &api{ID: a.ID, GroupID: a.GroupID, Name: a.Name, Description: a.Description, Visibility: a.Visibility,
				AuthType: a.AuthType, Method: a.RequestConfig.RequestHttpMethod, Path: a.RequestConfig.RequestPath,
				RequestConfig: a.RequestConfig, ServiceConfig: a.ServiceConfig, ResultType: a.ResultType,
				ResultSample: a.ResultSample, Created: a.Created, Modified: a.Modified, Seq: a.Seq,
				Stages: make(map[string]Deployment)}
			for _, d := range a.Stages {
				if !ValidStage(d.Stage) {
					return nil, fmt.Errorf("state snapshot: %s: API %q has invalid stage %q", where, a.ID, d.Stage)
				}
				x.Stages[d.Stage] = d.Deployment
			}
			r.apis[a.ID] = x
			seq = max(seq, a.Seq)
		}
		for _, p := range sr.Products {
			if !ValidProductID(p.ID) || r.products[p.ID] != nil {
				return nil, fmt.Errorf("state snapshot: %s: product id %q is invalid or duplicated", where, p.ID)
			}
			np := newProduct(p.ID, p.Created)
			for _, at := range p.Attachments {
				if !ValidStage(at.Stage) || r.apis[at.APIID] == nil {
					return nil, fmt.Errorf("state snapshot: %s: product %q has an attachment to unknown API %q or invalid stage %q",
						where, p.ID, at.APIID, at.Stage)
				}
				np.add(Attachment{APIID: at.APIID, Stage: at.Stage, Attached: at.Attached})
			}
			r.products[p.ID] = np
		}
		if appIDs[sr.Account] == nil {
			appIDs[sr.Account] = make(map[int64]bool)
		}
		for _, a := range sr.Apps {
			if a.ID <= 0 || appIDs[sr.Account][a.ID] {
				return nil, fmt.Errorf("state snapshot: %s: app id %d is not positive or is duplicated", where, a.ID)
			}
			if !appNamePattern.MatchString(a.Name) {
				return nil, fmt.Errorf("state snapshot: %s: app %d has invalid name %q", where, a.ID, a.Name)
			}
			appIDs[sr.Account][a.ID] = true
			na := &app{App: a.App, auths: make(map[string]*Authorization)}
			for _, au := range a.Authorizations {
				if r.products[au.ProductID] == nil || na.auths[au.ProductID] != nil {
					return nil, fmt.Errorf("state snapshot: %s: app %d has an authorization on unknown or repeated product %q",
						where, a.ID, au.ProductID)
				}
				if au.ValidUntil != "" {
					if _, err := time.Parse(TimeLayout, au.ValidUntil); err != nil {
						return nil, fmt.Errorf("state snapshot: %s: app %d product %q: invalid authValidTime %q",
							where, a.ID, au.ProductID, au.ValidUntil)
					}
				}
				na.auths[au.ProductID] = &au
				seq = max(seq, au.Seq)
			}
			r.apps[a.ID] = na
			seq = max(seq, a.Seq)
			lastAppID = max(lastAppID, a.ID)
		}
	}
	b.ids.seq.Store(seq)
	b.ids.lastAppID.Store(lastAppID)
	return b, nil
}
