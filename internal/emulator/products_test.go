package emulator_test

import (
	"testing"

	cloudapi "github.com/alibabacloud-go/cloudapi-20160714/v5/client"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator"
)

// The product operations' refusals on the wire: the product id's shape is checked before the items,
// an unknown API is 404 NotFoundApi, an unknown product 404 NotFoundApiProduct, and a bad page size
// InvalidParameter.
func TestProductErrorsOnTheWire(t *testing.T) {
	s := startServer(t, emulator.WithMaxPageSize(20))
	c := defaultTyped(t, s)
	_, err := c.AttachApiProduct(&cloudapi.AttachApiProductRequest{ApiProductId: tea.String("bad id!")})
	wantErr(t, err, "InvalidParameter", 400)
	_, err = c.AttachApiProduct(attachReq("p", "0123456789abcdef0123456789abcdef", "RELEASE"))
	wantErr(t, err, "NotFoundApi", 404)
	_, err = c.DetachApiProduct(detachReq("p", "0123456789abcdef0123456789abcdef", "RELEASE"))
	wantErr(t, err, "NotFoundApiProduct", 404)
	_, err = c.DescribeApiProductApis(&cloudapi.DescribeApiProductApisRequest{ApiProductId: tea.String("p"), PageSize: tea.Int32(21)})
	wantErr(t, err, "InvalidParameter", 400)
	_, err = c.DeleteApiProduct(&cloudapi.DeleteApiProductRequest{ApiProductId: tea.String("p")})
	wantErr(t, err, "NotFoundApiProduct", 404)
}
