package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// event is one line of `go test -json` (see `go doc test2json`).
type event struct {
	Time        time.Time `json:"Time"`
	Action      string    `json:"Action"`
	Package     string    `json:"Package"`
	Test        string    `json:"Test"`
	Elapsed     float64   `json:"Elapsed"`
	Output      string    `json:"Output"`
	ImportPath  string    `json:"ImportPath"`
	FailedBuild string    `json:"FailedBuild"`
}

// Result holds the counts of one run.
type Result struct {
	Passed, Failed, Skipped int
	PackagesFailed          int
	BuildFailed             int
	passedNames             []string
	// tests records every top-level test's outcome ("pass", "fail", "skip"), for acceptance().
	tests []testOutcome
}

type testOutcome struct {
	pkg, test, action string
}

// AccCounts are the outcomes of the acceptance tests of one run.
type AccCounts struct {
	Passed, Failed int
	Skipped        []string // names, sorted
}

// acceptance counts the top-level tests named prefix* in packages whose import path contains pkg
// (subtests are part of their parent). Prefix and package together: the emulator has a
// TestAccountIsolation that is no acceptance test.
func (r Result) acceptance(prefix, pkg string) AccCounts {
	var c AccCounts
	for _, o := range r.tests {
		if !strings.HasPrefix(o.test, prefix) || strings.Contains(o.test, "/") || !strings.Contains(o.pkg, pkg) {
			continue
		}
		switch o.action {
		case "pass":
			c.Passed++
		case "fail":
			c.Failed++
		case "skip":
			c.Skipped = append(c.Skipped, o.test)
		}
	}
	sort.Strings(c.Skipped)
	return c
}

// accLine is the per-CLI summary line, e.g.
// "acceptance tests on Terraform v1.11.4: 13 ran (13 passed, 0 failed), 2 skipped (TestAccA, TestAccB)".
func (c AccCounts) accLine(cli string) string {
	line := fmt.Sprintf("acceptance tests on %s: %d ran (%d passed, %d failed), %d skipped", cli, c.Passed+c.Failed, c.Passed, c.Failed, len(c.Skipped))
	if len(c.Skipped) > 0 {
		line += " (" + strings.Join(c.Skipped, ", ") + ")"
	}
	return line
}

func (r Result) closingLine() string {
	return fmt.Sprintf("%d passed, %d failed, %d skipped", r.Passed, r.Failed, r.Skipped)
}

func (r Result) passedWithPrefix(prefix string) int {
	n := 0
	for _, name := range r.passedNames {
		if strings.HasPrefix(name, prefix) {
			n++
		}
	}
	return n
}

type testKey struct{ pkg, test string }

// summary accumulates events; output of a test is buffered until we know
// whether it failed, because a passing test's log is noise in CI.
type summary struct {
	w       io.Writer
	verbose bool

	output   map[testKey][]string
	buildOut map[string][]string
	res      Result
	failed   []string
	skipped  map[string]int // package -> skipped tests
}

func newSummary(w io.Writer, verbose bool) *summary {
	return &summary{
		w:        w,
		verbose:  verbose,
		output:   map[testKey][]string{},
		buildOut: map[string][]string{},
		skipped:  map[string]int{},
	}
}

func (s *summary) consume(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1024*1024), 64*1024*1024)
	for sc.Scan() {
		line := sc.Bytes()
		var ev event
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &ev) != nil {
			// Not JSON: `go vet` or the go command itself wrote it; pass it on.
			fmt.Fprintln(s.w, string(line))
			continue
		}
		s.handle(ev)
	}
	if err := sc.Err(); err != nil {
		drain(r)
		return fmt.Errorf("reading go test output: %w", err)
	}
	return nil
}

