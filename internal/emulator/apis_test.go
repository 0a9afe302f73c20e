package emulator_test

import (
	"testing"

	cloudapi "github.com/alibabacloud-go/cloudapi-20160714/v5/client"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator"
)

// CreateApi's JSON-valued parameters are decoded by the protocol layer; malformed ones are
// InvalidParameter naming the member, and the model's own refusals keep their codes.
func TestCreateAPIDecodingOnTheWire(t *testing.T) {
	s := startServer(t)
	gid, err := s.SeedGroup(emulator.DefaultAccountID, "", "g")
	if err != nil {
		t.Fatal(err)
	}
	c := defaultTyped(t, s)
	req := func(rc, sc string) *cloudapi.CreateApiRequest {
		return &cloudapi.CreateApiRequest{GroupId: tea.String(gid), ApiName: tea.String("api_one"), Visibility: tea.String("PUBLIC"),
			RequestConfig: tea.String(rc), ServiceConfig: tea.String(sc)}
	}
	for _, tc := range []struct{ name, rc, sc, code string }{
		{"RequestConfig not JSON", `[1]`, `{}`, "InvalidParameter"},
		{"method not a string", `{"RequestHttpMethod":1,"RequestPath":"/a"}`, `{}`, "InvalidParameter"},
		{"bad timeout", `{"RequestHttpMethod":"GET","RequestPath":"/a"}`, `{"ServiceTimeout":"soon"}`, "InvalidParameter"},
		{"no path", `{"RequestHttpMethod":"GET"}`, `{}`, "MissingParameter"},
	} {
		_, err := c.CreateApi(req(tc.rc, tc.sc))
		if code, _ := errCodeStatus(t, err); code != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
	resp, err := c.CreateApi(req(`{"RequestHttpMethod":"post","RequestPath":"/a"}`, `{"ServiceTimeout":"1500"}`))
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.DescribeApi(&cloudapi.DescribeApiRequest{ApiId: resp.Body.ApiId})
	if err != nil {
		t.Fatal(err)
	}
	if tea.StringValue(d.Body.RequestConfig.RequestHttpMethod) != "POST" || tea.Int32Value(d.Body.ServiceConfig.ServiceTimeout) != 1500 {
		t.Fatalf("DescribeApi = %s", d.Body)
	}
	_, err = c.CreateApi(&cloudapi.CreateApiRequest{GroupId: tea.String("0123456789abcdef0123456789abcdef"), ApiName: tea.String("api_two"),
		Visibility: tea.String("PUBLIC"), RequestConfig: tea.String(`{"RequestHttpMethod":"GET","RequestPath":"/b"}`), ServiceConfig: tea.String(`{}`)})
	wantErr(t, err, "NotFoundApiGroup", 404)
}
