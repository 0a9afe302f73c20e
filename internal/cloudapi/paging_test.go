package cloudapi

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/alibabacloud-go/tea/tea"
)

// fakeListing is a listing served page by page the way a service would: pages cut from the
// current items at the served page size, with hooks to change the items between two requests.
type fakeListing struct {
	items []string
	// capAt serves at most this many items per page, whatever was asked (0: no cap).
	capAt int
	// refuseAbove answers 400 InvalidParameter to a PageSize above it (0: accept any).
	refuseAbove int
	// noTotal leaves TotalCount out; totalOverride replaces it.
	noTotal       bool
	totalOverride func(real int) int
	// between runs after page number was answered.
	between func(l *fakeListing, number int)
	calls   []string // "number/size" of each request
}

func (l *fakeListing) fetch(_ context.Context, number, size int) (listPage[string], error) {
	l.calls = append(l.calls, fmt.Sprintf("%d/%d", number, size))
	if l.refuseAbove > 0 && size > l.refuseAbove {
		return listPage[string]{}, &APIError{Action: "DescribeFake", Code: "InvalidParameter", StatusCode: http.StatusBadRequest, structured: true,
			Err: &tea.SDKError{Code: tea.String("InvalidParameter"), StatusCode: tea.Int(http.StatusBadRequest)}}
	}
	if size == 0 {
		size = 10
	}
	if l.capAt > 0 && size > l.capAt {
		size = l.capAt
	}
	lo := min((number-1)*size, len(l.items))
	hi := min(lo+size, len(l.items))
	p := listPage[string]{items: slices.Clone(l.items[lo:hi]), total: len(l.items)}
	if l.totalOverride != nil {
		p.total = l.totalOverride(len(l.items))
	}
	if l.noTotal {
		p.total = -1
	}
	if l.between != nil {
		l.between(l, number)
	}
	return p, nil
}

func (l *fakeListing) list(c *Client) ([]string, error) {
	return listAll(context.Background(), c, pagedListing[string, string]{
		action: "DescribeFake", subject: "fake", fetch: l.fetch, key: func(s string) string { return s },
	})
}

func items(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("item%03d", i+1)
	}
	return out
}

func without(s []string, drop ...string) []string {
	return slices.DeleteFunc(slices.Clone(s), func(x string) bool { return slices.Contains(drop, x) })
}

// TestListAll covers the end conditions and the re-listing of listAll with a fake page function.
func TestListAll(t *testing.T) {
	for _, tc := range []struct {
		name  string
		l     *fakeListing
		want  []string
		calls []string
	}{
		{name: "one short page with TotalCount", l: &fakeListing{items: items(7)}, want: items(7), calls: []string{"1/100"}},
		{name: "empty", l: &fakeListing{}, want: []string{}, calls: []string{"1/100"}},
		{name: "three pages", l: &fakeListing{items: items(250)}, want: items(250), calls: []string{"1/100", "2/100", "3/100"}},
		{name: "exactly one full page", l: &fakeListing{items: items(100)}, want: items(100), calls: []string{"1/100"}},
		// A service that serves 50 per page whatever PageSize says: the size is learnt from page 1
		// (TotalCount says there is more), and page 3 is short of it.
		{name: "server caps pages at 50", l: &fakeListing{items: items(120), capAt: 50}, want: items(120), calls: []string{"1/100", "2/100", "3/100"}},
		{name: "server caps pages at 50, no TotalCount", l: &fakeListing{items: items(120), capAt: 50, noTotal: true}, want: items(120),
			calls: []string{"1/100", "2/100", "3/100", "1/100", "2/100", "3/100"}},
		{name: "server caps at 50, 100 items, no TotalCount", l: &fakeListing{items: items(100), capAt: 50, noTotal: true}, want: items(100),
			calls: []string{"1/100", "2/100", "3/100", "1/100", "2/100", "3/100"}},
		// Without TotalCount, a short page 1 may be a capped page: page 2 tells. And a listing of
		// several pages is trusted once two readings agree.
		{name: "no TotalCount, short page 1", l: &fakeListing{items: items(7), noTotal: true}, want: items(7), calls: []string{"1/100", "2/100", "1/100", "2/100"}},
		{name: "no TotalCount, full then short", l: &fakeListing{items: items(130), noTotal: true}, want: items(130), calls: []string{"1/100", "2/100", "1/100", "2/100"}},
		{name: "no TotalCount, an item removed between pages", l: &fakeListing{items: items(150), noTotal: true, between: func(l *fakeListing, n int) {
			if n == 1 && slices.Contains(l.items, "item005") {
				l.items = without(l.items, "item005")
			}
		}}, want: without(items(150), "item005"), calls: []string{"1/100", "2/100", "1/100", "2/100", "1/100", "2/100"}},
		// TotalCount that is simply wrong but stable: the pages are read twice and trusted.
		{name: "TotalCount too high but stable", l: &fakeListing{items: items(150), totalOverride: func(int) int { return 500 }}, want: items(150),
			calls: []string{"1/100", "2/100", "1/100", "2/100"}},
		// PageSize 100 refused: the documented parameters work, then 50 does.
		{name: "PageSize above 50 refused", l: &fakeListing{items: items(120), refuseAbove: 50}, want: items(120), calls: []string{"1/100", "1/0", "1/50", "2/50", "3/50"}},
		{name: "every PageSize refused", l: &fakeListing{items: items(25), refuseAbove: 9}, want: items(25),
			calls: []string{"1/100", "1/0", "1/50", "1/20", "1/10", "2/0", "3/0"}},
		// Scenario 2 of issue 17: item 5 goes between our pages 1 and 2, item 101 moves onto page 1
		// after we read it, and page 2 starts at item 102. TotalCount changed: read again.
		{name: "an item removed between pages", l: &fakeListing{items: items(150), between: func(l *fakeListing, n int) {
			if n == 1 && slices.Contains(l.items, "item005") {
				l.items = without(l.items, "item005")
			}
		}}, want: without(items(150), "item005"), calls: []string{"1/100", "2/100", "1/100", "2/100"}},
		// Items added in front between pages push items already read onto the next page: kept once.
		{name: "duplicates across pages", l: &fakeListing{items: items(150), between: func(l *fakeListing, n int) {
			if n == 1 && l.items[0] == "item001" {
				l.items = append([]string{"new1", "new2"}, l.items...)
			}
		}}, want: append(items(150), "new1", "new2"), calls: []string{"1/100", "2/100", "1/100", "2/100"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.l.list(&Client{})
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(got)
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("got %d items, want %d; missing %v", len(got), len(want), without(want, got...))
			}
			if !slices.Equal(tc.l.calls, tc.calls) {
				t.Errorf("calls %v, want %v", tc.l.calls, tc.calls)
			}
		})
	}
}

