// Package proctest runs the provider and the emulator as the separate processes users run, under
// the real terraform CLI, to test what only processes show: Ctrl-C (SIGINT) and a killed provider
// mid-apply, two applies at once, secrets in TRACE logs. It follows bench/tfbench: binaries built
// with go build, a CLI configuration with dev_overrides (internal/devoverrides), the emulator
// binary on a free loopback port with a seed file. It runs when TF_ACC is set (make test sets it),
// like the acceptance tests.
package proctest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aliyun/credentials-go/credentials"

	"github.com/cloudapi/terraform-provider-apigateway/internal/cloudapi"
	"github.com/cloudapi/terraform-provider-apigateway/internal/devoverrides"
)

const (
	accessKey = "LTAI5tProcTestAccessKey"
	// secretKey is what must never appear in a log, a diagnostic or the state.
	secretKey = "proctest-SECRET-7f3a9c1e55d2"
	region    = "cn-hangzhou"
	account   = "1234567890123456"
	roleARN   = "acs:ram::" + account + ":role/terraform"
)

// bins are built once per test binary run.
var bins struct {
	dir, emulator, provider string
	err                     error
}

func TestMain(m *testing.M) {
	code := func() int {
		if os.Getenv("TF_ACC") == "" {
			return m.Run() // every test skips
		}
		dir, err := os.MkdirTemp("", "apigateway-proctest-*")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		bins.dir = dir
		bins.emulator = filepath.Join(dir, "apigateway-emulator")
		bins.provider = filepath.Join(dir, "provider", "terraform-provider-apigateway")
		for _, s := range [][]string{
			{"go", "build", "-o", bins.emulator, "../../cmd/apigateway-emulator"},
			{"go", "build", "-o", bins.provider, "../.."},
		} {
			cmd := exec.Command(s[0], s[1:]...)
			cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
			if err := cmd.Run(); err != nil {
				bins.err = fmt.Errorf("%s: %w", strings.Join(s, " "), err)
				break
			}
		}
		return m.Run()
	}()
	os.Exit(code)
}

// env is one test's emulator, terraform configuration directory and API client.
type env struct {
	t        *testing.T
	tf       string
	dir      string
	rc       string
	emu      *exec.Cmd
	endpoint string
	emuArgs  []string
	client   *cloudapi.Client
	// tls: the emulator serves HTTPS (its CA in SSL_CERT_FILE); the provider then keeps the
	// default protocol.
	tls bool
	// ak, sk and token are the provider's credentials (default: the seed account's keys).
	ak, sk, token string
}

func newEnv(t *testing.T, apis int, emuArgs ...string) *env {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("process-level test: set TF_ACC (make test does)")
	}
	if bins.err != nil {
		t.Fatal(bins.err)
	}
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tf == "" {
		var err error
		if tf, err = exec.LookPath("terraform"); err != nil {
			t.Fatal("no terraform on PATH")
		}
	}
	e := &env{t: t, tf: tf, dir: t.TempDir(), emuArgs: emuArgs, ak: accessKey, sk: secretKey}
	for _, a := range emuArgs {
		e.tls = e.tls || a == "--tls"
	}
	e.rc = filepath.Join(e.dir, "cli.tfrc")
	if err := devoverrides.Write(e.rc, filepath.Dir(bins.provider)); err != nil {
		t.Fatal(err)
	}
	if err := writeSeed(filepath.Join(e.dir, "seed.json"), apis); err != nil {
		t.Fatal(err)
	}
	e.start("127.0.0.1:0")
	t.Cleanup(e.stop)
	return e
}

