package cloudapi

import (
	"context"
	"testing"
)

func newClientWith(t testing.TB, endpoint string, clock *fakeClock, disable bool) *Client {
	t.Helper()
	c, err := New(Config{RegionID: "cn-hangzhou", Endpoint: endpoint, Protocol: "HTTP", Credential: testCredential(t),
		Retry: fastPolicy(clock), DisableBatchingAndSharing: disable})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

var _ = context.Background
