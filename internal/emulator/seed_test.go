package emulator

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator/sdktest"

	cloudapi "github.com/alibabacloud-go/cloudapi-20160714/v5/client"
	"github.com/alibabacloud-go/tea/dara"
)

// validSeedJSON is a small but complete seed; tests derive broken variants from it.
const validSeedJSON = `{
  "accounts": [
    {
      "id": "1111111111111111",
      "access_key_id": "LTAI5tSeedKey",
      "access_key_secret": "seed-secret",
      "regions": [
        {
          "region": "cn-hangzhou",
          "groups": [
            {
              "id": "0123456789abcdef0123456789abcdef",
              "name": "seeded",
              "description": "seeded group",
              "apis": [
                {"id": "fedcba9876543210fedcba9876543210", "name": "get_item", "method": "GET",
                 "path": "/items/[id]", "description": "one item", "visibility": "PUBLIC",
                 "deploy": ["RELEASE", "PRE"]},
                {"name": "put_item", "method": "PUT", "path": "/items", "deploy": ["TEST"]}
              ]
            }
          ]
        },
        {"region": "cn-shanghai", "groups": [{"name": "sh_group", "apis": [{"name": "list_items", "path": "/items"}]}]}
      ]
    }
  ]
}`

func writeSeed(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "seed.json")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadSeedFileValid(t *testing.T) {
	seed, err := LoadSeedFile(writeSeed(t, validSeedJSON))
	if err != nil {
		t.Fatal(err)
	}
	if len(seed.Accounts) != 1 || len(seed.Accounts[0].Regions) != 2 {
		t.Fatalf("seed = %+v", seed)
	}
	g := seed.Accounts[0].Regions[0].Groups[0]
	if g.ID != "0123456789abcdef0123456789abcdef" || g.Name != "seeded" || len(g.APIs) != 2 {
		t.Fatalf("group = %+v", g)
	}
	a := g.APIs[0]
	if a.ID != "fedcba9876543210fedcba9876543210" || a.Method != "GET" || a.Path != "/items/[id]" ||
		a.Visibility != "PUBLIC" || strings.Join(a.Deploy, ",") != "RELEASE,PRE" {
		t.Fatalf("api = %+v", a)
	}
	// Printing a seed never shows the secret.
	for _, s := range []string{fmt.Sprint(seed), fmt.Sprintf("%+v", seed), fmt.Sprintf("%#v", seed), fmt.Sprint(seed.Accounts[0])} {
		if strings.Contains(s, "seed-secret") {
			t.Errorf("formatted seed shows the secret: %s", s)
		}
	}
}

func TestLoadSeedFileShippedDemoSeed(t *testing.T) {
	seed, err := LoadSeedFile(filepath.Join("..", "..", "examples", "emulator", "demo-seed.json"))
	if err != nil {
		t.Fatal(err)
	}
	a := seed.Accounts[0]
	if a.ID != "1234567890123456" || a.AccessKeyID != "LTAI5tDemoAccessKeyId" || a.AccessKeySecret != "demo-secret-not-for-production" {
		t.Fatalf("demo account = %v", a)
	}
	if n := len(a.Regions[0].Groups[0].APIs); n != 4 {
		t.Fatalf("demo group has %d APIs, want 4", n)
	}
}