// start runs the emulator on addr.
func (e *env) start(addr string) {
	e.t.Helper()
	logf, err := os.OpenFile(filepath.Join(e.dir, "emulator.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		e.t.Fatal(err)
	}
	args := append([]string{"--listen", addr, "--region", region, "--seed", filepath.Join(e.dir, "seed.json"),
		"--state-file", filepath.Join(e.dir, "emulator-state.json")}, e.emuArgs...)
	cmd := exec.Command(bins.emulator, args...)
	cmd.Env = append(os.Environ(), "APIGATEWAY_EMULATOR_ACCESS_KEY_ID="+accessKey, "APIGATEWAY_EMULATOR_ACCESS_KEY_SECRET="+secretKey)
	cmd.Stderr = logf
	out, err := cmd.StdoutPipe()
	if err != nil {
		e.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	scheme, protocol := "http://", "HTTP"
	if e.tls {
		scheme, protocol = "https://", "HTTPS"
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "listening on "+scheme) {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		e.t.Fatalf("emulator did not start: %q %v", line, err)
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	e.emu = cmd
	e.endpoint = strings.TrimSpace(strings.TrimPrefix(line, "listening on "+scheme))
	cred, err := credentials.NewCredential(new(credentials.Config).SetType("access_key").SetAccessKeyId(accessKey).SetAccessKeySecret(secretKey))
	if err != nil {
		e.t.Fatal(err)
	}
	if e.client, err = cloudapi.New(cloudapi.Config{RegionID: region, Endpoint: e.endpoint, Protocol: protocol, Credential: cred, UserAgent: "proctest"}); err != nil {
		e.t.Fatal(err)
	}
}

// restart stops the emulator and starts it again on the same address with args instead of the
// previous ones; the state file carries its state over.
func (e *env) restart(args ...string) {
	e.t.Helper()
	addr := e.endpoint
	e.stop()
	e.emuArgs = args
	e.start(addr)
}

func (e *env) stop() {
	if e.emu == nil {
		return
	}
	_ = e.emu.Process.Signal(os.Interrupt)
	_ = e.emu.Wait()
	e.emu = nil
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
	g := map[string]any{"id": fmt.Sprintf("%032x", 0xb0000), "name": "proctest"}
	var list []api
	for i := 0; i < apis; i++ {
		list = append(list, api{ID: apiID(i), Name: fmt.Sprintf("proc_api_%05d", i), Method: "GET",
			Path: fmt.Sprintf("/proc/%05d", i), Visibility: "PUBLIC", Deploy: []string{"RELEASE", "PRE"}})
	}
	g["apis"] = list
	seed := map[string]any{"accounts": []any{map[string]any{
		"id": account, "access_key_id": accessKey, "access_key_secret": secretKey,
		"regions": []any{map[string]any{"region": region, "groups": []any{g}}},
	}}, "roles": []any{map[string]any{"arn": roleARN}}}
	data, err := json.Marshal(seed)
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o600)
}

func apiID(i int) string { return fmt.Sprintf("%032x", 0xa000000+i) }

// pair is one attachment as both sides name it.
type pair struct{ product, api, stage string }

func (p pair) String() string { return p.product + ":" + p.api + ":" + p.stage }

// pairs returns n attachments of APIs first..first+n-1 spread over products named by tag.
func pairs(tag string, first, n, products int) []pair {
	out := make([]pair, n)
	for i := range out {
		out[i] = pair{product: fmt.Sprintf("%s%08d", tag, i%products), api: apiID(first + i), stage: "RELEASE"}
	}
	return out
}

// writeConfig writes the configuration of ps into dir (a workspace of its own).
func (e *env) writeConfig(dir string, ps []pair, providerExtra string) {
	e.t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, `terraform {
  required_providers {
    apigateway = { source = "cloudapi/apigateway" }
  }
}
provider "apigateway" {
  region     = %q
  access_key = %q
  secret_key = %q
%s  endpoints { apigateway = %q }
%s}
locals {
  pairs = {
`, region, e.ak, e.sk, e.credentialLines(), e.endpoint, providerExtra)
	for _, p := range ps {
		fmt.Fprintf(&b, "    %q = { product = %q, api = %q, stage = %q }\n", p.String(), p.product, p.api, p.stage)
	}
	b.WriteString(`  }
}
resource "apigateway_api_product_attachment" "pair" {
  for_each       = local.pairs
  api_product_id = each.value.product
  api_id         = each.value.api
  stage_name     = each.value.stage
}
`)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		e.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(b.String()), 0o600); err != nil {
		e.t.Fatal(err)
	}
}

// credentialLines are the provider block's lines for the token and the protocol.
func (e *env) credentialLines() string {
	var b strings.Builder
	if e.token != "" {
		fmt.Fprintf(&b, "  security_token = %q\n", e.token)
	}
	if !e.tls {
		b.WriteString("  protocol   = \"HTTP\"\n")
	}
	return b.String()
}

// command is terraform with args in dir, not yet started.
func (e *env) command(dir string, extraEnv []string, args ...string) (*exec.Cmd, *bytes.Buffer) {
	cmd := exec.Command(e.tf, args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "TF_CLI_CONFIG_FILE="+e.rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1", "TF_INPUT=0"), extraEnv...)
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	return cmd, &buf
}

// terraform runs the CLI to the end and fails the test if it fails.
func (e *env) terraform(dir string, args ...string) string {
	e.t.Helper()
	cmd, out := e.command(dir, nil, args...)
	if err := cmd.Run(); err != nil {
		e.t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, tail(out.String()))
	}
	return out.String()
}

