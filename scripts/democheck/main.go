// Command democheck asks an API Gateway endpoint (normally the local emulator
// started by scripts/demo.sh) how many APIs an API product has (and, with
// -want-apps, how many apps are authorized on it), and fails unless the counts
// are the expected ones. With -create-app NAME it creates an app instead
// (CreateApp, through the test fixtures: the provider manages no apps) and
// prints its id, for the demo to authorize.
//
// The demo uses it after `terraform destroy`, when no Terraform state is left
// to ask: it goes through internal/cloudapi, the same client the provider uses,
// so it sees exactly what the provider would see.
//
// Usage:
//
//	go run ./scripts/democheck -endpoint 127.0.0.1:PORT -product ID -want 0 [-want-apps 0]
//	go run ./scripts/democheck -endpoint 127.0.0.1:PORT -create-app demo_app
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
	"github.com/cloudapi/terraform-provider-apigateway/internal/cloudapitest"
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
	wantApps := flag.Int("want-apps", -1, "expected number of apps authorized on the product (-1: not checked)")
	createApp := flag.String("create-app", "", "create an app with this name, print its id and exit")
	flag.Parse()

	if *secretKey == "" {
		*secretKey = os.Getenv("ALICLOUD_SECRET_KEY")
	}
	switch {
	case *endpoint == "":
		return errors.New("-endpoint is required")
	case *product == "" && *createApp == "":
		return errors.New("-product (or -create-app) is required")
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
	cfg := cloudapi.Config{
		RegionID:   *region,
		Endpoint:   *endpoint,
		Protocol:   *protocol,
		Credential: cred,
		UserAgent:  "terraform-provider-apigateway-democheck",
	}
	client, err := cloudapi.New(cfg)
	if err != nil {
		return fmt.Errorf("client: %w", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()

	if *createApp != "" {
		f, err := cloudapitest.New(cfg)
		if err != nil {
			return err
		}
		id, err := f.CreateApp(ctx, *createApp, "created by make demo")
		if err != nil {
			return fmt.Errorf("creating app %s: %w", *createApp, err)
		}
		fmt.Println(id)
		return nil
	}

	apis, err := client.ListProductAPIs(ctx, *product, cloudapi.Strict)
	if err := expect(*product, "attached APIs", "the APIs of product", apis, err, *want, func(a cloudapi.APIInfo) string {
		return fmt.Sprintf("%s %s %s/%s", a.StageName, a.APIID, a.GroupName, a.APIName)
	}); err != nil || *wantApps < 0 {
		return err
	}
	apps, err := client.ListProductApps(ctx, *product, cloudapi.Strict)
	return expect(*product, "authorized apps", "the apps authorized on product", apps, err, *wantApps, func(a cloudapi.AuthorizedApp) string {
		return fmt.Sprintf("app %d %s", a.AppID, a.AppName)
	})
}

// expect prints the items a listing of product found, one line each, and fails unless there are
// want of them; a product that is not found has none. what names the items, listing the call.
func expect[T any](product, what, listing string, items []T, err error, want int, line func(T) string) error {
	switch {
	case err != nil && cloudapi.IsNotFound(err):
		items = nil
	case err != nil:
		return fmt.Errorf("listing %s %s: %w", listing, product, err)
	}
	for _, it := range items {
		fmt.Println("  " + line(it))
	}
	if len(items) != want {
		return fmt.Errorf("product %s has %d %s, want %d", product, len(items), what, want)
	}
	fmt.Printf("democheck: product %s has %d %s, as expected\n", product, len(items), what)
	return nil
}
