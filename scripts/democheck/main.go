// Command democheck asks an API Gateway endpoint (normally the local emulator
// started by scripts/demo.sh) how many APIs an API product has, and fails
// unless the count is the expected one.
//
// The demo uses it after `terraform destroy`, when no Terraform state is left
// to ask: it goes through internal/cloudapi, the same client the provider uses,
// so it sees exactly what the provider would see.
//
// Usage:
//
//	go run ./scripts/democheck -endpoint 127.0.0.1:PORT -product ID -want 0
//
// Credentials come from -access-key / -secret-key, or from ALICLOUD_ACCESS_KEY
// and ALICLOUD_SECRET_KEY. A product that does not exist counts as 0 APIs.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aliyun/credentials-go/credentials"

	"github.com/cloudapi/terraform-provider-apigateway/internal/cloudapi"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "democheck: %v\n", err)
		os.Exit(1)
	}
}

func run() error {
	endpoint := flag.String("endpoint", "", "host:port (or URL) of the API Gateway endpoint")
	protocol := flag.String("protocol", "", "HTTP or HTTPS (default: the scheme of -endpoint, else HTTP)")
	region := flag.String("region", "cn-hangzhou", "region id")
	product := flag.String("product", "", "API product id")
	want := flag.Int("want", 0, "expected number of attached (API, stage) pairs")
	accessKey := flag.String("access-key", os.Getenv("ALICLOUD_ACCESS_KEY"), "access key id (default $ALICLOUD_ACCESS_KEY)")
	secretKey := flag.String("secret-key", "", "access key secret (default $ALICLOUD_SECRET_KEY)")
	timeout := flag.Duration("timeout", 30*time.Second, "overall time limit")
	flag.Parse()

	if *secretKey == "" {
		*secretKey = os.Getenv("ALICLOUD_SECRET_KEY")
	}
	switch {
	case *endpoint == "":
		return errors.New("-endpoint is required")
	case *product == "":
		return errors.New("-product is required")
	case *accessKey == "" || *secretKey == "":
		return errors.New("credentials are required: -access-key/-secret-key or ALICLOUD_ACCESS_KEY/ALICLOUD_SECRET_KEY")
	}

	// The emulator speaks HTTP unless told otherwise; cloudapi.New reads the endpoint and protocol.
	if *protocol == "" && !strings.Contains(*endpoint, "://") {
		*protocol = cloudapi.ProtocolHTTP
	}

	cred, err := credentials.NewCredential(new(credentials.Config).
		SetType("access_key").
		SetAccessKeyId(*accessKey).
		SetAccessKeySecret(*secretKey))
	if err != nil {
		return fmt.Errorf("credentials: %w", err)
	}
	client, err := cloudapi.New(cloudapi.Config{
		RegionID:   *region,
		Endpoint:   *endpoint,
		Protocol:   *protocol,
		Credential: cred,
		UserAgent:  "terraform-provider-apigateway-democheck",
	})
	if err != nil {
		return fmt.Errorf("client: %w", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()

	apis, err := client.ListProductAPIs(ctx, *product)
	switch {
	case err != nil && cloudapi.IsNotFound(err):
		apis = nil
	case err != nil:
		return fmt.Errorf("listing the APIs of product %s: %w", *product, err)
	}

	for _, a := range apis {
		fmt.Printf("  %s %s %s/%s\n", a.StageName, a.APIID, a.GroupName, a.APIName)
	}
	if len(apis) != *want {
		return fmt.Errorf("product %s has %d attached APIs, want %d", *product, len(apis), *want)
	}
	fmt.Printf("democheck: product %s has %d attached APIs, as expected\n", *product, len(apis))
	return nil
}
