package model

import (
	"slices"
	"sort"
	"strconv"
	"time"
)

// ProductIDRule describes the product ids the model accepts, for error messages.
const ProductIDRule = "1 to 64 letters, digits, '_' or '-'"

// ValidProductID: products are named by the caller (AttachApiProduct creates them), so the id is
// checked for shape only: 1-64 letters, digits, '_' or '-'. Real ids are 32 hex characters.
func ValidProductID(id string) bool {
	return identifier(id, 64, func(c byte) bool {
		return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
	})
}

func checkProductID(id string) error {
	if id == "" {
		return missing("ApiProductId")
	}
	if !ValidProductID(id) {
		return invalid("ApiProductId", ProductIDRule)
	}
	return nil
}

// AttachmentKey is one (API, stage) pair of a product.
type AttachmentKey struct{ APIID, Stage string }

// Attachment is an attached pair and when it was attached.
type Attachment struct {
	APIID    string
	Stage    string
	Attached time.Time
	// Detached is set on the pairs a product keeps listing for Behaviour.DetachVisibilityDelay.
	Detached time.Time
}

// product keeps attachments in attach order; index finds a pair without scanning.
type product struct {
	ID      string
	Created time.Time
	atts    []Attachment
	index   map[AttachmentKey]struct{}
	// ghosts are detached pairs still listed (Behaviour.DetachVisibilityDelay), oldest first.
	ghosts []Attachment
}

func newProduct(id string, now time.Time) *product {
	return &product{ID: id, Created: now, index: make(map[AttachmentKey]struct{})}
}

func (p *product) has(k AttachmentKey) bool { _, ok := p.index[k]; return ok }

func (p *product) add(a Attachment) {
	k := AttachmentKey{a.APIID, a.Stage}
	if p.has(k) {
		return
	}
	p.index[k] = struct{}{}
	p.atts = append(p.atts, a)
	p.ghosts = slices.DeleteFunc(p.ghosts, func(g Attachment) bool { return g.APIID == a.APIID && g.Stage == a.Stage })
}

// ghost keeps a detached pair listed until delay has passed since now, dropping expired ghosts.
func (p *product) ghost(a Attachment, now time.Time, delay time.Duration) {
	p.ghosts = slices.DeleteFunc(p.ghosts, func(g Attachment) bool { return now.Sub(g.Detached) >= delay })
	a.Detached = now
	p.ghosts = append(p.ghosts, a)
}

// removeWhere drops every attachment matching drop, keeping the order of the rest. One pass, so a
// detach of many pairs costs O(attachments), not O(attachments × pairs).
func (p *product) removeWhere(drop func(Attachment) bool) int {
	kept := p.atts[:0]
	n := 0
	for _, a := range p.atts {
		if drop(a) {
			delete(p.index, AttachmentKey{a.APIID, a.Stage})
			n++
			continue
		}
		kept = append(kept, a)
	}
	clear(p.atts[len(kept):])
	p.atts = kept
	return n
}

