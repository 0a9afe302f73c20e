package emulator

import (
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator/model"
)

// Seed is the document read by `apigateway-emulator --seed FILE` (see LoadSeedFile) or passed to
// WithSeedData. It declares accounts and, per account and region, API groups, their APIs and the
// stages each API is deployed to, so that a fresh emulator already has APIs to attach to products.
//
// Format (JSON; unknown or duplicate fields are errors, reported with line and column):
//
//	{
//	  "accounts": [
//	    {
//	      "id": "1234567890123456",                 // account (UID); required
//	      "access_key_id": "LTAI5tDemoAccessKeyId", // optional; with access_key_secret, adds a key
//	      "access_key_secret": "demo-secret-not-for-production",
//	      "regions": [
//	        {
//	          "region": "cn-hangzhou",               // required
//	          "groups": [
//	            {
//	              "id": "8f4c2b1a9d3e4f5a6b7c8d9e0f1a2b3c", // optional: 32 lowercase hex; generated if absent
//	              "name": "demo",                    // required; at most 128 characters (names need not be unique)
//	              "description": "Demo group",       // optional
//	              "apis": [
//	                {
//	                  "id": "0a1b2c3d4e5f60718293a4b5c6d7e8f9", // optional: 32 lowercase hex
//	                  "name": "get_user",            // required; 4-50 chars, letter first, then letters, digits, _
//	                  "method": "GET",               // optional, default GET: GET POST PUT DELETE PATCH HEAD OPTIONS ANY (any case)
//	                  "path": "/users/[id]",         // required; starts with "/"; unique within the group
//	                  "description": "Fetch a user", // optional
//	                  "visibility": "PUBLIC",        // optional, default PUBLIC: PUBLIC or PRIVATE
//	                  "deploy": ["RELEASE", "PRE"]   // optional: stages among RELEASE, PRE, TEST
//	                }
//	              ]
//	            }
//	          ]
//	        }
//	      ]
//	    }
//	  ]
//	}
//
// (JSON has no comments; they only annotate the fields here.) An account entry without keys adds
// nothing to the credentials: it must name an account that exists already (for example the one given
// by WithAccount or the binary's --access-key-id), and only seeds data into it. An account entry with
// keys that repeats an existing account exactly is accepted, so a demo can pass the same credentials
// on the command line and in the seed. Explicit ids must be unique across the whole seed; they let
// examples and demos refer to stable ids. Groups, APIs and deployments obey exactly the rules of
// CreateApiGroup, CreateApi and DeployApi (cmd/apigateway-emulator/README.md, "Every reading in
// detail").
type Seed struct {
	Accounts []SeedAccount `json:"accounts"`
	Roles    []SeedRole    `json:"roles,omitempty"`
}

// SeedRole declares a RAM role for the emulated STS AssumeRole (see Role):
//
//	"roles": [{"arn": "acs:ram::1234567890123456:role/terraform", "trusted_accounts": ["1111111111111111"]}]
//
// trusted_accounts defaults to the role's own account; external_id and max_session_duration
// (seconds) are optional. Roles are configuration, not state: they are applied on every start, also
// when a state file is restored.
type SeedRole struct {
	ARN                string   `json:"arn"`
	TrustedAccounts    []string `json:"trusted_accounts,omitempty"`
	ExternalID         string   `json:"external_id,omitempty"`
	MaxSessionDuration int      `json:"max_session_duration,omitempty"`
}

func (r SeedRole) role() Role {
	return Role{ARN: r.ARN, TrustedAccounts: r.TrustedAccounts, ExternalID: r.ExternalID,
		MaxSessionDuration: time.Duration(r.MaxSessionDuration) * time.Second}
}

// SeedAccount is one account of a Seed. Its String and GoString methods omit the secret.
type SeedAccount struct {
	ID              string       `json:"id"`
	AccessKeyID     string       `json:"access_key_id,omitempty"`
	AccessKeySecret string       `json:"access_key_secret,omitempty"`
	Regions         []SeedRegion `json:"regions,omitempty"`
}

// String describes the account without its secret.
func (a SeedAccount) String() string {
	secret := ""
	if a.AccessKeySecret != "" {
		secret = " secret:(redacted)"
	}
	return fmt.Sprintf("{id:%s access_key_id:%s%s regions:%d}", a.ID, a.AccessKeyID, secret, len(a.Regions))
}

// GoString is String, so that %#v does not print the secret either.
func (a SeedAccount) GoString() string { return "emulator.SeedAccount" + a.String() }

// SeedRegion holds an account's groups in one region.
type SeedRegion struct {
	Region string          `json:"region"`
	Groups []SeedGroupSpec `json:"groups,omitempty"`
}

// SeedGroupSpec declares one API group and its APIs.
type SeedGroupSpec struct {
	ID          string        `json:"id,omitempty"`
	Name        string        `json:"name"`
	Description string        `json:"description,omitempty"`
	APIs        []SeedAPISpec `json:"apis,omitempty"`
}

