// Command testsummary reads `go test -json` events on stdin, prints a compact
// log (package results, the full output of failed tests, build errors) and
// closes with one line "N passed, N failed, N skipped".
//
// It exists so that `make test` ends with a summary a person (and CI) can
// read without installing a third-party test runner: it needs only the Go
// standard library, so it works offline.
//
// With -cli NAME it also prints how many acceptance tests (-acc-prefix in
// -acc-package) ran and were skipped on that CLI, naming the skipped ones, and
// with -record FILE appends that line to FILE, so that a CI run over several
// CLIs can repeat all of them at its end.
//
// Exit status: 0 when nothing failed, at least -min-passed tests passed and
// every -require-run prefix had a passing test; 1 otherwise. The caller must still check the exit status of `go test`
// itself (the Makefile runs with pipefail).
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// prefixes is a repeatable string flag.
type prefixes []string

func (p *prefixes) String() string { return strings.Join(*p, ",") }

func (p *prefixes) Set(v string) error {
	if v != "" {
		*p = append(*p, v)
	}
	return nil
}

func main() {
	minPassed := flag.Int("min-passed", 1, "fail when fewer tests than this passed (guards against a run that silently tested nothing)")
	var require prefixes
	flag.Var(&require, "require-run", "fail when no test whose name starts with this prefix passed (e.g. TestAcc, so acceptance tests cannot be skipped unnoticed); repeatable")
	cli := flag.String("cli", "", "name of the Terraform/OpenTofu CLI the acceptance tests ran on; prints the per-CLI acceptance line")
	accPrefix := flag.String("acc-prefix", "TestAcc", "name prefix of acceptance tests, for -cli")
	accPackage := flag.String("acc-package", "internal/provider", "import path part of the packages holding acceptance tests, for -cli")
	record := flag.String("record", "", "append the per-CLI acceptance line to this file (with -cli)")
	verbose := flag.Bool("v", false, "print the output of every test, not only of failed ones")
	flag.Parse()

	s := newSummary(os.Stdout, *verbose)
	if err := s.consume(os.Stdin); err != nil {
		fmt.Fprintf(os.Stderr, "testsummary: %v\n", err)
		os.Exit(1)
	}
	r := s.result()
	for _, p := range require {
		fmt.Printf("%s* tests: %d passed\n", p, r.passedWithPrefix(p))
	}
	ok := true
	if *cli != "" {
		line := r.acceptance(*accPrefix, *accPackage).accLine(*cli)
		fmt.Println(line)
		if *record != "" {
			if err := appendLine(*record, line); err != nil {
				fmt.Fprintf(os.Stderr, "testsummary: %v\n", err)
				ok = false
			}
		}
	}
	fmt.Println(r.closingLine())

	ok = ok && r.Failed == 0 && r.BuildFailed == 0 && r.PackagesFailed == 0
	if r.Passed < *minPassed {
		fmt.Fprintf(os.Stderr, "testsummary: only %d tests passed, expected at least %d\n", r.Passed, *minPassed)
		ok = false
	}
	for _, p := range require {
		if r.passedWithPrefix(p) == 0 {
			fmt.Fprintf(os.Stderr, "testsummary: no test named %s* passed (were they skipped? is TF_ACC set and terraform on PATH?)\n", p)
			ok = false
		}
	}
	if !ok {
		os.Exit(1)
	}
}

// drain discards the rest of r so the writer on the other end of a pipe is
// never blocked by an early exit.
func drain(r io.Reader) {
	_, _ = io.Copy(io.Discard, r)
}

func appendLine(path, line string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintln(f, line); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
