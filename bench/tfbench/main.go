// Command tfbench is `make bench-terraform`: the provider measured through the real Terraform CLI
// against a local emulator, side by side with Terraform core's own cost (the same number of
// terraform_data resources) and with the provider's naive baseline (batching and sharing off, a
// build made with -ldflags -X ...provider.scaleMode=naive).
//
// For every scenario (N attachments over P products, -parallelism, emulator QPS limit) it runs
// apply, plan (no changes) and destroy for each mode, phase by phase and interleaved (floor, naive,
// batched for apply, then for plan, ...), so that ratios hold on a noisy machine. It reports wall
// time, API calls per action (from the emulator's request log), errors that reached Terraform, and
// the provider processes' peak RSS; it prints a markdown table and writes a CSV.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
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

type binaries struct{ emulator, batchedDir, naiveDir string }

func build(ctx context.Context, dir string) (binaries, error) {
	b := binaries{emulator: filepath.Join(dir, "apigateway-emulator"), batchedDir: filepath.Join(dir, "batched"), naiveDir: filepath.Join(dir, "naive")}
	steps := [][]string{
		{"go", "build", "-o", b.emulator, "./cmd/apigateway-emulator"},
		{"go", "build", "-o", filepath.Join(b.batchedDir, "terraform-provider-apigateway"), "."},
		{"go", "build", "-ldflags", "-X github.com/cloudapi/terraform-provider-apigateway/internal/provider.scaleMode=naive",
			"-o", filepath.Join(b.naiveDir, "terraform-provider-apigateway"), "."},
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

// emulatorProc is a running emulator and its request log.
type emulatorProc struct {
	cmd      *exec.Cmd
	endpoint string
	logPath  string
}

func startEmulator(ctx context.Context, bin, dir string, apis int, qps float64) (*emulatorProc, error) {
	seed := filepath.Join(dir, "seed.json")
	if err := writeSeed(seed, apis); err != nil {
		return nil, err
	}
	logPath := filepath.Join(dir, "emulator.log")
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	args := []string{"--listen", "127.0.0.1:0", "--region", region, "--seed", seed}
	if qps > 0 {
		args = append(args, "--qps", fmt.Sprint(qps))
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "APIGATEWAY_EMULATOR_ACCESS_KEY_ID="+accessKey, "APIGATEWAY_EMULATOR_ACCESS_KEY_SECRET="+secretKey)
	cmd.Stderr = logf
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "listening on http://") {
		_ = cmd.Process.Kill()
		if err == nil {
			err = errors.New("unexpected first line")
		}
		return nil, fmt.Errorf("emulator did not start: %q: %w", line, err)
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	return &emulatorProc{cmd: cmd, endpoint: strings.TrimSpace(strings.TrimPrefix(line, "listening on http://")), logPath: logPath}, nil
}

func (e *emulatorProc) stop() {
	_ = e.cmd.Process.Signal(os.Interrupt)
	_ = e.cmd.Wait()
}

// callsSince counts the request log's lines by action from byte offset off; it returns the new
// offset.
func (e *emulatorProc) callsSince(off int64) (map[string]int, int64) {
	f, err := os.Open(e.logPath)
	if err != nil {
		return nil, off
	}
	defer f.Close()
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		return nil, off
	}
	data, _ := io.ReadAll(f)
	// Only whole lines; a partial last line is counted next time.
	if i := bytes.LastIndexByte(data, '\n'); i >= 0 {
		data = data[:i+1]
	} else {
		data = nil
	}
	calls := map[string]int{}
	for _, line := range strings.Split(string(data), "\n") {
		for _, f := range strings.Fields(line) {
			if a, ok := strings.CutPrefix(f, "action="); ok {
				calls[a]++
				if strings.Contains(line, "code=Throttling") {
					calls["(throttled)"]++
				}
			}
		}
	}
	return calls, off + int64(len(data))
}

func writeSeed(path string, apis int) error {
	type api struct {
		ID         string   `json:"id"`
		Name       string   `json:"name"`
		Method     string   `json:"method"`
		Path       string   `json:"path"`
		Visibility string   `json:"visibility"`
		Deploy     []string `json:"deploy"`
	}
	type group struct {
		ID   string `json:"id"`
		Name string `json:"name"`
		APIs []api  `json:"apis"`
	}
	var groups []group
	for i := 0; i < apis; i++ {
		g := i / apisPerGroup
		if g == len(groups) {
			groups = append(groups, group{ID: fmt.Sprintf("%032x", 0xb0000+g), Name: fmt.Sprintf("bench%03d", g)})
		}
		groups[g].APIs = append(groups[g].APIs, api{ID: apiID(i), Name: fmt.Sprintf("bench_api_%05d", i), Method: "GET",
			Path: fmt.Sprintf("/bench/%05d", i), Visibility: "PUBLIC", Deploy: []string{"RELEASE"}})
	}
	seed := map[string]any{"accounts": []any{map[string]any{
		"id": "1234567890123456", "access_key_id": accessKey, "access_key_secret": secretKey,
		"regions": []any{map[string]any{"region": region, "groups": groups}},
	}}}
	data, err := json.MarshalIndent(seed, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o600)
}

func apiID(i int) string { return fmt.Sprintf("%032x", 0xa000000+i) }

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
	b.WriteString(providerBlock(endpoint))
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

	type modeDir struct{ name, work, rc, providerBin string }
	var mds []modeDir
	for i, m := range modes {
		md := modeDir{name: m, work: filepath.Join(dir, m), rc: filepath.Join(dir, m+".tfrc")}
		if err := os.MkdirAll(md.work, 0o755); err != nil {
			return nil, err
		}
		pdir := bins.batchedDir
		if m == "naive" {
			pdir = bins.naiveDir
		}
		md.providerBin = filepath.Join(pdir, "terraform-provider-apigateway")
		rc := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"registry.terraform.io/cloudapi/apigateway\" = %q\n  }\n  direct {}\n}\n", pdir)
		if err := os.WriteFile(md.rc, []byte(rc), 0o644); err != nil {
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
	off := int64(0)
	_, off = emu.callsSince(0)
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
			var rss int64
			watchFor := ""
			if md.name != "floor" {
				watchFor = md.providerBin
			}
			start := time.Now()
			res, err := terraformWatched(ctx, tf, md.work, md.rc, watchFor, &rss, args...)
			wall := time.Since(start)
			time.Sleep(200 * time.Millisecond) // the last log lines
			var calls map[string]int
			calls, off = emu.callsSince(off)
			r := result{sc: sc, mode: md.name, phase: phase, wall: wall, calls: calls, rssKB: rss, errors: strings.Count(res, "Error: ")}
			if err != nil {
				r.exitErr = err.Error()
				if r.errors == 0 {
					r.errors = 1
				}
			}
			fmt.Fprintf(os.Stderr, "    %-8s %-7s %7.1fs  %5d calls  %d errors  rss %d MB\n", md.name, phase, wall.Seconds(), r.total(), r.errors, rss/1024)
			if r.exitErr != "" {
				fmt.Fprintf(os.Stderr, "      %s\n", r.exitErr)
			}
			out = append(out, r)
		}
	}
	return out, nil
}

