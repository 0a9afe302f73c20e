package emulator_test

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	cloudapi "github.com/alibabacloud-go/cloudapi-20160714/v5/client"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator"
	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator/model"
)

func TestAccountIsolation(t *testing.T) {
	s, alice, bob, a, b := twoAccounts(t)

	// The default account does not exist when accounts are configured.
	_, err := defaultTyped(t, s).DescribeApis(&cloudapi.DescribeApisRequest{})
	wantErr(t, err, "InvalidAccessKeyId.NotFound", 404)

	fx := seedFixture(t, s, alice.ID)
	if _, err := a.AttachApiProduct(attachReq("shared-name", fx.apiID, "RELEASE")); err != nil {
		t.Fatal(err)
	}
	// Bob cannot see or touch Alice's API, group or product: plain not-found, no permission hint.
	_, err = b.AttachApiProduct(attachReq("bobs", fx.apiID, "RELEASE"))
	wantErr(t, err, "NotFoundApi", 404)
	_, err = b.DescribeApi(&cloudapi.DescribeApiRequest{ApiId: tea.String(fx.apiID)})
	wantErr(t, err, "NotFoundApi", 404)
	_, err = b.DescribeApiProductApis(&cloudapi.DescribeApiProductApisRequest{ApiProductId: tea.String("shared-name")})
	wantErr(t, err, "NotFoundApiProduct", 404)
	_, err = b.DetachApiProduct(detachReq("shared-name", fx.apiID, "RELEASE"))
	wantErr(t, err, "NotFoundApiProduct", 404)
	_, err = b.DeleteApiProduct(&cloudapi.DeleteApiProductRequest{ApiProductId: tea.String("shared-name")})
	wantErr(t, err, "NotFoundApiProduct", 404)
	_, err = b.DeployApi(&cloudapi.DeployApiRequest{ApiId: tea.String(fx.apiID), StageName: tea.String("PRE"), Description: tea.String("x")})
	wantErr(t, err, "NotFoundApi", 404)
	_, err = b.CreateApi(&cloudapi.CreateApiRequest{GroupId: tea.String(fx.groupID), ApiName: tea.String("bobs_api"),
		Visibility: tea.String("PUBLIC"), RequestConfig: tea.String(requestConfig("GET", "/b")), ServiceConfig: tea.String(serviceConfigJSON)})
	wantErr(t, err, "NotFoundApiGroup", 404)
	list, err := b.DescribeApis(&cloudapi.DescribeApisRequest{})
	if err != nil || tea.Int32Value(list.Body.TotalCount) != 0 {
		t.Fatalf("Bob lists Alice's APIs: %v %v", err, list)
	}
	// Deleting Alice's group as Bob is the documented no-op success, and the group survives.
	if _, err := b.DeleteApiGroup(&cloudapi.DeleteApiGroupRequest{GroupId: tea.String(fx.groupID)}); err != nil {
		t.Fatal(err)
	}
	// Bob may use the same product id for his own product.
	bfx := seedFixture(t, s, bob.ID)
	if _, err := b.AttachApiProduct(attachReq("shared-name", bfx.apiID, "TEST")); err != nil {
		t.Fatal(err)
	}
	aAtts, _ := s.ProductAttachments(alice.ID, "", "shared-name")
	bAtts, _ := s.ProductAttachments(bob.ID, "", "shared-name")
	if !reflect.DeepEqual(aAtts, []emulator.Attachment{{fx.apiID, "RELEASE"}}) || !reflect.DeepEqual(bAtts, []emulator.Attachment{{bfx.apiID, "TEST"}}) {
		t.Fatalf("alice %v bob %v", aAtts, bAtts)
	}
	// Regions are separate too: the legacy client sends RegionId.
	l := legacyClient(t, s, alice.AccessKeyID, alice.AccessKeySecret)
	if _, err := l.describeProduct("shared-name", 1, 10); err != nil {
		t.Fatalf("same region via legacy: %v", err)
	}
	other, err := s.SeedGroup(alice.ID, "cn-shanghai", "shanghai_group")
	if err != nil || other == fx.groupID {
		t.Fatal(err)
	}
	if _, ok := s.ProductAttachments(alice.ID, "cn-shanghai", "shared-name"); ok {
		t.Fatalf("product visible in another region")
	}
}

