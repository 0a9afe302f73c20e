package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestSlug(t *testing.T) {
	for text, want := range map[string]string{
		"`apigateway_api_product` or `apigateway_api_product_attachment`?": "apigateway_api_product-or-apigateway_api_product_attachment",
		"The two commands":                             "the-two-commands",
		"Flags: faults (`--fault`, `--qps`)":           "flags-faults---fault---qps",
		"See [the guide](guides/x.md) first":           "see-the-guide-first",
		"HTTPS and STS":                                "https-and-sts",
		"Nested Schema for `apis`":                     "nested-schema-for-apis",
		"Tested on Terraform 1.11.4 / OpenTofu 1.12.6": "tested-on-terraform-1114--opentofu-1126",
	} {
		if got := slug(text); got != want {
			t.Errorf("slug(%q) = %q, want %q", text, got, want)
		}
	}
}

func TestCheckFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("docs/guide.md", "# Guide\n\n## Step one\n\n## Step one\n\n<a id=\"nested--x\"></a>\n### Nested\n")
	write("examples/demo/main.tf", "")
	write("README.md", strings.Join([]string{
		"# Title",
		"",
		"Good: [guide](docs/guide.md), [step](docs/guide.md#step-one), [again](docs/guide.md#step-one-1),",
		"[nested](docs/guide.md#nested--x), [dir](examples/demo), [file](examples/demo/main.tf), [self](#title),",
		"[web](https://example.com/missing), [mail](mailto:someone@example.com), `[code](missing.md)`.",
		"[on GitHub](https://github.com/o/r/blob/main/docs/guide.md#nested), [tree](https://github.com/o/r/tree/main/examples/demo),",
		"[other branch](https://github.com/o/r/blob/v1/gone.md), [gone on GitHub](https://github.com/o/r/blob/main/gone.md).",
		"",
		"Bad: [missing](docs/missing.md), [anchor](docs/guide.md#step-two), [self](#nowhere).",
		"",
		"[ref]: docs/gone.md",
		"",
		"```markdown",
		"[in a fence](nowhere.md)",
		"```",
		"",
		"    [indented code](nowhere.md)",
		"",
		"- a list item",
		"",
		"    [continued item](docs/absent.md)",
	}, "\n"))

	c := newChecker()
	c.repoURL = "https://github.com/o/r"
	// Links to the repository on GitHub are resolved from the repository's root, the working directory.
	t.Chdir(dir)
	problems, checked, err := c.checkFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	var targets []string
	for _, p := range problems {
		// "FILE:LINE: TARGET: why"
		parts := strings.SplitN(p, ": ", 3)
		targets = append(targets, parts[1])
	}
	want := []string{"https://github.com/o/r/blob/main/gone.md", "docs/missing.md", "docs/guide.md#step-two", "#nowhere", "docs/gone.md", "docs/absent.md"}
	if !slices.Equal(targets, want) {
		t.Errorf("broken links reported: %q\nwant %q\nall problems:\n%s", targets, want, strings.Join(problems, "\n"))
	}
	if checked != 15 {
		t.Errorf("checked %d links, want 15", checked)
	}
}
