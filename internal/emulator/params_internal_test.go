package emulator

import (
	"bytes"
	"net/url"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator/model"
)

func TestParamsList(t *testing.T) {
	for _, tc := range []struct {
		q    string
		want []string
		code string
	}{
		{"ApiProductIds=a,b", []string{"a", "b"}, ""},
		{"ApiProductIds=a%2C+b%2C", []string{"a", "b"}, ""},
		{"ApiProductIds.1=a&ApiProductIds.2=b", []string{"a", "b"}, ""},
		{"ApiProductIds.2=b&ApiProductIds.1=a", []string{"a", "b"}, ""},
		{"", nil, ""},
		{"ApiProductIds.1=a&ApiProductIds.3=c", nil, "MissingParameter"},
		{"ApiProductIds.0=a", nil, "InvalidParameter"},
		{"ApiProductIds.x=a", nil, "InvalidParameter"},
		{"ApiProductIds.01=a", nil, "InvalidParameter"},
		{"ApiProductIds=a,b,c,d", nil, "InvalidParameter"},
		{"ApiProductIds.4=d", nil, "InvalidParameter"},
	} {
		q, _ := url.ParseQuery(tc.q)
		got, e := params(q).list("ApiProductIds", 3)
		code := ""
		if e != nil {
			code = wireError(e).Code
		}
		if code != tc.code || (e == nil && !reflect.DeepEqual(got, tc.want)) {
			t.Errorf("list(%q) = %v, %v; want %v, %s", tc.q, got, e, tc.want, tc.code)
		}
	}
}

func TestParamsObjects(t *testing.T) {
	for _, tc := range []struct {
		q    string
		n    int
		code string
		msg  string
	}{
		{"Apis.1.ApiId=a&Apis.1.StageName=RELEASE&Apis.2.ApiId=b&Apis.2.StageName=TEST", 2, "", ""},
		{"Apis.1.ApiId=a&Apis.1.StageName=RELEASE&Apis.1.Extra=x", 1, "", ""},
		{"", 0, "MissingParameter", `"Apis.1.ApiId"`},
		{"Apis.1.ApiId=a", 0, "MissingParameter", `"Apis.1.StageName"`},
		{"Apis.2.ApiId=a&Apis.2.StageName=TEST", 0, "MissingParameter", `"Apis.1.ApiId"`},
		{"Apis.1=a", 0, "InvalidParameter", `"Apis.1"`},
		{"Apis.-1.ApiId=a", 0, "InvalidParameter", ""},
		{"Apis.99999999999.ApiId=a", 0, "InvalidParameter", ""},
		{"Apis.4.ApiId=a&Apis.4.StageName=TEST", 0, "InvalidParameter", `"Apis"`},
	} {
		q, _ := url.ParseQuery(tc.q)
		got, e := params(q).objects("Apis", 3, "ApiId", "StageName")
		code, msg := "", ""
		if e != nil {
			code, msg = wireError(e).Code, wireError(e).Message
		}
		if code != tc.code || len(got) != tc.n || !bytes.Contains([]byte(msg), []byte(tc.msg)) {
			t.Errorf("objects(%q) = %v, %v; want %d items, %s %s", tc.q, got, e, tc.n, tc.code, tc.msg)
		}
	}
}

func TestNonceCacheWindowAndBound(t *testing.T) {
	n := newNonceCache()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if !n.use("k", "a", t0) || n.use("k", "a", t0.Add(time.Minute)) {
		t.Fatal("reuse within the window was accepted")
	}
	if !n.use("other-key", "a", t0) {
		t.Fatal("nonces are per access key")
	}
	// Still remembered just before 15 minutes (after one rotation it lives in the previous generation).
	if n.use("k", "a", t0.Add(15*time.Minute)) || n.use("k", "a", t0.Add(29*time.Minute)) {
		t.Fatal("nonce forgotten too early")
	}
	// After two windows it is forgotten and memory is released.
	if !n.use("k", "a", t0.Add(61*time.Minute)) {
		t.Fatal("nonce remembered forever")
	}
	if got := n.size(); got != 1 {
		t.Fatalf("size after expiry = %d, want 1", got)
	}
}

