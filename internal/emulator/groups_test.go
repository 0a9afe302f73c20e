package emulator_test

import (
	"testing"

	cloudapi "github.com/alibabacloud-go/cloudapi-20160714/v5/client"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator"
)

// The group operations on the wire: the answer's fields, the documented success for an unknown
// group, and the model's refusals as CloudAPI codes.
func TestGroupOperationsOnTheWire(t *testing.T) {
	s := startServer(t)
	c := defaultTyped(t, s)
	resp, err := c.CreateApiGroup(&cloudapi.CreateApiGroupRequest{GroupName: tea.String("same"), Description: tea.String("d")})
	if err != nil {
		t.Fatal(err)
	}
	b := resp.Body
	id := tea.StringValue(b.GroupId)
	if tea.StringValue(b.GroupName) != "same" || tea.StringValue(b.BasePath) != "/" ||
		tea.StringValue(b.SubDomain) != id+"-"+emulator.DefaultRegion+".alicloudapi.com" {
		t.Fatalf("CreateApiGroup = %s", b)
	}
	// Names need not be unique.
	if _, err := c.CreateApiGroup(&cloudapi.CreateApiGroupRequest{GroupName: tea.String("same")}); err != nil {
		t.Fatalf("second group named alike: %v", err)
	}
	_, err = c.CreateApiGroup(&cloudapi.CreateApiGroupRequest{GroupName: tea.String("x"), BasePath: tea.String("nope")})
	wantErr(t, err, "InvalidParameter", 400)

	if _, err := s.SeedAPI(emulator.DefaultAccountID, "", emulator.APISpec{GroupID: id, Name: "api_one", Path: "/one"}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteApiGroup(&cloudapi.DeleteApiGroupRequest{GroupId: tea.String(id)})
	wantErr(t, err, "InvalidParameter", 400)
	if _, err := c.DeleteApiGroup(&cloudapi.DeleteApiGroupRequest{GroupId: tea.String("0123456789abcdef0123456789abcdef")}); err != nil {
		t.Fatalf("deleting an unknown group: %v", err)
	}
}