func TestAttachAtomicity(t *testing.T) {
	s := startServer(t)
	gid, _ := s.SeedGroup(emulator.DefaultAccountID, "", "atomic_group")
	var ids []string
	for i := range 4 {
		id, err := s.SeedAPI(emulator.DefaultAccountID, "", emulator.APISpec{GroupID: gid, Name: fmt.Sprintf("atomic_%d", i), Path: fmt.Sprintf("/a/%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	c := defaultTyped(t, s)
	bad := strings.Repeat("f", 32)
	_, err := c.AttachApiProduct(attachReq("atomic", ids[0], "RELEASE", ids[1], "PRE", bad, "RELEASE", ids[2], "TEST"))
	wantErr(t, err, "NotFoundApi", 404)
	if _, ok := s.ProductAttachments(emulator.DefaultAccountID, "", "atomic"); ok {
		t.Fatalf("failed attach created the product")
	}
	if _, err := c.AttachApiProduct(attachReq("atomic", ids[0], "RELEASE")); err != nil {
		t.Fatal(err)
	}
	_, err = c.AttachApiProduct(attachReq("atomic", ids[1], "RELEASE", ids[2], "BAD"))
	wantErr(t, err, "InvalidParameter", 400)
	_, err = c.AttachApiProduct(attachReq("atomic", ids[1], "RELEASE", bad, "TEST"))
	wantErr(t, err, "NotFoundApi", 404)
	_, err = c.DetachApiProduct(detachReq("atomic", ids[0], "RELEASE", ids[1], "WRONG"))
	wantErr(t, err, "InvalidParameter", 400)
	got, _ := s.ProductAttachments(emulator.DefaultAccountID, "", "atomic")
	if !reflect.DeepEqual(got, []emulator.Attachment{{ids[0], "RELEASE"}}) {
		t.Fatalf("after failed calls: %v", got)
	}
	// Detaching the last pair leaves an empty product that still exists.
	if _, err := c.DetachApiProduct(detachReq("atomic", ids[0], "RELEASE")); err != nil {
		t.Fatal(err)
	}
	r, err := c.DescribeApiProductApis(&cloudapi.DescribeApiProductApisRequest{ApiProductId: tea.String("atomic")})
	if err != nil || tea.Int32Value(r.Body.TotalCount) != 0 || len(r.Body.ApiInfoList.ApiInfo) != 0 {
		t.Fatalf("emptied product: %v %v", err, r)
	}
	if tea.Int32Value(r.Body.PageNumber) != 1 || tea.Int32Value(r.Body.PageSize) != 10 {
		t.Fatalf("defaults PageNumber/PageSize = %d/%d", tea.Int32Value(r.Body.PageNumber), tea.Int32Value(r.Body.PageSize))
	}
	if _, err := c.DeleteApiProduct(&cloudapi.DeleteApiProductRequest{ApiProductId: tea.String("atomic")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeApiProductApis(&cloudapi.DescribeApiProductApisRequest{ApiProductId: tea.String("atomic")})
	wantErr(t, err, "NotFoundApiProduct", 404)
}

func TestDeleteAPIRemovesAttachments(t *testing.T) {
	s := startServer(t)
	fx := seedFixture(t, s, emulator.DefaultAccountID)
	c := defaultTyped(t, s)
	other, _ := s.SeedAPI(emulator.DefaultAccountID, "", emulator.APISpec{GroupID: fx.groupID, Name: "other_api", Path: "/other"})
	for _, p := range []string{"pa", "pb"} {
		if _, err := c.AttachApiProduct(attachReq(p, fx.apiID, "RELEASE", other, "PRE", fx.apiID, "TEST")); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.AbolishApi(&cloudapi.AbolishApiRequest{ApiId: tea.String(fx.apiID), StageName: tea.String("RELEASE")}); err != nil {
		t.Fatal(err)
	}
	// Abolishing a stage that is not deployed is a no-op success.
	if _, err := c.AbolishApi(&cloudapi.AbolishApiRequest{ApiId: tea.String(fx.apiID), StageName: tea.String("PRE")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteApi(&cloudapi.DeleteApiRequest{GroupId: tea.String(fx.groupID), ApiId: tea.String(fx.apiID)}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"pa", "pb"} {
		got, ok := s.ProductAttachments(emulator.DefaultAccountID, "", p)
		if !ok || !reflect.DeepEqual(got, []emulator.Attachment{{other, "PRE"}}) {
			t.Fatalf("%s after DeleteApi: %v", p, got)
		}
	}
	_, err := c.DeleteApi(&cloudapi.DeleteApiRequest{ApiId: tea.String(fx.apiID)})
	wantErr(t, err, "NotFoundApi", 404)
	if _, err := c.DeleteApi(&cloudapi.DeleteApiRequest{ApiId: tea.String(other)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteApiGroup(&cloudapi.DeleteApiGroupRequest{GroupId: tea.String(fx.groupID)}); err != nil {
		t.Fatalf("DeleteApiGroup of an empty group: %v", err)
	}
	// Deleting it again succeeds, as Alibaba documents for unknown groups.
	if _, err := c.DeleteApiGroup(&cloudapi.DeleteApiGroupRequest{GroupId: tea.String(fx.groupID)}); err != nil {
		t.Fatal(err)
	}
}

func TestDescribeAPIsFilters(t *testing.T) {
	s := startServer(t)
	g1, _ := s.SeedGroup(emulator.DefaultAccountID, "", "g_one")
	g2, _ := s.SeedGroup(emulator.DefaultAccountID, "", "g_two")
	mk := func(g, name, method, vis string, stages ...string) string {
		id, err := s.SeedAPI(emulator.DefaultAccountID, "", emulator.APISpec{GroupID: g, Name: name, Method: method, Path: "/" + name, Visibility: vis})
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range stages {
			if err := s.SeedDeployment(emulator.DefaultAccountID, "", id, st); err != nil {
				t.Fatal(err)
			}
		}
		return id
	}
	a := mk(g1, "tf_testacc_alpha", "GET", "PUBLIC", "RELEASE")
	b := mk(g1, "tf_testacc_beta", "POST", "PRIVATE")
	c2 := mk(g2, "other_gamma", "GET", "PUBLIC", "TEST", "PRE")
	c := defaultTyped(t, s)
	ids := func(r *cloudapi.DescribeApisRequest) []string {
		t.Helper()
		resp, err := c.DescribeApis(r)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, x := range resp.Body.ApiSummarys.ApiSummary {
			out = append(out, tea.StringValue(x.ApiId))
		}
		if int(tea.Int32Value(resp.Body.TotalCount)) != len(out) {
			t.Fatalf("TotalCount %d for %d items", tea.Int32Value(resp.Body.TotalCount), len(out))
		}
		return out
	}
	for name, tc := range map[string]struct {
		r    *cloudapi.DescribeApisRequest
		want []string
	}{
		"all":        {&cloudapi.DescribeApisRequest{}, []string{a, b, c2}},
		"group":      {&cloudapi.DescribeApisRequest{GroupId: tea.String(g1)}, []string{a, b}},
		"name fuzzy": {&cloudapi.DescribeApisRequest{ApiName: tea.String("testacc")}, []string{a, b}},
		"method":     {&cloudapi.DescribeApisRequest{ApiMethod: tea.String("GET")}, []string{a, c2}},
		"visibility": {&cloudapi.DescribeApisRequest{Visibility: tea.String("PRIVATE")}, []string{b}},
		"stage":      {&cloudapi.DescribeApisRequest{StageName: tea.String("PRE")}, []string{c2}},
		"undeployed": {&cloudapi.DescribeApisRequest{UnDeployed: tea.Bool(true)}, []string{b}},
		"api id":     {&cloudapi.DescribeApisRequest{ApiId: tea.String(c2)}, []string{c2}},
		"path":       {&cloudapi.DescribeApisRequest{ApiPath: tea.String("/tf_testacc_beta")}, []string{b}},
	} {
		if got := ids(tc.r); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %v want %v", name, got, tc.want)
		}
	}
}

func TestVisibilityDelay(t *testing.T) {
	clock := emulator.NewManualClock(time.Now())
	s := startServer(t, emulator.WithClock(clock.Now), emulator.WithVisibilityDelay(2*time.Second))
	fx := seedFixture(t, s, emulator.DefaultAccountID)
	c := defaultTyped(t, s)
	if _, err := c.AttachApiProduct(attachReq("vis", fx.apiID, "RELEASE")); err != nil {
		t.Fatal(err)
	}
	total := func() int {
		r, err := c.DescribeApiProductApis(&cloudapi.DescribeApiProductApisRequest{ApiProductId: tea.String("vis")})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Body.ApiInfoList.ApiInfo) != int(tea.Int32Value(r.Body.TotalCount)) {
			t.Fatalf("items and TotalCount disagree")
		}
		return int(tea.Int32Value(r.Body.TotalCount))
	}
	if n := total(); n != 0 {
		t.Fatalf("fresh attachment visible: %d", n)
	}
	if got, _ := s.ProductAttachments(emulator.DefaultAccountID, "", "vis"); len(got) != 1 {
		t.Fatalf("ProductAttachments must show the truth: %v", got)
	}
	clock.Advance(1500 * time.Millisecond)
	if _, err := c.AttachApiProduct(attachReq("vis", fx.apiID, "TEST")); err != nil {
		t.Fatal(err)
	}
	clock.Advance(600 * time.Millisecond)
	if n := total(); n != 1 {
		t.Fatalf("after 2.1s: %d visible, want 1", n)
	}
	clock.Advance(2 * time.Second)
	if n := total(); n != 2 {
		t.Fatalf("after 4.1s: %d visible, want 2", n)
	}
}

func TestResetAndCounters(t *testing.T) {
	s := startServer(t)
	fx := seedFixture(t, s, emulator.DefaultAccountID)
	c := defaultTyped(t, s)
	if _, err := c.AttachApiProduct(attachReq("r1", fx.apiID, "RELEASE")); err != nil {
		t.Fatal(err)
	}
	if s.RequestCount("AttachApiProduct", "") != 1 || s.RequestCount("", "") != 1 {
		t.Fatalf("counters before reset")
	}
	s.Reset()
	if s.RequestCount("", "") != 0 {
		t.Fatalf("counters survive Reset")
	}
	if _, ok := s.ProductAttachments(emulator.DefaultAccountID, "", "r1"); ok {
		t.Fatalf("product survives Reset")
	}
	_, err := c.AttachApiProduct(attachReq("r1", fx.apiID, "RELEASE"))
	wantErr(t, err, "NotFoundApi", 404)
}

// TestConcurrentAttachDetach hammers one product from many goroutines through the real client. Each
// goroutine owns a set of pairs: it attaches all of them, detaches every other one and re-attaches
// some, so the final content is known exactly whatever the interleaving.
func TestConcurrentAttachDetach(t *testing.T) {
	s := startServer(t)
	gid, _ := s.SeedGroup(emulator.DefaultAccountID, "", "conc_group")
	const workers, perWorker = 8, 6
	apis := make([][]string, workers)
	for w := range workers {
		for i := range perWorker {
			id, err := s.SeedAPI(emulator.DefaultAccountID, "", emulator.APISpec{GroupID: gid, Name: fmt.Sprintf("conc_%d_%d", w, i), Path: fmt.Sprintf("/c/%d/%d", w, i)})
			if err != nil {
				t.Fatal(err)
			}
			apis[w] = append(apis[w], id)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, workers*100)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := concurrentTyped(t, s)
			for round := 0; round < 3; round++ {
				for _, id := range apis[w] {
					if _, err := c.AttachApiProduct(attachReq("busy", id, "RELEASE", id, "TEST")); err != nil {
						errs <- err
					}
				}
				for i, id := range apis[w] {
					if i%2 == 0 {
						if _, err := c.DetachApiProduct(detachReq("busy", id, "TEST")); err != nil {
							errs <- err
						}
					}
				}
				if _, err := c.DescribeApiProductApis(&cloudapi.DescribeApiProductApisRequest{ApiProductId: tea.String("busy"), PageSize: tea.Int32(100)}); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent call failed: %v", err)
	}
	got, _ := s.ProductAttachments(emulator.DefaultAccountID, "", "busy")
	want := map[emulator.Attachment]bool{}
	for w := range workers {
		for i, id := range apis[w] {
			want[emulator.Attachment{APIID: id, StageName: "RELEASE"}] = true
			if i%2 == 1 {
				want[emulator.Attachment{APIID: id, StageName: "TEST"}] = true
			}
		}
	}
	gotSet := map[emulator.Attachment]bool{}
	for _, a := range got {
		if gotSet[a] {
			t.Fatalf("duplicate attachment %v", a)
		}
		gotSet[a] = true
	}
	if !reflect.DeepEqual(gotSet, want) {
		t.Fatalf("final set has %d pairs, want %d", len(gotSet), len(want))
	}
	// Every worker's RELEASE pairs keep their first-attach order relative to each other.
	pos := map[string]int{}
	for i, a := range got {
		if a.StageName == "RELEASE" {
			pos[a.APIID] = i
		}
	}
	for w := range workers {
		for i := 1; i < perWorker; i++ {
			if pos[apis[w][i-1]] > pos[apis[w][i]] {
				t.Fatalf("worker %d: attach order not kept", w)
			}
		}
	}
	if n := s.RequestCount("AttachApiProduct", "OK"); n != workers*perWorker*3 {
		t.Fatalf("RequestCount(AttachApiProduct, OK) = %d", n)
	}
}

func TestPersistenceAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	seed := &emulator.Seed{Accounts: []emulator.SeedAccount{{ID: "3333333333333333", AccessKeyID: "LTAI5tSeeded", AccessKeySecret: "seeded-secret",
		Regions: []emulator.SeedRegion{{Region: emulator.DefaultRegion, Groups: []emulator.SeedGroupSpec{{Name: "seeded_group",
			APIs: []emulator.SeedAPISpec{{Name: "seeded_api", Path: "/seeded", Deploy: []string{"RELEASE"}}}}}}}}}}

	s1, err := emulator.Start(emulator.WithStateFile(path), emulator.WithSeedData(seed))
	if err != nil {
		t.Fatal(err)
	}
	fx := seedFixture(t, s1, emulator.DefaultAccountID)
	c := defaultTyped(t, s1)
	if _, err := c.AttachApiProduct(attachReq("persist", fx.apiID, "RELEASE", fx.apiID, "TEST")); err != nil {
		t.Fatal(err)
	}
	sc := typedClient(t, clientConfig(s1, "LTAI5tSeeded", "seeded-secret"))
	list, err := sc.DescribeApis(&cloudapi.DescribeApisRequest{})
	if err != nil || tea.Int32Value(list.Body.TotalCount) != 1 {
		t.Fatalf("seeded account: %v %v", err, list)
	}
	seededAPI := tea.StringValue(list.Body.ApiSummarys.ApiSummary[0].ApiId)
	if _, err := sc.AttachApiProduct(attachReq("seeded-product", seededAPI, "RELEASE")); err != nil {
		t.Fatal(err)
	}
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}

	// Restart: state is back, the seed is not applied again, seeded credentials still work.
	s2 := startServer(t, emulator.WithStateFile(path), emulator.WithSeedData(seed))
	got, ok := s2.ProductAttachments(emulator.DefaultAccountID, "", "persist")
	if !ok || !reflect.DeepEqual(got, []emulator.Attachment{{fx.apiID, "RELEASE"}, {fx.apiID, "TEST"}}) {
		t.Fatalf("after restart: %v %v", got, ok)
	}
	sc2 := typedClient(t, clientConfig(s2, "LTAI5tSeeded", "seeded-secret"))
	list, err = sc2.DescribeApis(&cloudapi.DescribeApisRequest{})
	if err != nil || tea.Int32Value(list.Body.TotalCount) != 1 {
		t.Fatalf("seed applied twice or account lost: %v %v", err, list)
	}
	r, err := defaultTyped(t, s2).DescribeApi(&cloudapi.DescribeApiRequest{ApiId: tea.String(fx.apiID)})
	if err != nil || tea.StringValue(r.Body.RequestConfig.RequestPath) != "/fixture" || tea.StringValue(r.Body.DeployedInfos.DeployedInfo[0].DeployedStatus) != "DEPLOYED" {
		t.Fatalf("API after restart: %v %v", err, r)
	}
	// New ids after restart do not collide and the state keeps evolving.
	if _, err := defaultTyped(t, s2).DetachApiProduct(detachReq("persist", fx.apiID, "TEST")); err != nil {
		t.Fatal(err)
	}
	if err := s2.Close(); err != nil {
		t.Fatal(err)
	}
	s3 := startServer(t, emulator.WithStateFile(path))
	got, _ = s3.ProductAttachments(emulator.DefaultAccountID, "", "persist")
	if !reflect.DeepEqual(got, []emulator.Attachment{{fx.apiID, "RELEASE"}}) {
		t.Fatalf("after second restart: %v", got)
	}
}

func TestCorruptStateFile(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"garbage":          "{not json",
		"no version":       `{"state":[]}`,
		"future version":   `{"version":99,"state":[]}`,
		"dangling api ref": `{"version":1,"state":[{"account":"1","region":"cn-hangzhou","groups":[],"apis":[],"products":[{"id":"p","attachments":[{"apiId":"x","stage":"RELEASE"}]}]}]}`,
	} {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".json")
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := emulator.Start(emulator.WithStateFile(path))
		if err == nil {
			s.Close()
			t.Fatalf("%s: Start succeeded", name)
		}
		if !strings.Contains(err.Error(), path) && !strings.Contains(err.Error(), filepath.Base(path)) {
			t.Errorf("%s: error does not name the file: %v", name, err)
		}
		after, _ := os.ReadFile(path)
		if string(after) != content {
			t.Fatalf("%s: the corrupt file was modified", name)
		}
	}
}

func TestStartRejectsBadOptions(t *testing.T) {
	for name, opts := range map[string][]emulator.Option{
		"account without secret": {emulator.WithAccount(emulator.Account{ID: "1", AccessKeyID: "k"})},
		"duplicate key": {emulator.WithAccount(emulator.Account{ID: "1", AccessKeyID: "k", AccessKeySecret: "s"}),
			emulator.WithAccount(emulator.Account{ID: "2", AccessKeyID: "k", AccessKeySecret: "t"})},
		"bad region":  {emulator.WithRegion("Not A Region")},
		"bad address": {emulator.WithAddr("nonsense")},
		"bad fault":   {emulator.WithFaults(emulator.Fault{Kind: "Meteor"})},
		"negative":    {emulator.WithMaxItemsPerCall(-1)},
		"page cap":    {emulator.WithBehaviour(model.Behaviour{CapPageSize: -1})},
		"page limit":  {emulator.WithBehaviour(model.Behaviour{RefusePageSizeAbove: -1})},
		"every write": {emulator.WithBehaviour(model.Behaviour{LockTimeoutEvery: 1})},
		"every proxy": {emulator.WithBehaviour(model.Behaviour{ProxyNotFoundEvery: 1})},
	} {
		if s, err := emulator.Start(opts...); err == nil {
			s.Close()
			t.Errorf("%s: Start succeeded", name)
		}
	}
	s := startServer(t)
	if !strings.HasPrefix(s.URL(), "http://127.0.0.1:") || s.URL() != "http://"+s.Endpoint() {
		t.Fatalf("URL %q Endpoint %q", s.URL(), s.Endpoint())
	}
	hidden := emulator.Account{ID: "1", AccessKeyID: "k", AccessKeySecret: "hidden"}
	if fmt.Sprint(hidden) == "" || strings.Contains(fmt.Sprintf("%v %+v %#v %s", hidden, hidden, hidden, hidden), "hidden") {
		t.Fatalf("Account formatting shows the secret")
	}
}

// With a maximum page size below the default of 10, a request without PageSize gets pages of the
// maximum, not 10.
func TestMaxPageSizeBoundsDefaultPage(t *testing.T) {
	s := startServer(t, emulator.WithMaxPageSize(5))
	gid, _ := s.SeedGroup(emulator.DefaultAccountID, "", "paged_group")
	c := defaultTyped(t, s)
	for i := range 7 {
		id, err := s.SeedAPI(emulator.DefaultAccountID, "", emulator.APISpec{GroupID: gid, Name: fmt.Sprintf("paged_%d", i), Path: fmt.Sprintf("/p/%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.AttachApiProduct(attachReq("paged", id, "RELEASE")); err != nil {
			t.Fatal(err)
		}
	}
	r, err := c.DescribeApiProductApis(&cloudapi.DescribeApiProductApisRequest{ApiProductId: tea.String("paged")})
	if err != nil {
		t.Fatal(err)
	}
	if size, n, total := tea.Int32Value(r.Body.PageSize), len(r.Body.ApiInfoList.ApiInfo), tea.Int32Value(r.Body.TotalCount); size != 5 || n != 5 || total != 7 {
		t.Fatalf("PageSize %d, %d items, TotalCount %d; want 5, 5, 7", size, n, total)
	}
	apis, err := c.DescribeApis(&cloudapi.DescribeApisRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if size, n := tea.Int32Value(apis.Body.PageSize), len(apis.Body.ApiSummarys.ApiSummary); size != 5 || n != 5 {
		t.Fatalf("DescribeApis PageSize %d with %d items; want 5, 5", size, n)
	}
}