func TestLoadSeedFileStrictness(t *testing.T) {
	cases := []struct {
		name, content string
		want          []string // substrings of the error
	}{
		{"unknown top-level field", `{"accounts": [], "acounts": []}`,
			[]string{`unknown field "acounts"`, "line 1, column 18", "top-level"}},
		{"unknown nested field with line", strings.Replace(validSeedJSON, `"path": "/items"`, `"path": "/items", "verb": "PUT"`, 1),
			[]string{`unknown field "verb"`, "line 19, column 73", "accounts[0].regions[0].groups[0].apis[1]", "known fields: id, name, method"}},
		{"field case must match", `{"Accounts": []}`, []string{`unknown field "Accounts"`}},
		{"duplicate field", `{"accounts": [{"id": "1", "id": "2"}]}`, []string{`duplicate field "id"`, "accounts[0]", "line 1, column 27"}},
		{"syntax error", "{\n  \"accounts\": [\n    {\"id\": \"1\",}\n  ]\n}", []string{"line 3"}},
		{"wrong type", "{\n  \"accounts\": [{\"id\": 12}]\n}", []string{"line 2", "accounts.id", "string"}},
		{"trailing data", `{"accounts": []} {}`, []string{"unexpected data after"}},
		{"not an object", `[]`, []string{"seed.json"}},
		{"empty", "  \n", []string{"empty"}},
		{"truncated", `{"accounts": [`, []string{"seed.json"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := writeSeed(t, c.content)
			_, err := LoadSeedFile(path)
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file", err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
	if _, err := LoadSeedFile(filepath.Join(t.TempDir(), "missing.json")); err == nil || !strings.Contains(err.Error(), "missing.json") {
		t.Errorf("missing file: %v", err)
	}
}

func TestSeedValidation(t *testing.T) {
	cases := []struct {
		name, from, to string
		want           string
	}{
		{"bad group id", `"0123456789abcdef0123456789abcdef"`, `"0123456789ABCDEF0123456789ABCDEF"`, "groups[0].id"},
		{"short api id", `"fedcba9876543210fedcba9876543210"`, `"fedcba98"`, "apis[0].id: \"fedcba98\" is not valid: must be 32 lowercase hex"},
		{"duplicate id", `"fedcba9876543210fedcba9876543210"`, `"0123456789abcdef0123456789abcdef"`, "already used by accounts[0].regions[0].groups[0]"},
		{"bad api name", `"name": "get_item"`, `"name": "1tem"`, "apis[0].name"},
		{"short api name", `"name": "get_item"`, `"name": "abc"`, "4 to 50 characters"},
		{"duplicate api name", `"name": "put_item"`, `"name": "get_item"`, "already exists in the group"},
		{"bad method", `"method": "PUT"`, `"method": "FETCH"`, "apis[1].method"},
		{"relative path", `"path": "/items/[id]"`, `"path": "items"`, "must start with /"},
		{"duplicate path", `"path": "/items"`, `"path": "/items/[id]"`, "used by another API"},
		{"bad visibility", `"visibility": "PUBLIC"`, `"visibility": "public"`, "visibility"},
		{"bad stage", `["TEST"]`, `["PROD"]`, "apis[1].deploy[0]"},
		{"duplicate stage", `["RELEASE", "PRE"]`, `["PRE", "PRE"]`, "listed twice"},
		{"missing group name", `"name": "seeded"`, `"name": ""`, "groups[0].name: required"},
		{"bad region", `"region": "cn-shanghai"`, `"region": "CN Shanghai"`, "regions[1].region"},
		{"duplicate region", `"region": "cn-shanghai"`, `"region": "cn-hangzhou"`, "declared twice for this account"},
		{"secret without key", `"access_key_id": "LTAI5tSeedKey",`, ``, "must be given together"},
		{"missing account id", `"id": "1111111111111111"`, `"id": ""`, "accounts[0].id: required"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(validSeedJSON, c.from) {
				t.Fatalf("test bug: %q not in the seed", c.from)
			}
			_, err := parseSeed([]byte(strings.Replace(validSeedJSON, c.from, c.to, 1)))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want one containing %q", err, c.want)
			}
		})
	}
	// Several problems are all reported at once.
	doc := strings.Replace(strings.Replace(validSeedJSON, `"method": "PUT"`, `"method": "FETCH"`, 1), `["TEST"]`, `["PROD"]`, 1)
	if _, err := parseSeed([]byte(doc)); err == nil || !strings.Contains(err.Error(), "FETCH") || !strings.Contains(err.Error(), "PROD") {
		t.Fatalf("err = %v, want both problems", err)
	}
	// Two accounts with the same key or id.
	two := `{"accounts": [{"id": "1", "access_key_id": "K", "access_key_secret": "s"},
	                      {"id": "1", "access_key_id": "K", "access_key_secret": "t"}]}`
	_, err := parseSeed([]byte(two))
	if err == nil || !strings.Contains(err.Error(), "accounts[1].id") || !strings.Contains(err.Error(), "accounts[1].access_key_id") {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), `"s"`) || strings.Contains(err.Error(), `"t"`) {
		t.Fatalf("validation error shows a secret: %v", err)
	}
}