func tail(s string) string {
	if len(s) > 4000 {
		return "..." + s[len(s)-4000:]
	}
	return s
}

// statePairs is what the state of dir holds.
func (e *env) statePairs(dir string) map[string]bool {
	e.t.Helper()
	cmd, out := e.command(dir, nil, "state", "list", "-id=")
	cmd.Args = []string{e.tf, "show", "-json"}
	if err := cmd.Run(); err != nil {
		e.t.Fatalf("terraform show -json: %v\n%s", err, out.String())
	}
	var doc struct {
		Values struct {
			RootModule struct {
				Resources []struct {
					Values map[string]any `json:"values"`
				} `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		e.t.Fatalf("terraform show -json: %v", err)
	}
	got := map[string]bool{}
	for _, r := range doc.Values.RootModule.Resources {
		if id, ok := r.Values["id"].(string); ok {
			got[id] = true
		}
	}
	return got
}

// attached is what the emulator holds for products, from a listing (no visibility delay is set).
func (e *env) attached(products ...string) map[string]bool {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	got := map[string]bool{}
	for _, p := range products {
		apis, err := e.client.ListProductAPIs(ctx, p, cloudapi.Strict)
		if cloudapi.IsNotFound(err) {
			continue
		}
		if err != nil {
			e.t.Fatalf("listing %s: %v", p, err)
		}
		for _, a := range apis {
			got[pair{p, a.APIID, a.StageName}.String()] = true
		}
	}
	return got
}

func productsOf(ps []pair) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range ps {
		if !seen[p.product] {
			seen[p.product] = true
			out = append(out, p.product)
		}
	}
	return out
}

// missingFrom lists the keys of have that want lacks, sorted.
func missingFrom(want, have map[string]bool) []string {
	var out []string
	for k := range have {
		if !want[k] {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// convergeAndDestroy: an apply converges to exactly ps, a plan then finds nothing, a destroy
// leaves the products empty.
func (e *env) convergeAndDestroy(dir string, ps []pair) {
	e.t.Helper()
	e.terraform(dir, "apply", "-auto-approve", "-parallelism=10")
	want := map[string]bool{}
	for _, p := range ps {
		want[p.String()] = true
	}
	got := e.attached(productsOf(ps)...)
	if extra, lacking := missingFrom(want, got), missingFrom(got, want); len(extra) > 0 || len(lacking) > 0 {
		e.t.Fatalf("after the converging apply: %d unexpected attachments %v, %d missing %v", len(extra), extra, len(lacking), lacking)
	}
	e.terraform(dir, "plan", "-detailed-exitcode")
	e.terraform(dir, "destroy", "-auto-approve", "-parallelism=10")
	if got := e.attached(productsOf(ps)...); len(got) > 0 {
		e.t.Fatalf("after destroy the emulator still holds %d attachments: %v", len(got), missingFrom(nil, got))
	}
}

// interruptedApply starts an apply of ps and, after wait, does what interrupt does; it returns
// when terraform has exited, with how long that took after the interruption.
func (e *env) interruptedApply(dir string, wait time.Duration, interrupt func(cmd *exec.Cmd)) (time.Duration, string) {
	e.t.Helper()
	return e.interrupted(dir, wait, interrupt, "apply")
}

// interrupted is interruptedApply for any command that takes -auto-approve (apply, destroy).
func (e *env) interrupted(dir string, wait time.Duration, interrupt func(cmd *exec.Cmd), command string) (time.Duration, string) {
	e.t.Helper()
	// The provider's warnings say which writes were decided by a listing after the interruption.
	cmd, out := e.command(dir, []string{"TF_LOG_PROVIDER=WARN", "TF_LOG_PATH=" + filepath.Join(e.dir, "interrupted.log")},
		command, "-auto-approve", "-parallelism=10")
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		e.t.Fatalf("apply ended before the interruption (%v); make it longer:\n%s", err, tail(out.String()))
	case <-time.After(wait):
	}
	interrupt(cmd)
	at := time.Now()
	select {
	case err := <-done:
		e.t.Logf("terraform exited after the interruption: %v", err)
	case <-time.After(2 * time.Minute):
		_ = cmd.Process.Kill()
		e.t.Fatalf("terraform did not exit within 2 minutes of the interruption:\n%s", tail(out.String()))
	}
	return time.Since(at), out.String()
}

// TestProcess_sigintLosesNothing: Ctrl-C (SIGINT) to terraform apply of 60 attachments against an
// emulator with 1 s latency (batched, 60 attachments at -parallelism=10 take about 7 s), 3 s and
// 3.5 s in, so that a batch is in flight: the emulator applies a request whose client has hung up.
// Every attachment the emulator holds must be in the state, terraform must stop promptly, and the
// next apply converges and destroy leaves nothing.
func TestProcess_sigintLosesNothing(t *testing.T) {
	t.Parallel()
	for run := 0; run < sigintRuns(); run++ {
		// Odd runs add a visibility delay: the listing after the interruption cannot show the
		// writes that were in flight, so only recording them (tainted) keeps track of them.
		args := []string{"--latency", "1s"}
		if run%2 == 1 {
			args = append(args, "--visibility-delay", "5s")
		}
		t.Run(fmt.Sprintf("run%d_%s", run, strings.Join(args, "_")), func(t *testing.T) {
			e := newEnv(t, 60, args...)
			ps := pairs(fmt.Sprintf("sigint%d", run), 0, 60, 2)
			dir := filepath.Join(e.dir, "ws")
			e.writeConfig(dir, ps, "")
			took, out := e.interruptedApply(dir, sigintAt(run), func(cmd *exec.Cmd) {
				_ = cmd.Process.Signal(os.Interrupt)
			})
			// The provider's only wait after a cancellation is the bounded listing that decides
			// writes in flight (20 s at most).
			if took > 30*time.Second {
				t.Errorf("terraform took %s to stop after SIGINT", took.Round(time.Millisecond))
			}
			// The emulator's own view: restarted from its --state-file without latency or delay.
			e.restart()
			inState, onEmulator := e.statePairs(dir), e.attached(productsOf(ps)...)
			logData, _ := os.ReadFile(filepath.Join(e.dir, "interrupted.log"))
			t.Logf("SIGINT at %s: terraform stopped %s later; %d in state, %d on the emulator; diagnostics %v; "+
				"writes in flight found attached by the listing after the interruption: %d",
				sigintAt(run), took.Round(time.Millisecond), len(inState), len(onEmulator), diagnostics(out),
				strings.Count(string(logData), "attach call failed but the API is attached"))
			if lost := missingFrom(inState, onEmulator); len(lost) > 0 {
				t.Fatalf("%d attachments on the emulator are not in the state (lost): %v\n%s", len(lost), lost, tail(out))
			}
			// An interruption explains itself: not sent, or may have been attached; nothing else.
			for d := range diagnostics(out) {
				switch d {
				case "Error: API not attached", "Error: API may have been attached", "Error: execution halted", "Warning: Provider development overrides are in effect":
				default:
					t.Errorf("unexpected diagnostic after SIGINT: %q", d)
				}
			}
			if len(onEmulator) == 0 || len(onEmulator) == len(ps) {
				t.Logf("note: the interruption came %s (%d of %d attached)", map[bool]string{true: "before any attach", false: "after every attach"}[len(onEmulator) == 0], len(onEmulator), len(ps))
			}
			e.convergeAndDestroy(dir, ps)
		})
	}
}

// TestProcess_sigintDuringDestroy: Ctrl-C 2.5 s into a destroy of 60 attachments (1 s latency;
// the second run also keeps detached pairs listed for 5 s): whatever is still attached on the
// emulator must still be in the state, and the next destroy leaves nothing.
func TestProcess_sigintDuringDestroy(t *testing.T) {
	t.Parallel()
	for run, args := range [][]string{{"--latency", "1s"}, {"--latency", "1s", "--detach-visibility-delay", "5s"}} {
		t.Run(strings.Join(args, "_"), func(t *testing.T) {
			e := newEnv(t, 60)
			ps := pairs(fmt.Sprintf("sigdestroy%d", run), 0, 60, 2)
			dir := filepath.Join(e.dir, "ws")
			e.writeConfig(dir, ps, "")
			e.terraform(dir, "apply", "-auto-approve", "-parallelism=10")
			e.restart(args...)
			took, out := e.interrupted(dir, 2500*time.Millisecond, func(cmd *exec.Cmd) { _ = cmd.Process.Signal(os.Interrupt) }, "destroy")
			if took > 30*time.Second {
				t.Errorf("terraform took %s to stop after SIGINT", took.Round(time.Millisecond))
			}
			e.restart()
			inState, onEmulator := e.statePairs(dir), e.attached(productsOf(ps)...)
			t.Logf("SIGINT during destroy: stopped %s later; %d in state, %d on the emulator; diagnostics %v",
				took.Round(time.Millisecond), len(inState), len(onEmulator), diagnostics(out))
			if lost := missingFrom(inState, onEmulator); len(lost) > 0 {
				t.Fatalf("%d attachments still on the emulator were dropped from the state: %v\n%s", len(lost), lost, tail(out))
			}
			if len(onEmulator) == 0 || len(onEmulator) == len(ps) {
				t.Logf("note: the interruption came %s", map[bool]string{true: "after every detach", false: "before any detach"}[len(onEmulator) == 0])
			}
			e.terraform(dir, "destroy", "-auto-approve", "-parallelism=10")
			if got := e.attached(productsOf(ps)...); len(got) > 0 {
				t.Fatalf("after the second destroy the emulator still holds %d attachments", len(got))
			}
		})
	}
}

// diagnostics are the summaries of the errors and warnings terraform printed, counted.
func diagnostics(out string) map[string]int {
	n := map[string]int{}
	for _, line := range strings.Split(out, "\n") {
		for _, kind := range []string{"Error: ", "Warning: "} {
			if i := strings.Index(line, kind); i >= 0 {
				n[strings.TrimSpace(stripANSI(line[i:]))]++
			}
		}
	}
	return n
}

func stripANSI(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b {
			for i < len(s) && s[i] != 'm' {
				i++
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// sigintRuns is how many interruption points TestProcess_sigintLosesNothing tries: 2 in make test,
// PROCTEST_SIGINT_RUNS for a longer search.
func sigintRuns() int {
	if n, err := strconv.Atoi(os.Getenv("PROCTEST_SIGINT_RUNS")); err == nil && n > 0 {
		return n
	}
	return 2
}

// sigintAt is when run interrupts: from 2.5 s on, 370 ms apart, so that successive runs land in
// different phases of a batch (1 s latency).
func sigintAt(run int) time.Duration {
	return 2500*time.Millisecond + time.Duration(run)*370*time.Millisecond
}

// providerPIDs are the running processes of our provider binary (this test's build; nobody
// else's), found through /proc.
func providerPIDs() []int {
	entries, _ := os.ReadDir("/proc")
	var out []int
	for _, ent := range entries {
		var pid int
		if _, err := fmt.Sscanf(ent.Name(), "%d", &pid); err != nil {
			continue
		}
		if exe, err := os.Readlink(filepath.Join("/proc", ent.Name(), "exe")); err == nil && exe == bins.provider {
			out = append(out, pid)
		}
	}
	return out
}

// TestProcess_providerKilledConverges: the provider process killed with SIGKILL mid-apply cannot
// record what it had in flight, but the next apply must converge and destroy must leave nothing.
// Not parallel: it kills every process of this test run's provider binary, and runs before the
// parallel tests start.
func TestProcess_providerKilledConverges(t *testing.T) {
	e := newEnv(t, 60, "--latency", "1s")
	ps := pairs("sigkill", 0, 60, 2)
	dir := filepath.Join(e.dir, "ws")
	e.writeConfig(dir, ps, "")
	killed := 0
	_, out := e.interruptedApply(dir, 3*time.Second, func(*exec.Cmd) {
		for _, pid := range providerPIDs() {
			if syscall.Kill(pid, syscall.SIGKILL) == nil {
				killed++
			}
		}
	})
	if killed == 0 {
		t.Fatalf("no provider process to kill:\n%s", tail(out))
	}
	t.Logf("killed %d provider process(es); %d in state, %d on the emulator", killed, len(e.statePairs(dir)), len(e.attached(productsOf(ps)...)))
	e.restart()
	e.convergeAndDestroy(dir, ps)
}

// TestProcess_twoAppliesAtOnce: two workspaces (separate states) apply disjoint pairs of the same
// products at the same time; both succeed, neither loses or removes the other's, and each destroy
// removes only its own.
func TestProcess_twoAppliesAtOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 80, "--latency", "20ms")
	a, b := pairs("twice", 0, 40, 2), pairs("twice", 40, 40, 2)
	dirA, dirB := filepath.Join(e.dir, "a"), filepath.Join(e.dir, "b")
	e.writeConfig(dirA, a, "")
	e.writeConfig(dirB, b, "")
	cmdA, outA := e.command(dirA, nil, "apply", "-auto-approve", "-parallelism=10")
	cmdB, outB := e.command(dirB, nil, "apply", "-auto-approve", "-parallelism=10")
	if err := cmdA.Start(); err != nil {
		t.Fatal(err)
	}
	if err := cmdB.Start(); err != nil {
		t.Fatal(err)
	}
	errA, errB := cmdA.Wait(), cmdB.Wait()
	if errA != nil || errB != nil {
		t.Fatalf("concurrent applies: %v / %v\n%s\n%s", errA, errB, tail(outA.String()), tail(outB.String()))
	}
	all := append(append([]pair{}, a...), b...)
	want := map[string]bool{}
	for _, p := range all {
		want[p.String()] = true
	}
	got := e.attached(productsOf(all)...)
	if extra, lacking := missingFrom(want, got), missingFrom(got, want); len(extra)+len(lacking) > 0 {
		t.Fatalf("after both applies: unexpected %v, missing %v", extra, lacking)
	}
	e.terraform(dirA, "plan", "-detailed-exitcode")
	e.terraform(dirB, "plan", "-detailed-exitcode")
	e.terraform(dirA, "destroy", "-auto-approve")
	got = e.attached(productsOf(all)...)
	for _, p := range b {
		if !got[p.String()] {
			t.Fatalf("destroying workspace a removed %s of workspace b", p)
		}
	}
	e.terraform(dirB, "destroy", "-auto-approve")
	if got := e.attached(productsOf(all)...); len(got) > 0 {
		t.Fatalf("after both destroys: %v", missingFrom(nil, got))
	}
}

// TestProcess_secretsNotInTraceLog: apply, plan, a failing apply and destroy with TF_LOG=TRACE into
// a file, once with an access key and once with temporary STS credentials (a security token, over
// HTTPS): neither secret nor token, nor any request signature, may appear in the log, the CLI's
// output (diagnostics included: one step fails on purpose, with a wrong API id) or the state.
func TestProcess_secretsNotInTraceLog(t *testing.T) {
	// Not parallel: t.Setenv (SSL_CERT_FILE for the emulator's CA, read once per process).
	t.Run("access key", func(t *testing.T) {
		e := newEnv(t, 4)
		checkSecretsStayOut(t, e, []string{secretKey})
	})
	t.Run("STS token", func(t *testing.T) {
		ca := filepath.Join(t.TempDir(), "ca.pem")
		e := newEnv(t, 4, "--tls", "--ca-file", ca)
		t.Setenv("SSL_CERT_FILE", ca)
		cred, err := credentials.NewCredential(new(credentials.Config).SetType("ram_role_arn").SetAccessKeyId(accessKey).
			SetAccessKeySecret(secretKey).SetRoleArn(roleARN).SetRoleSessionName("proctest").SetSTSEndpoint(e.endpoint))
		if err != nil {
			t.Fatal(err)
		}
		c, err := cred.GetCredential()
		if err != nil {
			t.Fatalf("AssumeRole on the emulator: %v", err)
		}
		e.ak, e.sk, e.token = *c.AccessKeyId, *c.AccessKeySecret, *c.SecurityToken
		if !strings.HasPrefix(e.ak, "STS.") || e.token == "" {
			t.Fatalf("not temporary credentials: %q, token %d bytes", e.ak, len(e.token))
		}
		checkSecretsStayOut(t, e, []string{e.sk, e.token, secretKey})
	})
}

func checkSecretsStayOut(t *testing.T, e *env, secrets []string) {
	ps := pairs("secret", 0, 4, 1)
	dir := filepath.Join(e.dir, "ws")
	logPath := filepath.Join(e.dir, "trace.log")
	traceEnv := []string{"TF_LOG=TRACE", "TF_LOG_PATH=" + logPath}
	var outputs []string
	run := func(wantErr bool, args ...string) {
		cmd, out := e.command(dir, traceEnv, args...)
		err := cmd.Run()
		outputs = append(outputs, out.String())
		if (err != nil) != wantErr {
			t.Fatalf("terraform %s: error %v, want error %v\n%s", strings.Join(args, " "), err, wantErr, tail(out.String()))
		}
	}
	e.writeConfig(dir, ps, "")
	run(false, "apply", "-auto-approve")
	run(false, "plan", "-detailed-exitcode")
	e.writeConfig(dir, append(ps, pair{"secret00000000", "ffffffffffffffffffffffffffffffff", "RELEASE"}), "")
	run(true, "apply", "-auto-approve")
	e.writeConfig(dir, ps, "")
	run(false, "destroy", "-auto-approve")

	logData, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	// The log must show the provider's own request logging, or the test would prove nothing.
	if !bytes.Contains(logData, []byte("CloudAPI call succeeded")) || !bytes.Contains(logData, []byte("AttachApiProduct")) ||
		!bytes.Contains(logData, []byte(e.endpoint)) {
		t.Fatalf("the TRACE log (%d bytes) does not show the provider's calls", len(logData))
	}
	state, _ := os.ReadFile(filepath.Join(dir, "terraform.tfstate"))
	backup, _ := os.ReadFile(filepath.Join(dir, "terraform.tfstate.backup"))
	cli := strings.Join(outputs, "\n")
	if !strings.Contains(cli, "API not found") {
		t.Fatalf("the failing step did not produce its diagnostic:\n%s", tail(cli))
	}
	sources := map[string]string{"TRACE log": string(logData), "CLI output": cli, "state": string(state), "state backup": string(backup)}
	for name, s := range sources {
		for i, secret := range secrets {
			if strings.Contains(s, secret) {
				t.Errorf("secret #%d appears in the %s", i+1, name)
			}
		}
		for _, marker := range []string{"Signature=", "signature=", "ACS3-HMAC-SHA256 Credential"} {
			if i := strings.Index(s, marker); i >= 0 {
				t.Errorf("a signature appears in the %s: %q", name, s[max(0, i-40):min(len(s), i+120)])
			}
		}
	}
	t.Logf("checked %d secrets against %d bytes of TRACE log, %d of CLI output and the state", len(secrets), len(logData), len(cli))
}

// TestProcess_emulatorRestartedMidApply: the emulator is stopped once an apply of 60 attachments has attached some
// and started again on the same address from its --state-file half a second later. The provider
// retries what failed meanwhile (refused connections, dropped answers); afterwards every
// attachment on the emulator is in the state, and the next apply converges.
func TestProcess_emulatorRestartedMidApply(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 60, "--latency", "300ms")
	ps := pairs("restart", 0, 60, 2)
	dir := filepath.Join(e.dir, "ws")
	e.writeConfig(dir, ps, "")
	cmd, out := e.command(dir, nil, "apply", "-auto-approve", "-parallelism=10")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Stop the emulator once the apply has attached something, not after a fixed time that a busy
	// machine could turn into "before the first attach".
	for deadline := time.Now().Add(time.Minute); len(e.attached(productsOf(ps)...)) == 0 && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
	addr := e.endpoint
	e.stop()
	time.Sleep(500 * time.Millisecond)
	e.start(addr)
	err := cmd.Wait()
	inState, onEmulator := e.statePairs(dir), e.attached(productsOf(ps)...)
	t.Logf("apply across the restart: %v; %d in state, %d on the emulator; diagnostics %v", err, len(inState), len(onEmulator), diagnostics(out.String()))
	if lost := missingFrom(inState, onEmulator); len(lost) > 0 {
		t.Fatalf("%d attachments on the emulator are not in the state (lost): %v\n%s", len(lost), lost, tail(out.String()))
	}
	e.convergeAndDestroy(dir, ps)
}

// soakSeeds are the fault seeds of TestProcess_soak: one in make test, SOAK_SEEDS (space-separated)
// for make soak.
func soakSeeds() []int64 {
	raw := os.Getenv("SOAK_SEEDS")
	if raw == "" {
		return []int64{1}
	}
	var out []int64
	for _, f := range strings.Fields(raw) {
		if n, err := strconv.ParseInt(f, 10, 64); err == nil {
			out = append(out, n)
		}
	}
	return out
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// requestStats counts the emulator's request log lines from byte offset off: requests, and
// answers other than OK by code. It returns the new offset.
func (e *env) requestStats(off int64) (total int, codes map[string]int, next int64) {
	data, _ := os.ReadFile(filepath.Join(e.dir, "emulator.log"))
	if off > int64(len(data)) {
		off = 0
	}
	codes = map[string]int{}
	for _, line := range strings.Split(string(data[off:]), "\n") {
		if !strings.Contains(line, " action=") {
			continue
		}
		total++
		for _, f := range strings.Fields(line) {
			if c, ok := strings.CutPrefix(f, "code="); ok && c != "OK" {
				codes[c]++
			}
		}
	}
	return total, codes, int64(len(data))
}

// TestProcess_soak is the fault soak (make soak for the long form): against an emulator with 20 %
// throttling, 5 % 503, 2 % 500, 2 % dropped connections and a 2 s visibility delay for attach and
// detach, apply SOAK_N (default 100) attachments over 5 products, move half of them to another
// stage (replacements), shrink the set to a quarter, destroy. After each step the emulator holds
// exactly the configuration, no error reached Terraform, and a plan finds nothing to change. Faults
// are drawn from a seeded source (--rand-seed), so a seed's faults are the same on every run,
// though which request meets which fault depends on timing.
func TestProcess_soak(t *testing.T) {
	t.Parallel()
	n := envInt("SOAK_N", 100)
	type row struct {
		seed                 int64
		step                 string
		wall                 time.Duration
		want, have, requests int
		faults               string
		errs                 int
	}
	var rows []row
	for _, seed := range soakSeeds() {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			e := newEnv(t, n, "--throttle-rate", "0.2", "--unavailable-rate", "0.05", "--internal-error-rate", "0.02",
				"--drop-rate", "0.02", "--visibility-delay", "2s", "--detach-visibility-delay", "2s", "--rand-seed", fmt.Sprint(seed))
			dir := filepath.Join(e.dir, "ws")
			all := pairs(fmt.Sprintf("soak%d", seed), 0, n, 5)
			moved := make([]pair, len(all))
			copy(moved, all)
			for i := 0; i < len(moved); i += 2 {
				moved[i].stage = "PRE"
			}
			steps := []struct {
				name string
				ps   []pair
				args []string
			}{
				{"apply", all, []string{"apply", "-auto-approve", "-parallelism=10"}},
				{"move half", moved, []string{"apply", "-auto-approve", "-parallelism=10"}},
				{"shrink", moved[:n/4], []string{"apply", "-auto-approve", "-parallelism=10"}},
				{"destroy", moved[:n/4], []string{"destroy", "-auto-approve", "-parallelism=10"}},
			}
			var off int64
			for _, st := range steps {
				e.writeConfig(dir, st.ps, "")
				start := time.Now()
				cmd, out := e.command(dir, nil, st.args...)
				err := cmd.Run()
				wall := time.Since(start)
				errs := 0
				for d, c := range diagnostics(out.String()) {
					if strings.HasPrefix(d, "Error: ") {
						errs += c
					}
				}
				if err != nil {
					t.Errorf("seed %d, %s: terraform failed: %v\n%s", seed, st.name, err, tail(out.String()))
				}
				// Let the emulator's listings catch up before comparing.
				time.Sleep(2500 * time.Millisecond)
				want := map[string]bool{}
				if st.name != "destroy" {
					for _, p := range st.ps {
						want[p.String()] = true
					}
				}
				have := e.attached(productsOf(all)...)
				if extra, lacking := missingFrom(want, have), missingFrom(have, want); len(extra)+len(lacking) > 0 {
					t.Errorf("seed %d, %s: the emulator differs from the configuration: %d extra %v, %d missing %v", seed, st.name, len(extra), extra, len(lacking), lacking)
				}
				if st.name != "destroy" {
					cmd, out := e.command(dir, nil, "plan", "-detailed-exitcode")
					if err := cmd.Run(); err != nil {
						t.Errorf("seed %d, after %s: plan is not empty or failed: %v\n%s", seed, st.name, err, tail(out.String()))
					}
				}
				total, codes, next := e.requestStats(off)
				off = next
				var fs []string
				for c, k := range codes {
					fs = append(fs, fmt.Sprintf("%s=%d", c, k))
				}
				sort.Strings(fs)
				rows = append(rows, row{seed, st.name, wall, len(want), len(have), total, strings.Join(fs, " "), errs})
			}
		})
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n| seed | step | wall | configured | on emulator | requests (step and plan) | errors reaching Terraform | faults and refusals answered |\n|---|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %d | %s | %s | %d | %d | %d | %d | %s |\n", r.seed, r.step, r.wall.Round(100*time.Millisecond), r.want, r.have, r.requests, r.errs, r.faults)
	}
	t.Log(b.String())
}