// SeedAPISpec declares one API and the stages it is deployed to.
type SeedAPISpec struct {
	ID          string   `json:"id,omitempty"`
	Name        string   `json:"name"`
	Method      string   `json:"method,omitempty"`
	Path        string   `json:"path"`
	Description string   `json:"description,omitempty"`
	Visibility  string   `json:"visibility,omitempty"`
	Deploy      []string `json:"deploy,omitempty"`
}

// maxSeedFileSize bounds what LoadSeedFile reads; a seed is a small hand-written document.
const maxSeedFileSize = 16 << 20

// LoadSeedFile reads and validates a seed document (see Seed). Errors name the file and, for syntax
// errors, unknown or duplicate fields and wrong types, the line and column.
func LoadSeedFile(path string) (*Seed, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("seed file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxSeedFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("seed file %s: %w", path, err)
	}
	if len(data) > maxSeedFileSize {
		return nil, fmt.Errorf("seed file %s: larger than %d bytes", path, maxSeedFileSize)
	}
	seed, err := parseSeed(data)
	if err != nil {
		return nil, fmt.Errorf("seed file %s: %w", path, err)
	}
	return seed, nil
}

var seedRegionPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// validate checks the whole seed before anything is applied, so a bad seed changes nothing. Errors
// name the offending element by its JSON path, and every problem found is reported at once.
//
// Two kinds of rules apply. The seed document's own (account entries, keys given in pairs, a region
// or stage listed once, explicit ids unique across the whole seed) are checked here. Everything about
// the groups, APIs and deployments themselves is the model's: the seed is applied to a scratch
// model, and what it refuses is reported with the seed field it came from, so the seed can never
// accept or refuse what CreateApiGroup, CreateApi and DeployApi would not.
func (s *Seed) validate() error {
	var errs []error
	bad := func(path, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", path, fmt.Sprintf(format, args...)))
	}
	accountIDs := map[string]string{}
	keyIDs := map[string]string{}
	ids := map[string]string{}
	checkID := func(path, id string) {
		if id == "" {
			return
		}
		if prev, dup := ids[id]; dup {
			bad(path+".id", "%q is already used by %s", id, prev)
			return
		}
		ids[id] = path
	}
	scratch := model.NewBackend(nil)
	now := time.Now()
	for i, a := range s.Accounts {
		ap := fmt.Sprintf("accounts[%d]", i)
		switch {
		case a.ID == "":
			bad(ap+".id", "required")
		case strings.ContainsFunc(a.ID, func(r rune) bool { return r <= ' ' || r == 0x7f }) || len(a.ID) > 64:
			bad(ap+".id", "%q must be at most 64 printable characters without spaces", a.ID)
		default:
			if prev, dup := accountIDs[a.ID]; dup {
				bad(ap+".id", "account %q is already declared by %s", a.ID, prev)
			}
			accountIDs[a.ID] = ap
		}
		if (a.AccessKeyID == "") != (a.AccessKeySecret == "") {
			bad(ap, "access_key_id and access_key_secret must be given together")
		}
		if a.AccessKeyID != "" {
			if prev, dup := keyIDs[a.AccessKeyID]; dup {
				bad(ap+".access_key_id", "%q is already declared by %s", a.AccessKeyID, prev)
			}
			keyIDs[a.AccessKeyID] = ap
		}
		regions := map[string]bool{}
		for j, r := range a.Regions {
			rp := fmt.Sprintf("%s.regions[%d]", ap, j)
			if !seedRegionPattern.MatchString(r.Region) {
				bad(rp+".region", "%q is not a region id such as cn-hangzhou", r.Region)
			} else if regions[r.Region] {
				bad(rp+".region", "%q is declared twice for this account", r.Region)
			}
			regions[r.Region] = true
			store := scratch.Region(strconv.Itoa(i), r.Region)
			for k, g := range r.Groups {
				gp := fmt.Sprintf("%s.groups[%d]", rp, k)
				checkID(gp, g.ID)
				grp, err := store.CreateGroup(model.CreateGroupRequest{ID: g.ID, Name: g.Name, Description: g.Description}, now)
				if err != nil {
					errs = append(errs, seedFieldError(gp, err, map[string]string{"GroupName": "name", "GroupId": "id", "Description": "description"},
						map[string]string{"name": g.Name, "id": g.ID, "description": g.Description}))
					// Go on with a stand-in group, so the group's APIs are checked too.
					grp, _ = store.CreateGroup(model.CreateGroupRequest{Name: "stand-in"}, now)
				}
				for l, spec := range g.APIs {
					pp := fmt.Sprintf("%s.apis[%d]", gp, l)
					checkID(pp, spec.ID)
					created, err := store.CreateAPI(seedAPIRequest(spec.ID, grp.ID, APISpec{Name: spec.Name, Method: spec.Method,
						Path: spec.Path, Description: spec.Description, Visibility: spec.Visibility}), now)
					if err != nil {
						errs = append(errs, seedFieldError(pp, err, map[string]string{"ApiName": "name", "ApiId": "id", "Visibility": "visibility",
							"RequestConfig.RequestHttpMethod": "method", "RequestConfig.RequestPath": "path", "Description": "description"},
							map[string]string{"name": spec.Name, "id": spec.ID, "visibility": spec.Visibility, "method": spec.Method,
								"path": spec.Path, "description": spec.Description}))
					}
					stages := map[string]bool{}
					for m, st := range spec.Deploy {
						sp := fmt.Sprintf("%s.deploy[%d]", pp, m)
						if stages[st] {
							bad(sp, "stage %q is listed twice", st)
						}
						stages[st] = true
						var err error
						if created.ID != "" {
							err = store.Deploy(model.DeployRequest{APIID: created.ID, Stage: st, Description: "seeded"}, now)
						} else if !model.ValidStage(st) {
							err = &model.ParameterError{Param: "StageName", Reason: "must be RELEASE, PRE or TEST"}
						}
						if err != nil {
							errs = append(errs, seedFieldError(sp, err, map[string]string{"StageName": ""}, map[string]string{"": st}))
						}
					}
				}
			}
		}
	}
	arns := map[string]bool{}
	for i, r := range s.Roles {
		rp := fmt.Sprintf("roles[%d]", i)
		if err := validateRole(r.role()); err != nil {
			bad(rp, "%v", err)
		} else if arns[r.ARN] {
			bad(rp+".arn", "%q is declared twice", r.ARN)
		}
		arns[r.ARN] = true
	}
	return errors.Join(errs...)
}

