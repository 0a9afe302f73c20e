package model

import (
	"testing"
	"time"
)

// Reading a region nobody created must not create it: RegionId is client-chosen.
func TestLookupDoesNotCreateRegions(t *testing.T) {
	b := NewBackend(nil)
	if _, err := b.Lookup("1", "xx-nowhere-1").DescribeAPI("", "a"); err == nil {
		t.Fatal("DescribeAPI in an empty region succeeded")
	}
	if n := len(b.sortedRegions()); n != 0 {
		t.Fatalf("%d regions after a read, want 0", n)
	}
	changes := 0
	b = NewBackend(func() { changes++ })
	if _, err := b.Region("1", "cn-hangzhou").CreateGroup(CreateGroupRequest{Name: "g"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if b.Empty() || changes != 1 || len(b.Lookup("1", "cn-hangzhou").groups) != 1 {
		t.Fatalf("after CreateGroup: empty=%v changes=%d", b.Empty(), changes)
	}
	b.Reset()
	if !b.Empty() || changes != 2 {
		t.Fatalf("after Reset: empty=%v changes=%d", b.Empty(), changes)
	}
}
