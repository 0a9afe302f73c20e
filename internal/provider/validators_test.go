package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func runStringValidator(v validator.String, attr string, value types.String) []string {
	req := validator.StringRequest{Path: path.Root(attr), ConfigValue: value}
	resp := &validator.StringResponse{}
	v.ValidateString(context.Background(), req, resp)
	var out []string
	for _, d := range resp.Diagnostics {
		out = append(out, d.Summary()+": "+d.Detail())
	}
	return out
}

func TestStageNameValidator(t *testing.T) {
	t.Parallel()

	v := stageNameValidator
	for _, ok := range []types.String{types.StringValue("RELEASE"), types.StringValue("PRE"), types.StringValue("TEST"), types.StringNull(), types.StringUnknown()} {
		if got := runStringValidator(v, "stage_name", ok); len(got) != 0 {
			t.Errorf("%s: unexpected diagnostics %q", ok, got)
		}
	}

	got := runStringValidator(v, "stage_name", types.StringValue("release"))
	want := `Invalid stage name: Attribute stage_name must be one of "RELEASE", "PRE", "TEST", got "release"; stage names are case-sensitive, did you mean "RELEASE"?`
	if len(got) != 1 || got[0] != want {
		t.Errorf("release: got %q, want [%q]", got, want)
	}

	got = runStringValidator(v, "stage_name", types.StringValue("PROD"))
	want = `Invalid stage name: Attribute stage_name must be one of "RELEASE", "PRE", "TEST", got "PROD".`
	if len(got) != 1 || got[0] != want {
		t.Errorf("PROD: got %q, want [%q]", got, want)
	}
}

func TestIdentifierValidator(t *testing.T) {
	t.Parallel()

	v := identifierValidator
	if got := runStringValidator(v, "api_id", types.StringValue("abc123")); len(got) != 0 {
		t.Errorf("valid id: unexpected diagnostics %q", got)
	}
	if got := runStringValidator(v, "api_id", types.StringUnknown()); len(got) != 0 {
		t.Errorf("unknown id: unexpected diagnostics %q", got)
	}
	cases := map[string]string{
		"":    "Attribute api_id is empty.",
		"a:b": `Attribute api_id "a:b" contains ":"`,
		" ab": "contains whitespace",
	}
	for in, want := range cases {
		got := runStringValidator(v, "api_id", types.StringValue(in))
		if len(got) != 1 || !strings.Contains(got[0], want) || !strings.HasPrefix(got[0], "Invalid identifier: ") {
			t.Errorf("%q: got %q, want one diagnostic containing %q", in, got, want)
		}
	}
}
