package main

import (
	"bytes"
	"strings"
	"testing"
)

const sampleRun = `{"Action":"start","Package":"example.com/a"}
{"Action":"run","Package":"example.com/a","Test":"TestOK"}
{"Action":"output","Package":"example.com/a","Test":"TestOK","Output":"quiet log line\n"}
{"Action":"pass","Package":"example.com/a","Test":"TestOK","Elapsed":0.01}
{"Action":"run","Package":"example.com/a","Test":"TestAccThing"}
{"Action":"pass","Package":"example.com/a","Test":"TestAccThing","Elapsed":1.5}
{"Action":"run","Package":"example.com/a","Test":"TestSkipped"}
{"Action":"skip","Package":"example.com/a","Test":"TestSkipped","Elapsed":0}
{"Action":"run","Package":"example.com/a","Test":"TestBad"}
{"Action":"output","Package":"example.com/a","Test":"TestBad","Output":"bad_test.go:12: want 1, got 2\n"}
{"Action":"fail","Package":"example.com/a","Test":"TestBad","Elapsed":0.02}
{"Action":"output","Package":"example.com/a","Output":"FAIL\n"}
{"Action":"fail","Package":"example.com/a","Elapsed":1.6}
{"Action":"pass","Package":"example.com/b","Elapsed":0.1}
not json from go vet
`

func TestSummaryCounts(t *testing.T) {
	var out bytes.Buffer
	s := newSummary(&out, false)
	if err := s.consume(strings.NewReader(sampleRun)); err != nil {
		t.Fatal(err)
	}
	r := s.result()
	if got, want := r.closingLine(), "2 passed, 1 failed, 1 skipped"; got != want {
		t.Errorf("closing line = %q, want %q", got, want)
	}
	if r.PackagesFailed != 1 {
		t.Errorf("PackagesFailed = %d, want 1", r.PackagesFailed)
	}
	if n := r.passedWithPrefix("TestAcc"); n != 1 {
		t.Errorf("passedWithPrefix(TestAcc) = %d, want 1", n)
	}
	log := out.String()
	for _, want := range []string{"want 1, got 2", "--- FAIL example.com/a TestBad", "not json from go vet", "ok      example.com/b"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, "quiet log line") {
		t.Errorf("log of a passing test was printed:\n%s", log)
	}
}

func TestSummaryUnfinishedAndBuildFailure(t *testing.T) {
	in := `{"Action":"build-output","ImportPath":"example.com/c","Output":"c.go:3:1: syntax error\n"}
{"Action":"build-fail","ImportPath":"example.com/c"}
{"Action":"run","Package":"example.com/d","Test":"TestHangs"}
{"Action":"output","Package":"example.com/d","Test":"TestHangs","Output":"panic: test timed out after 1s\n"}
{"Action":"fail","Package":"example.com/d","Elapsed":1}
`
	var out bytes.Buffer
	s := newSummary(&out, false)
	if err := s.consume(strings.NewReader(in)); err != nil {
		t.Fatal(err)
	}
	r := s.result()
	if r.BuildFailed != 1 || r.PackagesFailed != 1 {
		t.Errorf("BuildFailed=%d PackagesFailed=%d, want 1 and 1", r.BuildFailed, r.PackagesFailed)
	}
	log := out.String()
	for _, want := range []string{"syntax error", "--- UNFINISHED example.com/d TestHangs", "test timed out"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
}

func TestSummaryAcceptanceLine(t *testing.T) {
	in := `{"Action":"run","Package":"example.com/internal/provider","Test":"TestAccA"}
{"Action":"pass","Package":"example.com/internal/provider","Test":"TestAccA"}
{"Action":"pass","Package":"example.com/internal/provider","Test":"TestAccA/sub"}
{"Action":"skip","Package":"example.com/internal/provider","Test":"TestAccZ"}
{"Action":"skip","Package":"example.com/internal/provider","Test":"TestAccB"}
{"Action":"fail","Package":"example.com/internal/provider","Test":"TestAccC"}
{"Action":"pass","Package":"example.com/internal/provider","Test":"TestUnit"}
{"Action":"pass","Package":"example.com/internal/emulator","Test":"TestAccountIsolation"}
`
	var out bytes.Buffer
	s := newSummary(&out, false)
	if err := s.consume(strings.NewReader(in)); err != nil {
		t.Fatal(err)
	}
	got := s.result().acceptance("TestAcc", "internal/provider").accLine("OpenTofu v1.12.6")
	want := "acceptance tests on OpenTofu v1.12.6: 2 ran (1 passed, 1 failed), 2 skipped (TestAccB, TestAccZ)"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}
