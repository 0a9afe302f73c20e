package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/cloudapi/terraform-provider-apigateway/internal/devoverrides"
)

// config is the Terraform configuration for a mode: the attachments, or terraform_data resources
// holding the same strings.
func config(mode, endpoint string, sc scenario, tag string) string {
	var b strings.Builder
	per := sc.n / sc.products
	b.WriteString("locals {\n  pairs = {\n")
	for i := 0; i < sc.n; i++ {
		product := fmt.Sprintf("%s%024d", tag, i/per)
		fmt.Fprintf(&b, "    %q = { api_product_id = %q, api_id = %q, stage_name = \"RELEASE\" }\n", fmt.Sprint(i), product, apiID(i))
	}
	b.WriteString("  }\n}\n")
	if mode == "floor" {
		b.WriteString(`
resource "terraform_data" "pair" {
  for_each = local.pairs
  input    = each.value
}
`)
		return b.String()
	}
	b.WriteString(providerBlock(endpoint, mode == "naive"))
	b.WriteString(`
resource "apigateway_api_product_attachment" "pair" {
  for_each       = local.pairs
  api_product_id = each.value.api_product_id
  api_id         = each.value.api_id
  stage_name     = each.value.stage_name
}
`)
	return b.String()
}

func runScenario(ctx context.Context, tf string, bins binaries, sc scenario, modes []string) ([]result, error) {
	dir, err := os.MkdirTemp("", "tfbench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	emu, err := startEmulator(ctx, bins.emulator, dir, sc.n, sc.qps)
	if err != nil {
		return nil, err
	}
	defer emu.stop()

	type modeDir struct{ name, work, rc string }
	var mds []modeDir
	for i, m := range modes {
		md := modeDir{name: m, work: filepath.Join(dir, m), rc: filepath.Join(dir, m+".tfrc")}
		if err := os.MkdirAll(md.work, 0o755); err != nil {
			return nil, err
		}
		if err := devoverrides.Write(md.rc, bins.providerDir); err != nil {
			return nil, err
		}
		tag := fmt.Sprintf("%08d", i+1)
		if err := os.WriteFile(filepath.Join(md.work, "main.tf"), []byte(config(m, emu.endpoint, sc, tag)), 0o644); err != nil {
			return nil, err
		}
		if m == "floor" {
			if _, err := terraform(ctx, tf, md.work, md.rc, "", "init", "-input=false"); err != nil {
				return nil, fmt.Errorf("init: %w", err)
			}
		}
		mds = append(mds, md)
	}

	var out []result
	_, off := emu.callsSince(0)
	// plan-new: the plan of N new attachments (its exit code 2 means changes, as expected).
	for _, phase := range []string{"plan-new", "apply", "plan", "destroy"} {
		for _, md := range mds {
			command := strings.TrimSuffix(phase, "-new")
			args := []string{command, "-input=false", fmt.Sprintf("-parallelism=%d", sc.parallelism)}
			switch phase {
			case "apply", "destroy":
				args = append(args, "-auto-approve")
			case "plan":
				args = append(args, "-detailed-exitcode")
			}
			watch := ""
			if md.name != "floor" {
				watch = bins.provider()
			}
			r := measure(ctx, tf, md.work, md.rc, watch, emu, &off, sc, md.name, phase, args...)
			fmt.Fprintf(os.Stderr, "    %-8s %-7s %7.1fs  %5d calls  %d errors  rss %d MB\n", md.name, phase, r.wall.Seconds(), r.total(), r.errors, r.rssKB/1024)
			if r.exitErr != "" {
				fmt.Fprintf(os.Stderr, "      %s\n", r.exitErr)
			}
			out = append(out, r)
		}
	}
	return out, nil
}

// providerBlock is the CLI requirements and provider configuration every benchmark config starts
// with: the bench account on the emulator at endpoint. The naive mode turns batching and shared
// listings off: one call per write, every refresh a listing of its own.
func providerBlock(endpoint string, naive bool) string {
	tuning := ""
	if naive {
		tuning = "\n  max_batch_size        = 1\n  refresh_max_staleness = \"0s\""
	}
	return fmt.Sprintf(`
terraform {
  required_providers {
    apigateway = {
      source = "cloudapi/apigateway"
    }
  }
}

provider "apigateway" {
  region     = %q
  access_key = %q
  secret_key = %q
  protocol   = "HTTP"%s
  endpoints {
    apigateway = %q
  }
}
`, region, accessKey, secretKey, tuning, endpoint)
}

// ints parses a comma-separated list of numbers (-n, -p).
func ints(s string) []int {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			n, err := strconv.Atoi(f)
			if err != nil {
				fail(fmt.Errorf("%q is not a number", f))
			}
			out = append(out, n)
		}
	}
	return out
}
