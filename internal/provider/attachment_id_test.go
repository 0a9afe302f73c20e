package provider

import (
	"strings"
	"testing"
)

func TestParseAttachmentID(t *testing.T) {
	t.Parallel()

	got, err := parseAttachmentID("p1:a1:RELEASE")
	if err != nil {
		t.Fatalf("parseAttachmentID: %v", err)
	}
	want := attachmentID{ProductID: "p1", APIID: "a1", StageName: "RELEASE"}
	if got != want {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	if got.String() != "p1:a1:RELEASE" {
		t.Fatalf("String() = %q", got.String())
	}
}

func TestParseAttachmentIDErrors(t *testing.T) {
	t.Parallel()

	cases := []struct {
		raw  string
		want []string // substrings the message must contain
	}{
		{"", []string{`<api_product_id>:<api_id>:<stage_name>`, `got ""`}},
		{"p1", []string{`<api_product_id>:<api_id>:<stage_name>`, `got "p1"`, "1 part(s)"}},
		{"p1:a1", []string{`got "p1:a1"`, "2 part(s)"}},
		{"p1:a1:RELEASE:x", []string{`got "p1:a1:RELEASE:x"`, "4 part(s)"}},
		{":a1:RELEASE", []string{"the api_product_id part is empty"}},
		{"p1::RELEASE", []string{"the api_id part is empty"}},
		{"p1:a 1:RELEASE", []string{"the api_id part", "whitespace"}},
		{"p1:a1:release", []string{"the stage_name part", `did you mean "RELEASE"?`}},
		{"p1:a1:PROD", []string{"the stage_name part", `"RELEASE", "PRE", "TEST"`, `got "PROD"`}},
	}
	for _, tc := range cases {
		_, err := parseAttachmentID(tc.raw)
		if err == nil {
			t.Errorf("parseAttachmentID(%q): no error", tc.raw)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("parseAttachmentID(%q) = %q, want it to contain %q", tc.raw, err, w)
			}
		}
	}
}

func TestStageProblem(t *testing.T) {
	t.Parallel()

	for _, ok := range validStages {
		if p := stageProblem(ok); p != "" {
			t.Errorf("stageProblem(%q) = %q, want none", ok, p)
		}
	}
	cases := map[string]string{
		"release": `did you mean "RELEASE"?`,
		"Pre":     `did you mean "PRE"?`,
		" test ":  `did you mean "TEST"?`,
		"DEV":     `must be one of "RELEASE", "PRE", "TEST", got "DEV"`,
		"":        `got ""`,
	}
	for in, want := range cases {
		p := stageProblem(in)
		if !strings.Contains(p, want) {
			t.Errorf("stageProblem(%q) = %q, want it to contain %q", in, p, want)
		}
	}
	if p := stageProblem("DEV"); strings.Contains(p, "did you mean") {
		t.Errorf("stageProblem(DEV) suggests a stage: %q", p)
	}
}

func TestIdentifierProblem(t *testing.T) {
	t.Parallel()

	if p := identifierProblem("551877242a4b4f3a84a56b7c3570e4a7"); p != "" {
		t.Errorf("valid id rejected: %q", p)
	}
	cases := map[string]string{
		"":        "is empty",
		"a:b":     `contains ":"`,
		"a b":     "whitespace",
		"ab\n":    "whitespace",
		"\tab":    "whitespace",
		"a\u00a0": "whitespace",
	}
	for in, want := range cases {
		if p := identifierProblem(in); !strings.Contains(p, want) {
			t.Errorf("identifierProblem(%q) = %q, want it to contain %q", in, p, want)
		}
	}
}
