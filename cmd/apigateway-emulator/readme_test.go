package main

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator"
)

// The manual beside the command documents every flag in its tables; these tests keep it true.

var (
	// A flag in --help: "  -name type" (PrintDefaults).
	helpFlag = regexp.MustCompile(`^  -([a-zA-Z0-9][a-zA-Z0-9-]*)`)
	// A flag named in a README table's first column: "`--name VALUE`".
	readmeFlag = regexp.MustCompile("`--([a-zA-Z0-9][a-zA-Z0-9-]*)")
)

// helpFlags are the flags `apigateway-emulator --help` lists.
func helpFlags(t *testing.T) []string {
	t.Helper()
	var usage bytes.Buffer
	if _, err := parseArgs([]string{"-help"}, &usage); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("parseArgs(-help) = %v, want flag.ErrHelp", err)
	}
	var names []string
	for _, line := range strings.Split(usage.String(), "\n") {
		if m := helpFlag.FindStringSubmatch(line); m != nil {
			names = append(names, m[1])
		}
	}
	if len(names) == 0 {
		t.Fatalf("no flags found in the --help output:\n%s", usage.String())
	}
	return names
}

// readmeFlags maps each flag named in the first column of a table row of README.md to the rows
// that name it.
func readmeFlags(t *testing.T) map[string][]string {
	t.Helper()
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string][]string{}
	for _, line := range strings.Split(string(data), "\n") {
		if !strings.HasPrefix(line, "| `--") {
			continue
		}
		// The first cell ends at the first "|" that is not escaped (as in `not-found\|empty`).
		cell := strings.ReplaceAll(line[1:], `\|`, "")
		cell, _, _ = strings.Cut(cell, "|")
		for _, m := range readmeFlag.FindAllStringSubmatch(cell, -1) {
			rows[m[1]] = append(rows[m[1]], strings.TrimSpace(cell))
		}
	}
	return rows
}

// TestReadmeDocumentsEveryFlag fails when a flag of the binary has no row in README.md's flag
// tables, or a row names a flag the binary does not have.
func TestReadmeDocumentsEveryFlag(t *testing.T) {
	have := helpFlags(t)
	documented := readmeFlags(t)

	var missing, extra, twice []string
	for _, name := range have {
		switch n := len(documented[name]); {
		case n == 0:
			missing = append(missing, "--"+name)
		case n > 1:
			twice = append(twice, "--"+name)
		}
	}
	for name := range documented {
		if !slices.Contains(have, name) {
			extra = append(extra, "--"+name)
		}
	}
	slices.Sort(extra)
	if len(missing) > 0 {
		t.Errorf("flags of apigateway-emulator with no row in cmd/apigateway-emulator/README.md: %s\n"+
			"Add a row for each to the table of its purpose under \"## Flags\" (its --help text is a start).",
			strings.Join(missing, ", "))
	}
	if len(extra) > 0 {
		t.Errorf("cmd/apigateway-emulator/README.md documents flags that apigateway-emulator does not have: %s\n"+
			"Remove or rename their rows (apigateway-emulator --help lists the real ones).", strings.Join(extra, ", "))
	}
	if len(twice) > 0 {
		t.Errorf("flags with more than one row in cmd/apigateway-emulator/README.md: %s", strings.Join(twice, ", "))
	}
}

// TestReadmeSeedExampleLoads loads the README's seed example (its first json block) as a seed file.
func TestReadmeSeedExampleLoads(t *testing.T) {
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(data), "\n```json\n")
	block, _, closed := strings.Cut(rest, "\n```\n")
	if !ok || !closed {
		t.Fatal("README.md has no ```json block (the seed example)")
	}
	path := filepath.Join(t.TempDir(), "seed.json")
	if err := os.WriteFile(path, []byte(block), 0o644); err != nil {
		t.Fatal(err)
	}
	seed, err := emulator.LoadSeedFile(path)
	if err != nil {
		t.Fatalf("the seed example in README.md does not load: %v", err)
	}
	if len(seed.Accounts) == 0 || len(seed.Roles) == 0 {
		t.Errorf("the seed example should show accounts and roles; got %d accounts, %d roles", len(seed.Accounts), len(seed.Roles))
	}
	// The example must also start: LoadSeedFile checks the format, Start applies the rules.
	srv, err := emulator.Start(emulator.WithAddr("127.0.0.1:0"), emulator.WithSeedData(seed))
	if err != nil {
		t.Fatalf("the seed example in README.md loads but the emulator refuses it: %v", err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
}