func terraform(ctx context.Context, tf, dir, rc, watch string, args ...string) (string, error) {
	var rss int64
	return terraformWatched(ctx, tf, dir, rc, watch, &rss, args...)
}

// terraformWatched runs the CLI and, when watch names the provider binary, samples the peak RSS
// (VmHWM) of every process running it.
func terraformWatched(ctx context.Context, tf, dir, rc, watch string, rss *int64, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, tf, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1", "TF_INPUT=0")
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	if err := cmd.Start(); err != nil {
		return "", err
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	if watch != "" {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.NewTicker(50 * time.Millisecond)
			defer t.Stop()
			for {
				if v := peakRSS(watch); v > *rss {
					*rss = v
				}
				select {
				case <-done:
					return
				case <-t.C:
				}
			}
		}()
	}
	err := cmd.Wait()
	close(done)
	wg.Wait()
	out := buf.String()
	if err != nil {
		var ee *exec.ExitError
		// plan -detailed-exitcode: 2 means changes, which a no-change plan must not have.
		if errors.As(err, &ee) {
			tail := out
			if len(tail) > 2000 {
				tail = tail[len(tail)-2000:]
			}
			return out, fmt.Errorf("%s %s: exit %d: %s", filepath.Base(tf), args[0], ee.ExitCode(), tail)
		}
		return out, err
	}
	return out, nil
}

