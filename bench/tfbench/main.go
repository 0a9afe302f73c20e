// Command tfbench is `make bench-terraform`: the provider measured through the real Terraform CLI
// against a local emulator, side by side with Terraform core's own cost (the same number of
// terraform_data resources) and with the provider's naive baseline (the same provider configured
// with max_batch_size = 1 and refresh_max_staleness = "0s": one call per write, no shared listing).
//
// For every scenario (N attachments over P products, -parallelism, emulator QPS limit) it runs
// apply, plan (no changes) and destroy for each mode, phase by phase and interleaved (floor, naive,
// batched for apply, then for plan, ...), so that ratios hold on a noisy machine. It reports wall
// time, API calls per action (from the emulator's request log), errors that reached Terraform, and
// the provider processes' peak RSS; it prints a markdown table and writes a CSV.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

const (
	accessKey    = "LTAI5tBenchAccessKeyId"
	secretKey    = "bench-secret-not-for-production"
	region       = "cn-hangzhou"
	apisPerGroup = 100
)

type scenario struct {
	n, products, parallelism int
	qps                      float64
}

func (s scenario) String() string {
	q := "unthrottled"
	if s.qps > 0 {
		q = fmt.Sprintf("qps %g", s.qps)
	}
	return fmt.Sprintf("N=%d products=%d p=%d %s", s.n, s.products, s.parallelism, q)
}

type result struct {
	sc      scenario
	mode    string
	phase   string
	wall    time.Duration
	calls   map[string]int
	errors  int
	rssKB   int64
	exitErr string
}

func (r result) total() int {
	t := 0
	for _, n := range r.calls {
		t += n
	}
	return t
}

func main() {
	var (
		tf        = flag.String("tf", envOr("TF", "terraform"), "Terraform (or OpenTofu) CLI")
		ns        = flag.String("n", "10,100,1000", "attachment counts, one product each")
		ps        = flag.String("p", "10,50", "-parallelism values")
		modes     = flag.String("modes", "floor,naive,batched", "modes to run")
		multi     = flag.String("multi", "200x5", "extra scenarios of PRODUCTSxPER_PRODUCT at the first -p (empty: none)")
		throttled = flag.String("throttled", "200@20", "extra scenario N@QPS at p=10 (empty: none)")
		outDir    = flag.String("out", "bench/results", "directory for the CSV")
		binDir    = flag.String("bin", "bin/bench", "where the provider builds and the emulator go")
		product   = flag.Int("product", 0, "also run the apigateway_api_product scenario with this many pairs on one product (0: no)")
	)
	flag.Parse()
	ctx := context.Background()

	bin, _ := filepath.Abs(*binDir) // an absolute -bin stays where it was said
	bins, err := build(ctx, bin)
	if err != nil {
		fail(err)
	}
	var scs []scenario
	for _, p := range ints(*ps) {
		for _, n := range ints(*ns) {
			scs = append(scs, scenario{n: n, products: 1, parallelism: p})
		}
	}
	if *multi != "" {
		var prods, per int
		if _, err := fmt.Sscanf(*multi, "%dx%d", &prods, &per); err != nil {
			fail(fmt.Errorf("-multi %q: %w", *multi, err))
		}
		scs = append(scs, scenario{n: prods * per, products: prods, parallelism: ints(*ps)[0]})
	}
	if *throttled != "" {
		var n int
		var q float64
		if _, err := fmt.Sscanf(*throttled, "%d@%g", &n, &q); err != nil {
			fail(fmt.Errorf("-throttled %q: %w", *throttled, err))
		}
		scs = append(scs, scenario{n: n, products: 1, parallelism: 10}, scenario{n: n, products: 1, parallelism: 10, qps: q})
	}

	var all []result
	if *product > 0 {
		fmt.Fprintf(os.Stderr, "==> apigateway_api_product, %d pairs on one product\n", *product)
		rs, err := runProductScenario(ctx, *tf, bins, *product)
		if err != nil {
			fail(fmt.Errorf("product scenario: %w", err))
		}
		all = append(all, rs...)
	}
	for _, sc := range scs {
		fmt.Fprintf(os.Stderr, "==> %s\n", sc)
		rs, err := runScenario(ctx, *tf, bins, sc, strings.Split(*modes, ","))
		if err != nil {
			fail(fmt.Errorf("%s: %w", sc, err))
		}
		all = append(all, rs...)
	}
	printTable(os.Stdout, all)
	if err := writeCSV(*outDir, all); err != nil {
		fail(err)
	}
}

// binaries are the emulator and the provider, built once: every mode runs the same provider.
type binaries struct{ emulator, providerDir string }

func (b binaries) provider() string {
	return filepath.Join(b.providerDir, "terraform-provider-apigateway")
}

func build(ctx context.Context, dir string) (binaries, error) {
	b := binaries{emulator: filepath.Join(dir, "apigateway-emulator"), providerDir: filepath.Join(dir, "provider")}
	steps := [][]string{
		{"go", "build", "-o", b.emulator, "./cmd/apigateway-emulator"},
		{"go", "build", "-o", b.provider(), "."},
	}
	for _, s := range steps {
		cmd := exec.CommandContext(ctx, s[0], s[1:]...)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return b, fmt.Errorf("%s: %w", strings.Join(s, " "), err)
		}
	}
	return b, nil
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "tfbench:", err)
	os.Exit(1)
}