// seedFieldError renders a model error about one seed element: fields maps the model's parameter
// names to the element's JSON fields ("" for the element itself), values gives their values.
func seedFieldError(path string, err error, fields, values map[string]string) error {
	var pe *model.ParameterError
	if !errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", path, err)
	}
	field, known := fields[pe.Param]
	if !known {
		return fmt.Errorf("%s: %w", path, pe)
	}
	if field != "" {
		path += "." + field
	}
	switch {
	case pe.Missing:
		return fmt.Errorf("%s: required", path)
	case pe.Reason == "":
		return fmt.Errorf("%s: %q is not valid", path, values[field])
	}
	return fmt.Errorf("%s: %q is not valid: %s", path, values[field], pe.Reason)
}

// applySeed creates the seed's accounts, groups, APIs and deployments. The whole seed is validated
// first, so a seed with a mistake anywhere changes nothing; Start discards the server on error.
func (s *Server) applySeed(seed *Seed) error {
	if seed == nil {
		return nil
	}
	if err := seed.validate(); err != nil {
		return err
	}
	known := s.permanentAccounts()
	for i, a := range seed.Accounts {
		if a.AccessKeyID == "" && !known[a.ID] {
			return fmt.Errorf("accounts[%d]: account %q has no access key in the seed and none is configured; "+
				"add access_key_id and access_key_secret", i, a.ID)
		}
	}
	for i, a := range seed.Accounts {
		if a.AccessKeyID == "" {
			continue
		}
		if err := s.addAccount(Account{ID: a.ID, AccessKeyID: a.AccessKeyID, AccessKeySecret: a.AccessKeySecret}); err != nil {
			return fmt.Errorf("accounts[%d]: %w", i, err)
		}
	}
	for i, a := range seed.Accounts {
		for j, r := range a.Regions {
			for k, g := range r.Groups {
				gp := fmt.Sprintf("accounts[%d].regions[%d].groups[%d]", i, j, k)
				groupID, err := s.seedGroupSpec(a.ID, r.Region, g)
				if err != nil {
					return fmt.Errorf("%s: %w", gp, err)
				}
				for l, spec := range g.APIs {
					pp := fmt.Sprintf("%s.apis[%d]", gp, l)
					apiID, err := s.seedAPISpec(a.ID, r.Region, groupID, spec)
					if err != nil {
						return fmt.Errorf("%s: %w", pp, err)
					}
					for _, stage := range spec.Deploy {
						if err := s.SeedDeployment(a.ID, r.Region, apiID, stage); err != nil {
							return fmt.Errorf("%s: deploy to %s: %w", pp, stage, err)
						}
					}
				}
			}
		}
	}
	return nil
}

func (s *Server) seedGroupSpec(accountID, region string, g SeedGroupSpec) (string, error) {
	return s.seedGroup(accountID, region, g.ID, g.Name, g.Description)
}

func (s *Server) seedAPISpec(accountID, region, groupID string, a SeedAPISpec) (string, error) {
	return s.seedAPI(accountID, region, a.ID, APISpec{
		GroupID: groupID, Name: a.Name, Method: a.Method, Path: a.Path,
		Description: a.Description, Visibility: a.Visibility,
	})
}