// peakRSS is the largest VmHWM (kB) among processes whose executable is bin.
func peakRSS(bin string) int64 {
	ents, _ := os.ReadDir("/proc")
	var best int64
	for _, e := range ents {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		exe, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe"))
		if err != nil || exe != bin {
			continue
		}
		data, err := os.ReadFile(filepath.Join("/proc", e.Name(), "status"))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(data), "\n") {
			if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
				best = max(best, kb)
			}
		}
	}
	return best
}

func printTable(w io.Writer, rs []result) {
	fmt.Fprintln(w, "| scenario | phase | mode | wall s | × floor | × (calls/qps + unthrottled) | calls | Attach | Detach | ProductApis pages | DescribeApi(s) | throttled | errors | provider peak RSS MB |")
	fmt.Fprintln(w, "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	floor := map[string]time.Duration{}
	unthrottled := map[string]time.Duration{}
	for _, r := range rs {
		if r.mode == "floor" {
			floor[r.sc.String()+r.phase] = r.wall
		}
		if r.sc.qps == 0 {
			unthrottled[fmt.Sprint(r.sc.n, r.sc.products, r.sc.parallelism, r.mode, r.phase)] = r.wall
		}
	}
	for _, r := range rs {
		ratio := "-"
		if f := floor[r.sc.String()+r.phase]; f > 0 && r.mode != "floor" {
			ratio = fmt.Sprintf("%.2f", r.wall.Seconds()/f.Seconds())
		}
		// Under a QPS limit the calls alone need calls/qps seconds on top of the unthrottled run.
		throttledRatio := "-"
		if u, ok := unthrottled[fmt.Sprint(r.sc.n, r.sc.products, r.sc.parallelism, r.mode, r.phase)]; ok && r.sc.qps > 0 {
			want := float64(r.total()-r.calls["(throttled)"])/r.sc.qps + u.Seconds()
			throttledRatio = fmt.Sprintf("%.2f", r.wall.Seconds()/want)
		}
		rss := "-"
		if r.rssKB > 0 {
			rss = fmt.Sprintf("%.0f", float64(r.rssKB)/1024)
		}
		fmt.Fprintf(w, "| %s | %s | %s | %.1f | %s | %s | %d | %d | %d | %d | %d | %d | %d | %s |\n", r.sc, r.phase, r.mode, r.wall.Seconds(), ratio, throttledRatio,
			r.total()-r.calls["(throttled)"], r.calls["AttachApiProduct"], r.calls["DetachApiProduct"], r.calls["DescribeApiProductApis"],
			r.calls["DescribeApi"]+r.calls["DescribeApis"], r.calls["(throttled)"], r.errors, rss)
	}
}

func writeCSV(dir string, rs []result) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	path := filepath.Join(dir, fmt.Sprintf("terraform-%s-%dcores.csv", time.Now().UTC().Format("20060102T150405Z"), runtime.NumCPU()))
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	w := csv.NewWriter(f)
	actions := map[string]bool{}
	for _, r := range rs {
		for a := range r.calls {
			actions[a] = true
		}
	}
	var cols []string
	for a := range actions {
		cols = append(cols, a)
	}
	sort.Strings(cols)
	_ = w.Write(append([]string{"date", "cores", "n", "products", "parallelism", "qps", "mode", "phase", "wall_s", "calls_total", "errors", "provider_peak_rss_kb"}, cols...))
	date := time.Now().UTC().Format(time.RFC3339)
	for _, r := range rs {
		row := []string{date, fmt.Sprint(runtime.NumCPU()), fmt.Sprint(r.sc.n), fmt.Sprint(r.sc.products), fmt.Sprint(r.sc.parallelism), fmt.Sprint(r.sc.qps),
			r.mode, r.phase, fmt.Sprintf("%.3f", r.wall.Seconds()), fmt.Sprint(r.total()), fmt.Sprint(r.errors), fmt.Sprint(r.rssKB)}
		for _, a := range cols {
			row = append(row, fmt.Sprint(r.calls[a]))
		}
		_ = w.Write(row)
	}
	w.Flush()
	fmt.Fprintf(os.Stderr, "wrote %s\n", path)
	return w.Error()
}

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

func sortStrings(s []string) { sort.Strings(s) }

// providerBlock is the CLI requirements and provider configuration every benchmark config starts
// with: the bench account on the emulator at endpoint.
func providerBlock(endpoint string) string {
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
  protocol   = "HTTP"
  endpoints {
    apigateway = %q
  }
}
`, region, accessKey, secretKey, endpoint)
}