// seedTestServer starts a server that is closed when the test ends.
func seedTestServer(t *testing.T, opts ...Option) *Server {
	t.Helper()
	s, err := Start(opts...)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func seedTestClient(t *testing.T, s *Server, keyID, secret string) *cloudapi.Client {
	t.Helper()
	return sdktest.Typed(t, sdktest.Config(s.Endpoint(), keyID, secret, DefaultRegion))
}

func mustParseSeed(t *testing.T, doc string) *Seed {
	t.Helper()
	seed, err := parseSeed([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return seed
}

func deployedStages(d *cloudapi.DescribeApiResponseBody) string {
	var out []string
	if d.DeployedInfos != nil {
		for _, di := range d.DeployedInfos.DeployedInfo {
			if dara.StringValue(di.DeployedStatus) == "DEPLOYED" {
				out = append(out, dara.StringValue(di.StageName))
			}
		}
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

func TestApplySeedCreatesAccountsGroupsAPIsAndDeployments(t *testing.T) {
	seed := mustParseSeed(t, validSeedJSON)
	s := seedTestServer(t, WithSeedData(seed))
	c := seedTestClient(t, s, "LTAI5tSeedKey", "seed-secret")

	d, err := c.DescribeApi(&cloudapi.DescribeApiRequest{ApiId: dara.String("fedcba9876543210fedcba9876543210")})
	if err != nil {
		t.Fatalf("DescribeApi(explicit id): %v", err)
	}
	b := d.Body
	if dara.StringValue(b.ApiName) != "get_item" || dara.StringValue(b.GroupId) != "0123456789abcdef0123456789abcdef" ||
		dara.StringValue(b.GroupName) != "seeded" || dara.StringValue(b.Description) != "one item" ||
		dara.StringValue(b.Visibility) != "PUBLIC" || b.RequestConfig == nil ||
		dara.StringValue(b.RequestConfig.RequestHttpMethod) != "GET" || dara.StringValue(b.RequestConfig.RequestPath) != "/items/[id]" {
		t.Fatalf("get_item = %s", b)
	}
	if got := deployedStages(b); got != "PRE,RELEASE" {
		t.Fatalf("get_item deployed to %q, want PRE,RELEASE", got)
	}

	list, err := c.DescribeApis(&cloudapi.DescribeApisRequest{GroupId: dara.String("0123456789abcdef0123456789abcdef")})
	if err != nil {
		t.Fatalf("DescribeApis: %v", err)
	}
	var putID string
	for _, a := range list.Body.ApiSummarys.ApiSummary {
		if dara.StringValue(a.ApiName) == "put_item" {
			putID = dara.StringValue(a.ApiId)
		}
	}
	if len(putID) != 32 || strings.Trim(putID, "0123456789abcdef") != "" {
		t.Fatalf("put_item has no generated id in %s", list.Body)
	}
	d, err = c.DescribeApi(&cloudapi.DescribeApiRequest{ApiId: dara.String(putID)})
	if err != nil {
		t.Fatal(err)
	}
	if dara.StringValue(d.Body.RequestConfig.RequestHttpMethod) != "PUT" || deployedStages(d.Body) != "TEST" {
		t.Fatalf("put_item = %s", d.Body)
	}
	if _, err := c.AttachApiProduct(&cloudapi.AttachApiProductRequest{ApiProductId: dara.String("seedprod"),
		Apis: []*cloudapi.AttachApiProductRequestApis{{ApiId: dara.String(putID), StageName: dara.String("TEST")}}}); err != nil {
		t.Fatalf("attaching a seeded API: %v", err)
	}

	// The default account still exists and does not see the seeded account's APIs.
	_, err = seedTestClient(t, s, DefaultAccessKeyID, DefaultAccessKeySecret).DescribeApi(
		&cloudapi.DescribeApiRequest{ApiId: dara.String("fedcba9876543210fedcba9876543210")})
	if code := sdktest.Code(err); code != "NotFoundApi" {
		t.Fatalf("default account sees the seeded API: code %q (%v)", code, err)
	}

	// The second region's group exists only there.
	sh := seedTestServer(t, WithSeedData(seed), WithRegion("cn-shanghai"))
	shList, err := seedTestClient(t, sh, "LTAI5tSeedKey", "seed-secret").DescribeApis(&cloudapi.DescribeApisRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range shList.Body.ApiSummarys.ApiSummary {
		names = append(names, dara.StringValue(a.ApiName)+"@"+dara.StringValue(a.GroupName))
	}
	if strings.Join(names, ",") != "list_items@sh_group" {
		t.Fatalf("cn-shanghai APIs = %q", names)
	}
}

func TestApplySeedAccountsWithoutKeysAndConflicts(t *testing.T) {
	keyless := `{"accounts": [{"id": "%s", "regions": [{"region": "cn-hangzhou", "groups": [{"name": "g1",
		"apis": [{"id": "00000000000000000000000000000001", "name": "api_one", "path": "/one"}]}]}]}]}`
	// Seeding into an account configured by options.
	s := seedTestServer(t, WithSeedData(mustParseSeed(t, fmt.Sprintf(keyless, DefaultAccountID))))
	if _, err := seedTestClient(t, s, DefaultAccessKeyID, DefaultAccessKeySecret).DescribeApi(
		&cloudapi.DescribeApiRequest{ApiId: dara.String("00000000000000000000000000000001")}); err != nil {
		t.Fatalf("API seeded into the default account: %v", err)
	}
	// A keyless account nobody configured cannot be used by anyone: refuse it.
	_, err := Start(WithSeedData(mustParseSeed(t, fmt.Sprintf(keyless, "999"))))
	if err == nil || !strings.Contains(err.Error(), `account "999" has no access key`) {
		t.Fatalf("keyless unknown account: %v", err)
	}

	withKey := `{"accounts": [{"id": "42", "access_key_id": "LTAI5tShared", "access_key_secret": "%s"}]}`
	// The same key and secret on the command line and in the seed (the demo does this) is fine.
	same := Account{ID: "42", AccessKeyID: "LTAI5tShared", AccessKeySecret: "shared-secret"}
	s2 := seedTestServer(t, WithAccount(same), WithSeedData(mustParseSeed(t, fmt.Sprintf(withKey, "shared-secret"))))
	if _, err := seedTestClient(t, s2, "LTAI5tShared", "shared-secret").CreateApiGroup(
		&cloudapi.CreateApiGroupRequest{GroupName: dara.String("ok")}); err != nil {
		t.Fatal(err)
	}
	// A different secret for the same key is a conflict, reported without either secret.
	_, err = Start(WithAccount(same), WithSeedData(mustParseSeed(t, fmt.Sprintf(withKey, "other-secret"))))
	if err == nil || !strings.Contains(err.Error(), "LTAI5tShared") {
		t.Fatalf("conflicting secret: %v", err)
	}
	if strings.Contains(err.Error(), "shared-secret") || strings.Contains(err.Error(), "other-secret") {
		t.Fatalf("error shows a secret: %v", err)
	}
}

func TestApplySeedValidatesProgrammaticSeeds(t *testing.T) {
	seed := &Seed{Accounts: []SeedAccount{{ID: DefaultAccountID, Regions: []SeedRegion{{Region: "cn-hangzhou",
		Groups: []SeedGroupSpec{{Name: "g", APIs: []SeedAPISpec{{Name: "api_one", Path: "/x", Deploy: []string{"PROD"}}}}}}}}}}
	_, err := Start(WithSeedData(seed))
	if err == nil || !strings.Contains(err.Error(), `"PROD" is not valid: must be RELEASE, PRE or TEST`) {
		t.Fatalf("Start with an invalid seed: %v", err)
	}
}

func TestApplySeedOnlyOnFreshStateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	seed := mustParseSeed(t, validSeedJSON)
	s, err := Start(WithSeedData(seed), WithStateFile(path))
	if err != nil {
		t.Fatal(err)
	}
	c := seedTestClient(t, s, "LTAI5tSeedKey", "seed-secret")
	if _, err := c.AttachApiProduct(&cloudapi.AttachApiProductRequest{ApiProductId: dara.String("p1"),
		Apis: []*cloudapi.AttachApiProductRequestApis{{ApiId: dara.String("fedcba9876543210fedcba9876543210"), StageName: dara.String("RELEASE")}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// On restart the state wins: the seed is not applied again (its fixed ids would collide), and
	// the seed's account keeps working because run-time accounts are persisted.
	s2 := seedTestServer(t, WithSeedData(seed), WithStateFile(path))
	c2 := seedTestClient(t, s2, "LTAI5tSeedKey", "seed-secret")
	r, err := c2.DescribeApiProductApis(&cloudapi.DescribeApiProductApisRequest{ApiProductId: dara.String("p1")})
	if err != nil {
		t.Fatalf("after restart: %v", err)
	}
	if dara.Int32Value(r.Body.TotalCount) != 1 || dara.StringValue(r.Body.ApiInfoList.ApiInfo[0].ApiName) != "get_item" {
		t.Fatalf("after restart product p1 = %s", r.Body)
	}
	list, err := c2.DescribeApis(&cloudapi.DescribeApisRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if n := dara.Int32Value(list.Body.TotalCount); n != 2 {
		t.Fatalf("after restart %d APIs in cn-hangzhou, want the 2 seeded once", n)
	}
}

// A seed that fails when applied must not leave its partial state in the state file: the next
// start would restore it and skip the seed. (Validation runs the seed through the model, so a
// programmatic seed that CreateApi refuses fails at start, after the first API was fine.)
func TestFailedSeedDoesNotWriteStateFile(t *testing.T) {
	seed := &Seed{Accounts: []SeedAccount{{ID: "1111111111111111", AccessKeyID: "LTAI5tSeedKey", AccessKeySecret: "seed-secret",
		Regions: []SeedRegion{{Region: "cn-hangzhou", Groups: []SeedGroupSpec{{Name: "g", APIs: []SeedAPISpec{
			{Name: "good_api", Path: "/ok"}, {Name: "bad_api", Path: "/has space"}}}}}}}}}
	dir := t.TempDir()
	fresh := filepath.Join(dir, "fresh.json")
	if s, err := Start(WithSeedData(seed), WithStateFile(fresh)); err == nil {
		_ = s.Close()
		t.Fatal("Start with a seed CreateApi refuses succeeded")
	}
	if _, err := os.Stat(fresh); !errors.Is(err, os.ErrNotExist) {
		data, _ := os.ReadFile(fresh)
		t.Fatalf("failed start wrote the state file (%v):\n%s", err, data)
	}
	const empty = `{"version":1,"state":[]}`
	existing := filepath.Join(dir, "existing.json")
	if err := os.WriteFile(existing, []byte(empty), 0o600); err != nil {
		t.Fatal(err)
	}
	if s, err := Start(WithSeedData(seed), WithStateFile(existing)); err == nil {
		_ = s.Close()
		t.Fatal("Start with a seed CreateApi refuses succeeded")
	}
	if data, _ := os.ReadFile(existing); string(data) != empty {
		t.Fatalf("failed start rewrote the state file:\n%s", data)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("files left in the state directory: %v", entries)
	}
}

// Seed roles are checked with the seed and apply on every start.
func TestSeedRoles(t *testing.T) {
	seed := mustParseSeed(t, `{"accounts": [], "roles": [{"arn": "acs:ram::2222222222222222:role/deployer", "trusted_accounts": ["1"], "max_session_duration": 1800}]}`)
	s := seedTestServer(t, WithSeedData(seed))
	if r, ok := s.role("acs:ram::2222222222222222:role/deployer"); !ok || r.MaxSessionDuration != 30*time.Minute || r.TrustedAccounts[0] != "1" {
		t.Fatalf("seeded role = %+v, %v", r, ok)
	}
	for doc, want := range map[string]string{
		`{"accounts": [], "roles": [{"arn": "arn:aws:iam::1:role/x"}]}`:                           "roles[0]",
		`{"accounts": [], "roles": [{"arn": "acs:ram::1:role/x"}, {"arn": "acs:ram::1:role/x"}]}`: "declared twice",
		`{"accounts": [], "roles": [{"arn": "acs:ram::1:role/x", "max_session_duration": 60}]}`:   "maximum session duration",
	} {
		if _, err := parseSeed([]byte(doc)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error containing %q", doc, err, want)
		}
	}
}