func TestSnapshotRoundTrip(t *testing.T) {
	s, err := build(nil)
	if err != nil {
		t.Fatal(err)
	}
	gid, err := s.seedGroup(DefaultAccountID, "", "0123456789abcdef0123456789abcdef", "g", "desc")
	if err != nil || gid != "0123456789abcdef0123456789abcdef" {
		t.Fatalf("seedGroup with id: %v %v", gid, err)
	}
	aid, err := s.seedAPI(DefaultAccountID, "", "", APISpec{GroupID: gid, Name: "api_one", Path: "/one", Method: "POST"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SeedDeployment(DefaultAccountID, "", aid, "PRE"); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if e := s.backend.Region(DefaultAccountID, DefaultRegion).Attach("p", []model.AttachmentKey{{APIID: aid, Stage: "PRE"}, {APIID: aid, Stage: "RELEASE"}}, now); e != nil {
		t.Fatal(e)
	}
	if err := s.addAccount(Account{ID: "9", AccessKeyID: "runtime-key", AccessKeySecret: "runtime-secret"}); err != nil {
		t.Fatal(err)
	}
	snap, err := s.snapshot()
	if err != nil {
		t.Fatal(err)
	}
	s2, _ := build(nil)
	if err := s2.restore(snap); err != nil {
		t.Fatal(err)
	}
	snap2, _ := s2.snapshot()
	if !bytes.Equal(snap, snap2) {
		t.Fatalf("snapshot differs after restore:\n%s\n%s", snap, snap2)
	}
	if c := s2.lookupKey("runtime-key"); c == nil || c.accountID != "9" {
		t.Fatalf("runtime account not restored")
	}
	// A restored server keeps allocating fresh sequence numbers.
	g2, _ := s2.SeedGroup(DefaultAccountID, "", "later")
	seqs := map[string]uint64{}
	for _, g := range s2.backend.Snapshot().State[0].Groups {
		seqs[g.ID] = g.Seq
	}
	if later, first := seqs[g2], seqs[gid]; later <= first {
		t.Fatalf("sequence went backwards: %d <= %d", seqs[g2], seqs[gid])
	}
	if err := s2.restore([]byte(`{"version":1,"state":[{"account":"a","region":"BAD REGION"}]}`)); err == nil {
		t.Fatal("invalid region accepted")
	}
}

// A request stamped up to clockSkew in the future stays acceptable until clockSkew after its stamp, so
// its nonce must still be remembered then, whatever rotations happened in between.
func TestNonceCacheCoversWholeTimestampSpan(t *testing.T) {
	n := newNonceCache()
	s0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	n.use("k", "first", s0)                          // starts a generation
	if !n.use("k", "late", s0.Add(14*time.Minute)) { // e.g. stamped s0+28m, acceptable until s0+43m
		t.Fatal("fresh nonce refused")
	}
	n.use("k", "other", s0.Add(15*time.Minute))
	n.use("k", "other2", s0.Add(30*time.Minute))
	if n.use("k", "late", s0.Add(42*time.Minute)) {
		t.Fatal("nonce forgotten while a request carrying it can still be inside the timestamp window")
	}
}

// The cache must not keep client-chosen nonces verbatim: a long nonce would otherwise pin its whole
// length for up to two generations.
func TestNonceCacheMemoryDoesNotGrowWithNonceLength(t *testing.T) {
	n := newNonceCache()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	const count, size = 32, 1 << 20
	for i := range count {
		nonce := strings.Repeat(string(rune('a'+i%26)), size) + strconv.Itoa(i)
		if !n.use("k", nonce, now) {
			t.Fatal("fresh nonce refused")
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if grown := int64(after.HeapAlloc) - int64(before.HeapAlloc); grown > count*size/4 {
		t.Fatalf("heap grew by %d bytes for %d nonces of %d bytes", grown, count, size)
	}
	if n.size() != count {
		t.Fatalf("size = %d, want %d", n.size(), count)
	}
}

// Expired temporary keys stay (and answer Expired) until the table is full; then issuing drops them.
func TestTemporaryKeysAreBounded(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s, err := build([]Option{WithClock(func() time.Time { return now })})
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := s.IssueTemporaryCredentials(DefaultAccountID, time.Second)
	now = now.Add(time.Hour)
	if s.lookupKey(first) == nil {
		t.Fatal("an expired key vanished while the table is small")
	}
	for len(s.keys) < maxTemporaryKeys {
		s.IssueTemporaryCredentials(DefaultAccountID, time.Second)
	}
	now = now.Add(time.Hour)
	s.IssueTemporaryCredentials(DefaultAccountID, time.Hour)
	if n := len(s.keys); n > 2 {
		t.Fatalf("%d keys after issuing into a full table of expired ones, want the permanent key and the new one", n)
	}
}