// A service that refuses our PageSize before it says that the listed object does not exist: the
// answer to the documented parameters is the one to go by.
func TestListAllRefusedPageSizeOfAnUnknownObject(t *testing.T) {
	notFound := &APIError{Action: "DescribeFake", Code: "NotFoundApiProduct", StatusCode: http.StatusNotFound, structured: true,
		Err: &tea.SDKError{Code: tea.String("NotFoundApiProduct"), StatusCode: tea.Int(http.StatusNotFound)}}
	var calls []int
	_, err := listAll(context.Background(), &Client{}, pagedListing[string, string]{
		action: "DescribeFake", subject: "fake", key: func(s string) string { return s },
		fetch: func(_ context.Context, _, size int) (listPage[string], error) {
			calls = append(calls, size)
			if size > 50 {
				return listPage[string]{}, &APIError{Action: "DescribeFake", Code: "InvalidParameter", StatusCode: http.StatusBadRequest, structured: true,
					Err: &tea.SDKError{Code: tea.String("InvalidParameter"), StatusCode: tea.Int(http.StatusBadRequest)}}
			}
			return listPage[string]{}, notFound
		},
	})
	if !IsNotFound(err) || !slices.Equal(calls, []int{100, 0}) {
		t.Fatalf("err = %v after calls with sizes %v, want not found after [100 0]", err, calls)
	}
}

// The page size a service accepts is remembered per operation for the client's life.
func TestListAllRemembersTheAcceptedPageSize(t *testing.T) {
	c := &Client{}
	l := &fakeListing{items: items(60), refuseAbove: 50}
	if _, err := l.list(c); err != nil {
		t.Fatal(err)
	}
	l.calls = nil
	if _, err := l.list(c); err != nil {
		t.Fatal(err)
	}
	if want := []string{"1/50", "2/50"}; !slices.Equal(l.calls, want) {
		t.Fatalf("second listing: calls %v, want %v", l.calls, want)
	}
	if got := c.pageSizes.get("DescribeOther"); got != pageSize {
		t.Fatalf("another operation starts at %d, want %d", got, pageSize)
	}
}

// A listing that never stops changing, and one that never ends, are errors, not answers.
func TestListAllGivesUp(t *testing.T) {
	t.Run("always changing", func(t *testing.T) {
		n := 0
		l := &fakeListing{items: items(150), between: func(l *fakeListing, number int) {
			if number == 1 {
				n++
				l.items = without(l.items, l.items[0])
			}
		}}
		_, err := l.list(&Client{})
		if err == nil || !strings.Contains(err.Error(), "changed while it was read, 5 times in a row") {
			t.Fatalf("err = %v", err)
		}
		if n != maxListAttempts {
			t.Fatalf("%d rounds, want %d", n, maxListAttempts)
		}
	})
	t.Run("endless", func(t *testing.T) {
		old := maxPages
		maxPages = 4
		t.Cleanup(func() { maxPages = old })
		l := &fakeListing{items: items(1000), totalOverride: func(int) int { return 100000 }}
		_, err := l.list(&Client{})
		if err == nil || !strings.Contains(err.Error(), "stopped after 4 pages") {
			t.Fatalf("err = %v", err)
		}
		if len(l.calls) != 4 {
			t.Fatalf("%d calls, want 4", len(l.calls))
		}
	})
}

// Scenario 2 of issue 17 through the real client: pair #5 is detached by someone else between our
// pages 1 and 2, so pair #101 moves onto page 1 after we read it. It was attached all along and
// must be listed.
func TestListProductAPIsWhileAnotherProcessDetaches(t *testing.T) {
	f := newFakeAPI(t)
	want := f.seedProduct("p1", 150)
	f.afterPage = func(f *fakeAPI, page int) {
		if page == 1 && f.products["p1"][4].APIID == "api0004" {
			f.products["p1"] = slices.Delete(f.products["p1"], 4, 5)
		}
	}
	c := newTestClient(t, f.endpoint(), fastPolicy(newFakeClock()))
	got, err := c.ListProductAPIs(context.Background(), "p1", Strict)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 149 || !slices.Contains(got, want[100]) || slices.Contains(got, want[4]) {
		t.Fatalf("got %d APIs (has #101 %v, has the detached #5 %v), want the 149 attached ones",
			len(got), slices.Contains(got, want[100]), slices.Contains(got, want[4]))
	}
	if _, err := c.FindAttachment(context.Background(), "p1", want[100].APIID, "RELEASE", Strict); err != nil {
		t.Fatalf("FindAttachment(#101): %v", err)
	}
}
