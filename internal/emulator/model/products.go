package model

import (
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
}

// product keeps attachments in attach order; index finds a pair without scanning.
type product struct {
	ID      string
	Created time.Time
	atts    []Attachment
	index   map[AttachmentKey]struct{}
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
func (r *Region) Attach(productID string, items []AttachmentKey, now time.Time) error {
	items, err := checkItems(productID, items)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, it := range items {
		if r.apis[it.APIID] == nil {
			return &NotFoundError{Resource: ResourceAPI, ID: it.APIID}
		}
	}
	p := r.products[productID]
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
}

// lookupProduct finds a product. Caller holds r.mu.
func (r *Region) lookupProduct(id string) (*product, error) {
	if p := r.products[id]; p != nil {
		return p, nil
	}
	return nil, &NotFoundError{Resource: ResourceProduct, ID: id}
}

// Detach removes the pairs that are attached and ignores the others; the product stays even when
// emptied (only DeleteProduct removes it). An unknown product is not found.
func (r *Region) Detach(productID string, items []AttachmentKey) error {
	items, err := checkItems(productID, items)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	p, err := r.lookupProduct(productID)
	if err != nil {
		return err
	}
	drop := make(map[AttachmentKey]bool, len(items))
	for _, it := range items {
		if p.has(it) {
			drop[it] = true
		}
	}
	if len(drop) > 0 && p.removeWhere(func(a Attachment) bool { return drop[AttachmentKey{a.APIID, a.Stage}] }) > 0 {
		r.b.changed()
	}
	return nil
}

// ProductAPI is one attachment of a product with the API it refers to.
type ProductAPI struct {
	API      API
	Stage    string
	Attached time.Time
}

// ProductAPIs pages through a product's attachments in attach order. Attachments younger than
// delay at now are left out (of the page and of the total), like a read replica that has not
// caught up.
func (r *Region) ProductAPIs(productID string, now time.Time, delay time.Duration, page Page) ([]ProductAPI, int, error) {
	if err := checkProductID(productID); err != nil {
		return nil, 0, err
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	p, err := r.lookupProduct(productID)
	if err != nil {
		return nil, 0, err
	}
	visible := p.atts
	if delay > 0 {
		visible = make([]Attachment, 0, len(p.atts))
		for _, at := range p.atts {
			if now.Sub(at.Attached) >= delay {
				visible = append(visible, at)
			}
		}
	}
	lo, hi := page.window(len(visible))
	out := make([]ProductAPI, 0, hi-lo)
	for _, at := range visible[lo:hi] {
		out = append(out, ProductAPI{API: r.view(r.apis[at.APIID]), Stage: at.Stage, Attached: at.Attached})
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
func (r *Region) DeleteProduct(productID string, now time.Time) error {
	if err := checkProductID(productID); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
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