func (s *summary) handle(ev event) {
	switch ev.Action {
	case "build-output":
		s.buildOut[ev.ImportPath] = append(s.buildOut[ev.ImportPath], ev.Output)
		return
	case "build-fail":
		s.res.BuildFailed++
		fmt.Fprintf(s.w, "BUILD FAILED %s\n", ev.ImportPath)
		for _, l := range s.buildOut[ev.ImportPath] {
			fmt.Fprint(s.w, l)
		}
		return
	}

	if ev.Test == "" {
		s.handlePackage(ev)
		return
	}

	k := testKey{ev.Package, ev.Test}
	switch ev.Action {
	case "output":
		if s.verbose {
			fmt.Fprint(s.w, ev.Output)
			return
		}
		s.output[k] = append(s.output[k], ev.Output)
	case "pass":
		s.res.Passed++
		s.res.passedNames = append(s.res.passedNames, ev.Test)
		s.res.tests = append(s.res.tests, testOutcome{ev.Package, ev.Test, ev.Action})
		delete(s.output, k)
	case "skip":
		s.res.tests = append(s.res.tests, testOutcome{ev.Package, ev.Test, ev.Action})
		s.res.Skipped++
		s.skipped[ev.Package]++
		delete(s.output, k)
	case "fail":
		s.res.tests = append(s.res.tests, testOutcome{ev.Package, ev.Test, ev.Action})
		s.res.Failed++
		s.failed = append(s.failed, ev.Package+"."+ev.Test)
		if !s.verbose {
			fmt.Fprintf(s.w, "--- FAIL %s %s (%.2fs)\n", ev.Package, ev.Test, ev.Elapsed)
			for _, l := range s.output[k] {
				fmt.Fprint(s.w, "    "+l)
			}
		}
		delete(s.output, k)
	}
}

// handlePackage deals with package-level events: the final ok/FAIL line,
// and output that belongs to no test (panics, TestMain, build errors).
func (s *summary) handlePackage(ev event) {
	k := testKey{ev.Package, ""}
	switch ev.Action {
	case "output":
		s.output[k] = append(s.output[k], ev.Output)
	case "pass":
		extra := ""
		if n := s.skipped[ev.Package]; n > 0 {
			extra = fmt.Sprintf(" (%d skipped)", n)
		}
		fmt.Fprintf(s.w, "ok      %s\t%.1fs%s\n", ev.Package, ev.Elapsed, extra)
		delete(s.output, k)
	case "skip":
		// No test files.
		delete(s.output, k)
	case "fail":
		s.res.PackagesFailed++
		fmt.Fprintf(s.w, "FAIL    %s\t%.1fs\n", ev.Package, ev.Elapsed)
		for _, l := range s.output[k] {
			if isNoise(l) {
				continue
			}
			fmt.Fprint(s.w, "    "+l)
		}
		delete(s.output, k)
		s.flushUnfinished(ev.Package)
	}
}

// flushUnfinished prints the output of tests in pkg that never reported a
// result: a panic or the -timeout killed the test binary while they ran.
func (s *summary) flushUnfinished(pkg string) {
	var names []string
	for k := range s.output {
		if k.pkg == pkg && k.test != "" {
			names = append(names, k.test)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		k := testKey{pkg, name}
		fmt.Fprintf(s.w, "--- UNFINISHED %s %s\n", pkg, name)
		for _, l := range s.output[k] {
			fmt.Fprint(s.w, "    "+l)
		}
		delete(s.output, k)
	}
}

// isNoise reports package-level lines that only repeat what the per-test
// report already said.
func isNoise(l string) bool {
	t := strings.TrimSpace(l)
	return t == "FAIL" || t == "PASS" || strings.HasPrefix(t, "FAIL\t") || strings.HasPrefix(t, "ok  ")
}

func (s *summary) result() Result {
	r := s.res
	if len(s.failed) > 0 {
		sort.Strings(s.failed)
		fmt.Fprintf(s.w, "\nFailed tests:\n")
		for _, f := range s.failed {
			fmt.Fprintf(s.w, "  %s\n", f)
		}
	}
	return r
}
