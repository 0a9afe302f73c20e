// Package devoverrides writes the Terraform CLI configuration that makes terraform (or OpenTofu)
// run a locally built provider binary instead of one from a registry: dev_overrides in a
// provider_installation block, so no `terraform init` and no registry access. The process tests
// (internal/proctest) and the benchmark (bench/tfbench) use it; the shell scripts have the same in
// scripts/lib.sh (dev_overrides_config). It is test and tool support: the provider never imports it.
package devoverrides

import (
	"fmt"
	"os"
	"strings"
)

// Source is the provider's source address without its registry host.
const Source = "cloudapi/apigateway"

// DefaultHost is the registry host Terraform gives an address without one.
const DefaultHost = "registry.terraform.io"

// Config returns a CLI configuration whose dev_overrides point Source, on each host (default
// DefaultHost; OpenTofu reads "cloudapi/apigateway" as registry.opentofu.org), at dir, the
// directory holding terraform-provider-apigateway. Every other provider installs as usual.
func Config(dir string, hosts ...string) string {
	if len(hosts) == 0 {
		hosts = []string{DefaultHost}
	}
	var b strings.Builder
	b.WriteString("provider_installation {\n  dev_overrides {\n")
	for _, h := range hosts {
		fmt.Fprintf(&b, "    %q = %q\n", h+"/"+Source, dir)
	}
	b.WriteString("  }\n  direct {}\n}\n")
	return b.String()
}

// Write writes Config(dir, hosts...) to path, for TF_CLI_CONFIG_FILE.
func Write(path, dir string, hosts ...string) error {
	return os.WriteFile(path, []byte(Config(dir, hosts...)), 0o600)
}
