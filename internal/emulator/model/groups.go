package model

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// idPattern is the shape of group and API ids: 32 lowercase hex characters.
var idPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

// Group is an API group.
type Group struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	BasePath    string    `json:"basePath,omitempty"`
	Created     time.Time `json:"created"`
	Seq         uint64    `json:"seq"` // creation order, for stable listings
}

type group = Group

// CreateGroupRequest is CreateApiGroup. ID is empty for a generated id (seeds may fix it).
type CreateGroupRequest struct {
	ID, Name, Description, BasePath string
}

// CreateGroup validates and stores a group. Group names need not be unique: Alibaba documents no
// such rule for CreateApiGroup, and test fixtures often reuse names. BasePath defaults to "/".
func (r *Region) CreateGroup(in CreateGroupRequest, now time.Time) (Group, error) {
	if strings.TrimSpace(in.Name) == "" {
		return Group{}, missing("GroupName")
	}
	if !validText(in.Name, 128) {
		return Group{}, invalid("GroupName", "at most 128 printable characters")
	}
	if err := checkDescription("Description", in.Description, 2000); err != nil {
		return Group{}, err
	}
	if in.BasePath == "" {
		in.BasePath = "/"
	} else if !strings.HasPrefix(in.BasePath, "/") || !validText(in.BasePath, 256) {
		return Group{}, invalid("BasePath", "must start with /")
	}
	if in.ID != "" && !idPattern.MatchString(in.ID) {
		return Group{}, invalid("GroupId", "must be 32 lowercase hex characters")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	id := in.ID
	if id == "" {
		id = newID()
	} else if r.groups[id] != nil {
		return Group{}, invalid("GroupId", "a group with this id already exists")
	}
	g := &group{ID: id, Name: in.Name, Description: in.Description, BasePath: in.BasePath, Created: now, Seq: r.b.ids.nextSeq()}
	r.groups[id] = g
	r.b.changed()
	return *g, nil
}

// DeleteGroup follows Alibaba's documentation: deleting a group that does not exist succeeds, and a
// group that still contains APIs cannot be deleted.
func (r *Region) DeleteGroup(id string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.groups[id] == nil {
		return nil
	}
	n := 0
	for _, a := range r.apis {
		if a.GroupID == id {
			n++
		}
	}
	if n > 0 {
		return invalid("GroupId", "the API group still contains "+strconv.Itoa(n)+" API(s); delete them first")
	}
	delete(r.groups, id)
	r.b.changed()
	return nil
}
