package devoverrides

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConfig(t *testing.T) {
	want := `provider_installation {
  dev_overrides {
    "registry.terraform.io/cloudapi/apigateway" = "/opt/bin"
  }
  direct {}
}
`
	if got := Config("/opt/bin"); got != want {
		t.Errorf("Config with the default host:\n%s\nwant:\n%s", got, want)
	}
	// OpenTofu reads the short address as registry.opentofu.org: validate-examples names both.
	want = `provider_installation {
  dev_overrides {
    "registry.terraform.io/cloudapi/apigateway" = "/opt/bin"
    "registry.opentofu.org/cloudapi/apigateway" = "/opt/bin"
  }
  direct {}
}
`
	if got := Config("/opt/bin", "registry.terraform.io", "registry.opentofu.org"); got != want {
		t.Errorf("Config with both registries:\n%s\nwant:\n%s", got, want)
	}
}

func TestWrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cli.tfrc")
	if err := Write(path, `C:\with "quotes"`); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// The directory is quoted as an HCL string: backslashes and quotes escaped.
	want := Config(`C:\with "quotes"`)
	if string(got) != want {
		t.Errorf("file holds:\n%s\nwant:\n%s", got, want)
	}
	if want := `"C:\\with \"quotes\""`; !strings.Contains(string(got), want) {
		t.Errorf("file does not quote the directory as %s:\n%s", want, got)
	}
}