// checkItems validates the product id and the stages of Apis.N items and drops repeated pairs,
// keeping the first occurrence's position.
func checkItems(productID string, items []AttachmentKey) ([]AttachmentKey, error) {
	if err := checkProductID(productID); err != nil {
		return nil, err
	}
	out := make([]AttachmentKey, 0, len(items))
	seen := make(map[AttachmentKey]bool, len(items))
	for i, k := range items {
		if err := checkStage("Apis."+strconv.Itoa(i+1)+".StageName", k.Stage); err != nil {
			return nil, err
		}
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out, nil
}

// Attach validates every pair before changing anything (all or nothing): every API must be an API
// of the caller in this region, every stage RELEASE, PRE or TEST. The product is created when
// missing; attached pairs stay where they are (re-attaching is a no-op). An API need not be
// deployed to the stage it is attached with.
func (r *Region) Attach(productID string, items []AttachmentKey, now time.Time) (err error) {
	items, err = checkItems(productID, items)
	if err != nil {
		return err
	}
	return r.lockedWrite(func() error {
		for _, it := range items {
			if r.apis[it.APIID] == nil {
				return &NotFoundError{Resource: ResourceAPI, ID: it.APIID}
			}
		}
		p := r.products[productID]
		if p != nil && r.b.behaviour.RefuseDuplicateAttach {
			for _, it := range items {
				if p.has(it) {
					return &AlreadyAttachedError{ProductID: productID, Pair: it}
				}
			}
		}
		changed := p == nil
		if p == nil {
			p = newProduct(productID, now)
			r.products[productID] = p
		}
		for _, it := range items {
			if !p.has(it) {
				p.add(Attachment{APIID: it.APIID, Stage: it.Stage, Attached: now})
				changed = true
			}
		}
		if changed {
			r.b.changed()
		}
		return nil
	}, productID)
}

// lookupProduct finds a product. Caller holds r.mu.
func (r *Region) lookupProduct(id string) (*product, error) {
	if p := r.products[id]; p != nil {
		return p, nil
	}
	return nil, &NotFoundError{Resource: ResourceProduct, ID: id}
}

// Detach removes the pairs that are attached and ignores the others (Behaviour.RefuseDetachUnattached:
// refuses them); the product stays even when emptied (only DeleteProduct removes it). An unknown
// product is not found (Behaviour.UnknownProduct: or an empty product). Pairs detached at now stay
// listed for Behaviour.DetachVisibilityDelay.
func (r *Region) Detach(productID string, items []AttachmentKey, now time.Time) (err error) {
	items, err = checkItems(productID, items)
	if err != nil {
		return err
	}
	bh := r.b.behaviour
	return r.lockedWrite(func() error {
		p, err := r.lookupProduct(productID)
		if err != nil {
			if bh.UnknownProduct != UnknownProductEmpty {
				return err
			}
			if bh.RefuseDetachUnattached && len(items) > 0 {
				return &NotAttachedError{ProductID: productID, Pair: items[0]}
			}
			return nil
		}
		drop := make(map[AttachmentKey]bool, len(items))
		for _, it := range items {
			if p.has(it) {
				drop[it] = true
			} else if bh.RefuseDetachUnattached {
				return &NotAttachedError{ProductID: productID, Pair: it}
			}
		}
		if len(drop) > 0 && p.removeWhere(func(a Attachment) bool {
			if !drop[AttachmentKey{a.APIID, a.Stage}] {
				return false
			}
			if bh.DetachVisibilityDelay > 0 {
				p.ghost(a, now, bh.DetachVisibilityDelay)
			}
			return true
		}) > 0 {
			r.b.changed()
		}
		return nil
	}, productID)
}

// ProductAPI is one attachment of a product with the API it refers to.
type ProductAPI struct {
	API      API
	Stage    string
	Attached time.Time
}

// ProductAPIs pages through a product's attachments in attach order, as a read replica that lags
// behind would: attachments younger than Behaviour.AttachVisibilityDelay at now are left out (of the
// page and of the total), and pairs detached less than Behaviour.DetachVisibilityDelay ago are still
// in, after the others. An unknown product is not found, or empty (Behaviour.UnknownProduct).
func (r *Region) ProductAPIs(productID string, now time.Time, page Page) ([]ProductAPI, int, error) {
	if err := checkProductID(productID); err != nil {
		return nil, 0, err
	}
	bh := r.b.behaviour
	r.mu.RLock()
	defer r.mu.RUnlock()
	p, err := r.lookupProduct(productID)
	if err != nil {
		if bh.UnknownProduct == UnknownProductEmpty {
			return []ProductAPI{}, 0, nil
		}
		return nil, 0, err
	}
	visible := p.atts
	if bh.AttachVisibilityDelay > 0 || len(p.ghosts) > 0 {
		visible = make([]Attachment, 0, len(p.atts)+len(p.ghosts))
		for _, at := range p.atts {
			if now.Sub(at.Attached) >= bh.AttachVisibilityDelay {
				visible = append(visible, at)
			}
		}
		for _, g := range p.ghosts {
			if now.Sub(g.Detached) < bh.DetachVisibilityDelay && now.Sub(g.Attached) >= bh.AttachVisibilityDelay {
				visible = append(visible, g)
			}
		}
	}
	lo, hi := page.window(len(visible))
	out := make([]ProductAPI, 0, hi-lo)
	for _, at := range visible[lo:hi] {
		a := r.apis[at.APIID]
		if a == nil {
			// A ghost of an API deleted since: the replica would not list it either.
			continue
		}
		out = append(out, ProductAPI{API: r.view(a), Stage: at.Stage, Attached: at.Attached})
	}
	return out, len(visible), nil
}

// Attachments returns every attachment of a product in attach order, visible or not, and whether
// the product exists.
func (r *Region) Attachments(productID string) ([]Attachment, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	p := r.products[productID]
	if p == nil {
		return nil, false
	}
	return append([]Attachment(nil), p.atts...), true
}

// DeleteProduct deletes a product and its attachments. Like Alibaba, it refuses while an app is
// still authorized on the product (an authorization that expired before now does not count).
func (r *Region) DeleteProduct(productID string, now time.Time) (err error) {
	if err := checkProductID(productID); err != nil {
		return err
	}
	return r.lockedWrite(func() error {
		if _, err := r.lookupProduct(productID); err != nil {
			return err
		}
		if apps := r.authorizedApps(productID, now); len(apps) > 0 {
			return &ProductAuthorizedError{ProductID: productID, AppIDs: apps}
		}
		delete(r.products, productID)
		for _, a := range r.apps {
			delete(a.auths, productID) // expired authorizations go with the product
		}
		r.b.changed()
		return nil
	}, productID)
}

// authorizedApps lists, in id order, the apps authorized on a product at now. Caller holds r.mu.
func (r *Region) authorizedApps(productID string, now time.Time) []int64 {
	var ids []int64
	for id, a := range r.apps {
		if a.liveAuth(productID, now) != nil {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}
