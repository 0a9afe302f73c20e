package main

import (
	"encoding/json"
	"fmt"
	"os"
)

// writeSeed writes the emulator's seed: the bench account with apis APIs in groups of
// apisPerGroup, each deployed to RELEASE.
func writeSeed(path string, apis int) error {
	type api struct {
		ID         string   `json:"id"`
		Name       string   `json:"name"`
		Method     string   `json:"method"`
		Path       string   `json:"path"`
		Visibility string   `json:"visibility"`
		Deploy     []string `json:"deploy"`
	}
	type group struct {
		ID   string `json:"id"`
		Name string `json:"name"`
		APIs []api  `json:"apis"`
	}
	var groups []group
	for i := 0; i < apis; i++ {
		g := i / apisPerGroup
		if g == len(groups) {
			groups = append(groups, group{ID: fmt.Sprintf("%032x", 0xb0000+g), Name: fmt.Sprintf("bench%03d", g)})
		}
		groups[g].APIs = append(groups[g].APIs, api{ID: apiID(i), Name: fmt.Sprintf("bench_api_%05d", i), Method: "GET",
			Path: fmt.Sprintf("/bench/%05d", i), Visibility: "PUBLIC", Deploy: []string{"RELEASE"}})
	}
	seed := map[string]any{"accounts": []any{map[string]any{
		"id": "1234567890123456", "access_key_id": accessKey, "access_key_secret": secretKey,
		"regions": []any{map[string]any{"region": region, "groups": groups}},
	}}}
	data, err := json.MarshalIndent(seed, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o600)
}

func apiID(i int) string { return fmt.Sprintf("%032x", 0xa000000+i) }
