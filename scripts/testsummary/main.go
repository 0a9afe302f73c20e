// Command testsummary reads `go test -json` events on stdin, prints a compact
// log (package results, the full output of failed tests, build errors) and
// closes with one line "N passed, N failed, N skipped".
//
// It exists so that `make test` ends with a summary a person (and CI) can
// read without installing a third-party test runner: it needs only the Go
// standard library, so it works offline.
//
// Exit status: 0 when nothing failed and at least -min-passed tests passed;
// 1 otherwise. The caller must still check the exit status of `go test`
// itself (the Makefile runs with pipefail).
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	minPassed := flag.Int("min-passed", 1, "fail when fewer tests than this passed (guards against a run that silently tested nothing)")
	requirePrefix := flag.String("require-run", "", "fail when no test whose name starts with this prefix passed (e.g. TestAcc, so acceptance tests cannot be skipped unnoticed)")
	verbose := flag.Bool("v", false, "print the output of every test, not only of failed ones")
	flag.Parse()

	s := newSummary(os.Stdout, *verbose)
	if err := s.consume(os.Stdin); err != nil {
		fmt.Fprintf(os.Stderr, "testsummary: %v\n", err)
		os.Exit(1)
	}
	r := s.result()
	if *requirePrefix != "" {
		fmt.Printf("%s* tests: %d passed\n", *requirePrefix, r.passedWithPrefix(*requirePrefix))
	}
	fmt.Println(r.closingLine())

	ok := r.Failed == 0 && r.BuildFailed == 0 && r.PackagesFailed == 0
	if r.Passed < *minPassed {
		fmt.Fprintf(os.Stderr, "testsummary: only %d tests passed, expected at least %d\n", r.Passed, *minPassed)
		ok = false
	}
	if *requirePrefix != "" && r.passedWithPrefix(*requirePrefix) == 0 {
		fmt.Fprintf(os.Stderr, "testsummary: no test named %s* passed (were they skipped? is TF_ACC set and terraform on PATH?)\n", *requirePrefix)
		ok = false
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
