package emulator_test

import (
	"errors"
	"fmt"

	cloudapi "github.com/alibabacloud-go/cloudapi-20160714/v5/client"
	openapiutil "github.com/alibabacloud-go/darabonba-openapi/v2/utils"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator"
)

// A test starts an emulator, seeds what it needs without HTTP, points the official SDK at it, and
// inspects the result without HTTP either. Faults are injected per action.
func Example() {
	srv := emulator.New() // the default account, a free loopback port
	defer srv.Close()

	groupID, _ := srv.SeedGroup(emulator.DefaultAccountID, "", "example")
	apiID, _ := srv.SeedAPI(emulator.DefaultAccountID, "", emulator.APISpec{GroupID: groupID, Name: "get_user", Path: "/users"})

	client, _ := cloudapi.NewClient(&openapiutil.Config{
		AccessKeyId:     tea.String(emulator.DefaultAccessKeyID),
		AccessKeySecret: tea.String(emulator.DefaultAccessKeySecret),
		RegionId:        tea.String(emulator.DefaultRegion),
		Endpoint:        tea.String(srv.Endpoint()), // host:port, no scheme
		Protocol:        tea.String("HTTP"),
	})
	attach := &cloudapi.AttachApiProductRequest{ApiProductId: tea.String("example-product"),
		Apis: []*cloudapi.AttachApiProductRequestApis{{ApiId: tea.String(apiID), StageName: tea.String("RELEASE")}}}

	srv.InjectFault(emulator.Fault{Action: "AttachApiProduct", Kind: emulator.FaultThrottling, Count: 1})
	_, err := client.AttachApiProduct(attach)
	var sdkErr *tea.SDKError
	if errors.As(err, &sdkErr) {
		fmt.Println("first attempt:", tea.StringValue(sdkErr.Code))
	}
	if _, err := client.AttachApiProduct(attach); err != nil {
		fmt.Println(err)
	}

	atts, exists := srv.ProductAttachments(emulator.DefaultAccountID, "", "example-product")
	fmt.Println("product exists:", exists, "attachments:", len(atts), atts[0].StageName)
	fmt.Println("AttachApiProduct answered OK:", srv.RequestCount("AttachApiProduct", "OK"))
	// Output:
	// first attempt: Throttling
	// product exists: true attachments: 1 RELEASE
	// AttachApiProduct answered OK: 1
}
