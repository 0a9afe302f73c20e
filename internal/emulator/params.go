package emulator

import (
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator/model"
)

// params reads business parameters (query and form body, protocol parameters removed) with the
// validation rules every operation shares: a required parameter that is absent or empty is
// MissingParameter naming it, a value that does not parse is InvalidParameter naming it.
type params url.Values

func (p params) get(name string) string {
	if vs := p[name]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

func (p params) required(name string) (string, error) {
	v := p.get(name)
	if v == "" {
		return "", errMissingParameter(name)
	}
	return v, nil
}

// intParam parses an optional integer in [lo, hi]; def when absent or empty.
func (p params) intParam(name string, def, lo, hi int) (int, error) {
	v := p.get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, errInvalidParameter(name, "not an integer")
	}
	if n < lo || n > hi {
		return 0, errInvalidParameter(name, "must be between "+strconv.Itoa(lo)+" and "+strconv.Itoa(hi))
	}
	return n, nil
}

// boolParam parses an optional boolean ("true"/"false", any case).
func (p params) boolParam(name string) (value, set bool, err error) {
	v := p.get(name)
	if v == "" {
		return false, false, nil
	}
	switch strings.ToLower(v) {
	case "true":
		return true, true, nil
	case "false":
		return false, true, nil
	}
	return false, false, errInvalidParameter(name, "must be true or false")
}

// list reads a repeated string parameter in either wire form: "Name=a,b" (the new SDK's "simple"
// shrink style) or "Name.1=a&Name.2=b" (the legacy SDK's Repeated style). Empty elements are
// dropped. Indices must be 1..n without gaps.
func (p params) list(name string, maxItems int) ([]string, error) {
	var out []string
	if v := p.get(name); v != "" {
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	prefix := name + "."
	idx := map[int]string{}
	top := 0
	for _, k := range p.keysWithPrefix(prefix) {
		vs := p[k]
		n, ok := parseIndex(k[len(prefix):])
		if !ok {
			return nil, errInvalidParameter(k, "the index must be a positive integer")
		}
		if n > maxItems {
			return nil, errInvalidParameter(name, "at most "+strconv.Itoa(maxItems)+" items are allowed")
		}
		if len(vs) > 0 {
			idx[n] = vs[0]
		}
		top = max(top, n)
	}
	for i := 1; i <= top; i++ {
		v, ok := idx[i]
		if !ok {
			return nil, errMissingParameter(name + "." + strconv.Itoa(i))
		}
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	if len(out) > maxItems {
		return nil, errInvalidParameter(name, "at most "+strconv.Itoa(maxItems)+" items are allowed")
	}
	return out, nil
}

// objects reads a flattened array of objects, "Name.N.Field" with N 1-based. Every item must have
// every field in fields (else MissingParameter "Name.N.Field"), indices must be 1..n without gaps,
// and more than maxItems items is InvalidParameter. Unknown fields are ignored, as the real service
// ignores parameters it does not know. No items at all is MissingParameter "Name".
func (p params) objects(name string, maxItems int, fields ...string) ([]map[string]string, error) {
	prefix := name + "."
	items := map[int]map[string]string{}
	top := 0
	for _, k := range p.keysWithPrefix(prefix) {
		vs := p[k]
		rest := k[len(prefix):]
		dot := strings.IndexByte(rest, '.')
		if dot < 0 {
			return nil, errInvalidParameter(k, "expected "+name+".N."+fields[0])
		}
		n, ok := parseIndex(rest[:dot])
		if !ok {
			return nil, errInvalidParameter(k, "the index must be a positive integer")
		}
		if n > maxItems {
			return nil, errInvalidParameter(name, "at most "+strconv.Itoa(maxItems)+" items are allowed per call")
		}
		it := items[n]
		if it == nil {
			it = make(map[string]string, len(fields))
			items[n] = it
		}
		if len(vs) > 0 {
			it[rest[dot+1:]] = vs[0]
		}
		top = max(top, n)
	}
	if top == 0 {
		return nil, errMissingParameter(name + ".1." + fields[0])
	}
	out := make([]map[string]string, 0, top)
	for i := 1; i <= top; i++ {
		it := items[i]
		for _, f := range fields {
			if it[f] == "" {
				return nil, errMissingParameter(name + "." + strconv.Itoa(i) + "." + f)
			}
		}
		out = append(out, it)
	}
	return out, nil
}

// page reads PageNumber (default 1) and PageSize (default 10, at most the configured maximum, and
// at most Behaviour.RefusePageSizeAbove). The default is capped by the maximum too: a
// WithMaxPageSize below 10 must bound every page, including those of clients that send no
// PageSize. Under Behaviour.CapPageSize the page served is at most that size, whatever was asked.
func (s *Server) page(p params) (model.Page, error) {
	number, err := p.intParam("PageNumber", 1, 1, 1<<30)
	if err != nil {
		return model.Page{}, err
	}
	bh := s.backend.Behaviour()
	limit := s.cfg.maxPageSize
	if bh.RefusePageSizeAbove > 0 {
		limit = min(limit, bh.RefusePageSizeAbove)
	}
	size, err := p.intParam("PageSize", min(10, limit), 1, limit)
	if err != nil {
		return model.Page{}, err
	}
	if bh.CapPageSize > 0 {
		size = min(size, bh.CapPageSize)
	}
	return model.Page{Number: number, Size: size}, nil
}

// listing is the shape of every Describe operation that pages: it decodes the page parameters, asks
// list for that page (list may decode more parameters first, so errors keep their order), converts
// each item with item, and hands the page header and the items to answer, which builds the
// operation's response. The slice is never nil, so an empty page answers [].
func listing[T, R any](s *Server, c *opContext, list func(model.Page) ([]T, int, error), item func(T) R,
	answer func(listPage, []R) any,
) (any, error) {
	page, err := s.page(c.p)
	if err != nil {
		return nil, err
	}
	items, total, err := list(page)
	if err != nil {
		return nil, err
	}
	out := make([]R, 0, len(items))
	for _, it := range items {
		out = append(out, item(it))
	}
	return answer(pageOf(c.requestID, page, total), out), nil
}

// parseIndex accepts a 1-based decimal index without sign or leading zeros, bounded so a hostile
// "Apis.99999999999.ApiId" cannot overflow.
func parseIndex(s string) (int, bool) {
	if s == "" || len(s) > 6 || s[0] == '0' {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// keysWithPrefix returns the matching parameter names sorted, so that when several items are wrong
// the error always names the same one.
func (p params) keysWithPrefix(prefix string) []string {
	var ks []string
	for k := range p {
		if strings.HasPrefix(k, prefix) {
			ks = append(ks, k)
		}
	}
	sort.Strings(ks)
	return ks
}
