// Package sdktest points Alibaba's official typed CloudAPI client at an emulator, for the tests of
// the emulator and of its command: one way to configure the client and read its errors. It is test
// support: nothing the provider ships imports it.
package sdktest

import (
	"errors"
	"testing"

	cloudapi "github.com/alibabacloud-go/cloudapi-20160714/v5/client"
	openapiutil "github.com/alibabacloud-go/darabonba-openapi/v2/utils"
	"github.com/alibabacloud-go/tea/tea"
)

// Config is the typed client's configuration for an emulator at endpoint (host:port, no scheme),
// over HTTP, with V3 signatures unless the caller sets SignatureAlgorithm.
func Config(endpoint, keyID, secret, region string) *openapiutil.Config {
	return &openapiutil.Config{
		AccessKeyId:     tea.String(keyID),
		AccessKeySecret: tea.String(secret),
		Endpoint:        tea.String(endpoint),
		Protocol:        tea.String("HTTP"),
		RegionId:        tea.String(region),
	}
}

// Typed is the official typed CloudAPI client for cfg; a client that cannot be made fails the test.
func Typed(t testing.TB, cfg *openapiutil.Config) *cloudapi.Client {
	t.Helper()
	c, err := cloudapi.NewClient(cfg)
	if err != nil {
		t.Fatalf("cloudapi.NewClient: %v", err)
	}
	return c
}

// Code is the CloudAPI error code the typed client read from a failed call, "" for any other error.
func Code(err error) string {
	var se *tea.SDKError
	if errors.As(err, &se) {
		return tea.StringValue(se.Code)
	}
	return ""
}
