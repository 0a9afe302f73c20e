// Command terraform-provider-apigateway is the Terraform provider for Alibaba Cloud API Gateway
// API products.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/cloudapi/terraform-provider-apigateway/internal/provider"
)

// version is set by goreleaser through -ldflags "-X main.version=..."; "dev" marks a local build.
var version = "dev"

func main() {
	var debug bool

	flag.BoolVar(&debug, "debug", false, "set to true to run the provider with support for debuggers like delve")
	flag.Parse()

	opts := providerserver.ServeOpts{
		Address: provider.Address,
		Debug:   debug,
	}

	err := providerserver.Serve(context.Background(), provider.New(version), opts)
	if err != nil {
		log.Fatal(err.Error())
	}
}
