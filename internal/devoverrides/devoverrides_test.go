package devoverrides

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConfig(t *testing.T) {
	for _, tc := range []struct {
		name  string
		hosts []string
		want  string
	}{
		{"default host", nil, `provider_installation {
  dev_overrides {
    "registry.terraform.io/cloudapi/apigateway" = "/opt/bin"
  }
  direct {}
}
`},
		{"both registries", []string{"registry.terraform.io", "registry.opentofu.org"}, `provider_installation {
  dev_overrides {
    "registry.terraform.io/cloudapi/apigateway" = "/opt/bin"
    "registry.opentofu.org/cloudapi/apigateway" = "/opt/bin"
  }
  direct {}
}
`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Config("/opt/bin", tc.hosts...); got != tc.want {
				t.Errorf("Config:\n%s\nwant:\n%s", got, tc.want)
			}
		})
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
