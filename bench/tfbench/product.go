package main

// The apigateway_api_product scenario (-product N): one resource holding N (API, stage) pairs of
// one product, against the same emulator and seed as the attachment scenarios. Phases: apply,
// update (5 pairs added and 5 removed), plan with no changes, destroy, then apply again and
// destroy -refresh=false (a destroy that skips the refresh, which otherwise lists every page of
// the product). Only the batched configuration runs it: one resource is the point of the
// comparison, and Terraform core's floor for one resource is about a second whatever N.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/cloudapi/terraform-provider-apigateway/internal/devoverrides"
)

func productConfig(endpoint string, first, n int) string {
	var b strings.Builder
	b.WriteString(providerBlock(endpoint, false))
	b.WriteString(`
resource "apigateway_api_product" "bench" {
  api_product_id = "benchproduct"
  apis = [
`)
	for i := first; i < first+n; i++ {
		fmt.Fprintf(&b, "    { api_id = %q, stage_name = \"RELEASE\" },\n", apiID(i))
	}
	b.WriteString("  ]\n}\n")
	return b.String()
}

// runProductScenario measures the phases above with n pairs; results are labelled products=1 and
// mode "product".
func runProductScenario(ctx context.Context, tf string, bins binaries, n int) ([]result, error) {
	dir, err := os.MkdirTemp("", "tfbench-product-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	const changed = 5
	emu, err := startEmulator(ctx, bins.emulator, dir, n+changed, 0)
	if err != nil {
		return nil, err
	}
	defer emu.stop()
	work, rc := filepath.Join(dir, "product"), filepath.Join(dir, "product.tfrc")
	if err := os.MkdirAll(work, 0o755); err != nil {
		return nil, err
	}
	if err := devoverrides.Write(rc, bins.providerDir); err != nil {
		return nil, err
	}
	write := func(first int) error {
		return os.WriteFile(filepath.Join(work, "main.tf"), []byte(productConfig(emu.endpoint, first, n)), 0o644)
	}
	sc := scenario{n: n, products: 1, parallelism: 10}
	phases := []struct {
		name  string
		first int // first API of the configuration
		args  []string
	}{
		{"apply", 0, []string{"apply", "-auto-approve"}},
		{"update-5+5", changed, []string{"apply", "-auto-approve"}},
		{"plan", changed, []string{"plan", "-detailed-exitcode"}},
		{"destroy", changed, []string{"destroy", "-auto-approve"}},
		{"re-apply", changed, []string{"apply", "-auto-approve"}},
		{"destroy-no-refresh", changed, []string{"destroy", "-auto-approve", "-refresh=false"}},
	}
	var out []result
	_, off := emu.callsSince(0)
	for _, ph := range phases {
		if err := write(ph.first); err != nil {
			return nil, err
		}
		r := measure(ctx, tf, work, rc, bins.provider(), emu, &off, sc, "product", ph.name, append(ph.args, "-input=false")...)
		fmt.Fprintf(os.Stderr, "    %-8s %-18s %7.1fs  %5d calls (%s)  %d errors  rss %d MB\n", r.mode, ph.name, r.wall.Seconds(), r.total(), callList(r.calls), r.errors, r.rssKB/1024)
		if r.exitErr != "" {
			fmt.Fprintf(os.Stderr, "      %s\n", r.exitErr)
		}
		out = append(out, r)
	}
	return out, nil
}

func callList(calls map[string]int) string {
	var parts []string
	for a, n := range calls {
		parts = append(parts, fmt.Sprintf("%s %d", a, n))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}
