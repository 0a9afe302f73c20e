package provider

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/aliyun/credentials-go/credentials/providers"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
)

// cliConfig is the part of the aliyun CLI configuration file (~/.aliyun/config.json) we need.
type cliConfig struct {
	Current  string       `json:"current"`
	Profiles []cliProfile `json:"profiles"`
}

type cliProfile struct {
	Name            string `json:"name"`
	Mode            string `json:"mode"`
	AccessKeyID     string `json:"access_key_id"`
	AccessKeySecret string `json:"access_key_secret"`
	StsToken        string `json:"sts_token"`
	RegionID        string `json:"region_id"`
}

// profileCredentials reads the aliyun CLI file itself, so that a missing file, an unknown profile or
// an incomplete access key is reported during Configure; modes that need a network call (RamRoleArn,
// EcsRamRole, OIDC, ...) are delegated to credentials-go, which only contacts STS or the metadata
// service on the first API call. With explicit false, a missing default file returns no provider and
// no error.
func (r configResolver) profileCredentials(profile, profileSource, file, fileSource string, explicit bool) (providers.CredentialsProvider, string, string, diag.Diagnostics) {
	var diags diag.Diagnostics
	fileAttr := path.Root("shared_credentials_file")
	if file == "" {
		home, err := r.homeDir()
		if err != nil || home == "" {
			if explicit {
				diags.AddAttributeError(path.Root("profile"), "Cannot locate the shared credentials file",
					fmt.Sprintf("profile %q is set (from %s) but the home directory, and so ~/.aliyun/config.json, cannot be determined. Set shared_credentials_file or %s.", profile, profileSource, envList(envSharedCredentialsFile)))
			}
			return nil, "", "", diags
		}
		file, fileSource = filepath.Join(home, ".aliyun", "config.json"), "default location"
	} else if expanded, ok := r.expandHome(file); ok {
		file = expanded
	}

	data, err := os.ReadFile(file)
	if err != nil {
		if !explicit && errors.Is(err, os.ErrNotExist) {
			return nil, "", "", diags
		}
		wanted := ""
		if profile != "" {
			wanted = fmt.Sprintf(", needed for profile %q (from %s),", profile, profileSource)
		}
		diags.AddAttributeError(fileAttr, "Cannot read the shared credentials file",
			fmt.Sprintf("The aliyun CLI configuration file %s (%s)%s cannot be read: %s. Set shared_credentials_file or %s to an existing file, or configure access_key and secret_key instead.",
				file, fileSource, wanted, errorWithoutPath(err), envList(envSharedCredentialsFile)))
		return nil, "", "", diags
	}
	var conf cliConfig
	if err := json.Unmarshal(data, &conf); err != nil {
		diags.AddAttributeError(fileAttr, "Invalid shared credentials file",
			fmt.Sprintf("%s (%s) is not an aliyun CLI configuration file (JSON with \"current\" and \"profiles\"): %s.", file, fileSource, err))
		return nil, "", "", diags
	}

	if profile == "" {
		profile, profileSource = conf.Current, "\"current\" in "+file
		if profile == "" {
			profile, profileSource = "default", "default profile name"
		}
	}
	var p *cliProfile
	names := make([]string, 0, len(conf.Profiles))
	for i := range conf.Profiles {
		names = append(names, conf.Profiles[i].Name)
		if conf.Profiles[i].Name == profile {
			p = &conf.Profiles[i]
		}
	}
	if p == nil {
		slices.Sort(names)
		known := "it defines no profiles"
		if len(names) > 0 {
			known = "it defines " + quotedList(names)
		}
		diags.AddAttributeError(path.Root("profile"), "Unknown profile",
			fmt.Sprintf("Profile %q (from %s) is not in %s; %s. Set profile or %s to one of them.", profile, profileSource, file, known, envList(envProfile)))
		return nil, "", "", diags
	}

	source := fmt.Sprintf("profile %q in %s", profile, file)
	switch p.Mode {
	case "AK", "":
		cp, err := providers.NewStaticAKCredentialsProviderBuilder().
			WithAccessKeyId(p.AccessKeyID).WithAccessKeySecret(p.AccessKeySecret).Build()
		if err != nil || p.AccessKeyID == "" || p.AccessKeySecret == "" {
			diags.AddAttributeError(path.Root("profile"), summaryIncompleteProfile,
				fmt.Sprintf("Profile %q in %s has mode AK but no complete access_key_id / access_key_secret.", profile, file))
			return nil, "", "", diags
		}
		return cp, source, p.RegionID, diags
	case "StsToken":
		cp, err := providers.NewStaticSTSCredentialsProviderBuilder().
			WithAccessKeyId(p.AccessKeyID).WithAccessKeySecret(p.AccessKeySecret).WithSecurityToken(p.StsToken).Build()
		if err != nil || p.AccessKeyID == "" || p.AccessKeySecret == "" || p.StsToken == "" {
			diags.AddAttributeError(path.Root("profile"), summaryIncompleteProfile,
				fmt.Sprintf("Profile %q in %s has mode StsToken but no complete access_key_id / access_key_secret / sts_token.", profile, file))
			return nil, "", "", diags
		}
		return cp, source, p.RegionID, diags
	case "RamRoleArn", "ChainableRamRoleArn", "EcsRamRole", "OIDC", "CloudSSO", "OAuth", "External":
		cp, err := providers.NewCLIProfileCredentialsProviderBuilder().WithProfileFile(file).WithProfileName(profile).Build()
		if err != nil {
			diags.AddAttributeError(path.Root("profile"), "Unusable profile",
				fmt.Sprintf("Profile %q in %s (mode %s) cannot be used: %s.", profile, file, p.Mode, err))
			return nil, "", "", diags
		}
		return cp, source + " (mode " + p.Mode + ")", p.RegionID, diags
	default:
		diags.AddAttributeError(path.Root("profile"), "Unsupported profile mode",
			fmt.Sprintf("Profile %q in %s has mode %q, which is not supported; use AK, StsToken, RamRoleArn, ChainableRamRoleArn, EcsRamRole, OIDC, CloudSSO, OAuth or External.", profile, file, p.Mode))
		return nil, "", "", diags
	}
}

func (r configResolver) expandHome(p string) (string, bool) {
	if p != "~" && !strings.HasPrefix(p, "~/") {
		return p, false
	}
	home, err := r.homeDir()
	if err != nil || home == "" {
		return p, false
	}
	return filepath.Join(home, strings.TrimPrefix(p, "~")), true
}

// errorWithoutPath drops the path os.ReadFile repeats in its error, since the message already names it.
func errorWithoutPath(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
