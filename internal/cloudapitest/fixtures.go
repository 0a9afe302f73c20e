// Package cloudapitest creates and removes the API Gateway objects that tests and sweepers need
// around the provider's own resources: API groups, mock-backed APIs and their deployments. The
// provider never calls these operations, so they live here, outside the production client; only
// test code and the sweeper import this package.
package cloudapitest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	cloudapiclient "github.com/alibabacloud-go/cloudapi-20160714/v5/client"
	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	"github.com/alibabacloud-go/tea/dara"

	"github.com/cloudapi/terraform-provider-apigateway/internal/cloudapi"
)

// Fixtures calls the fixture operations with the same endpoint, protocol and credentials as a
// cloudapi.Client built from the same Config. Each call is retried on throttling and transient
// failures (cloudapi.IsRetryable), so fixtures survive the faults a test injects. Errors are the
// SDK's, which cloudapi.IsNotFound and cloudapi.ErrorCode classify like the client's own.
type Fixtures struct {
	sdk    *cloudapiclient.Client
	client *cloudapi.Client
	retry  cloudapi.RetryPolicy
}

// New builds Fixtures from the Config a test gives cloudapi.New. It performs no network I/O.
func New(cfg cloudapi.Config) (*Fixtures, error) {
	client, err := cloudapi.New(cfg)
	if err != nil {
		return nil, err
	}
	_, protocol, err := cloudapi.ResolveEndpoint(cfg.Endpoint, cfg.Protocol)
	if err != nil {
		return nil, err
	}
	oc := &openapi.Config{
		Credential: cfg.Credential,
		Endpoint:   dara.String(client.Endpoint()),
		Protocol:   dara.String(protocol),
	}
	if cfg.RegionID != "" {
		oc.RegionId = dara.String(cfg.RegionID)
	}
	sdk, err := cloudapiclient.NewClient(oc)
	if err != nil {
		return nil, fmt.Errorf("cloudapitest: building the SDK client: %w", err)
	}
	retry := cfg.Retry
	if retry.MaxAttempts <= 0 {
		retry.MaxAttempts = 8
	}
	if retry.BaseDelay <= 0 {
		retry.BaseDelay = 200 * time.Millisecond
	}
	if retry.MaxDelay <= 0 {
		retry.MaxDelay = 5 * time.Second
	}
	return &Fixtures{sdk: sdk, client: client, retry: retry}, nil
}

// call runs one operation, retrying what cloudapi.IsRetryable accepts with capped exponential
// backoff until the attempts or ctx run out.
func (f *Fixtures) call(ctx context.Context, op func(rt *dara.RuntimeOptions) error) error {
	delay := f.retry.BaseDelay
	for attempt := 1; ; attempt++ {
		err := op(&dara.RuntimeOptions{Autoretry: dara.Bool(false)})
		if err == nil || attempt >= f.retry.MaxAttempts || !cloudapi.IsRetryable(err) {
			return err
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return errors.Join(err, ctx.Err())
		case <-t.C:
		}
		delay = min(2*delay, f.retry.MaxDelay)
	}
}

// CreateAPIGroup creates an API group (CreateApiGroup) and returns its ID.
func (f *Fixtures) CreateAPIGroup(ctx context.Context, name, description string) (string, error) {
	req := &cloudapiclient.CreateApiGroupRequest{GroupName: dara.String(name)}
	if description != "" {
		req.Description = dara.String(description)
	}
	return f.created(ctx, "CreateApiGroup", func(rt *dara.RuntimeOptions) (*string, error) {
		resp, err := f.sdk.CreateApiGroupWithContext(ctx, req, rt)
		if err != nil || resp.Body == nil {
			return nil, err
		}
		return resp.Body.GroupId, nil
	})
}

// created runs a create operation through call and returns the id its answer carries; an answer
// without one is an error rather than an empty id a test would trip over later.
func (f *Fixtures) created(ctx context.Context, action string, op func(rt *dara.RuntimeOptions) (*string, error)) (string, error) {
	var id *string
	err := f.call(ctx, func(rt *dara.RuntimeOptions) (err error) {
		id, err = op(rt)
		return err
	})
	if err == nil && dara.StringValue(id) == "" {
		err = fmt.Errorf("CloudAPI %s: the answer carries no id", action)
	}
	return dara.StringValue(id), err
}

// DeleteAPIGroup deletes an API group (DeleteApiGroup).
func (f *Fixtures) DeleteAPIGroup(ctx context.Context, groupID string) error {
	return f.call(ctx, func(rt *dara.RuntimeOptions) error {
		_, err := f.sdk.DeleteApiGroupWithContext(ctx, &cloudapiclient.DeleteApiGroupRequest{GroupId: dara.String(groupID)}, rt)
		return err
	})
}

// APIInput describes a minimal mock-backed API for CreateAPI.
type APIInput struct {
	GroupID     string
	Name        string
	Description string
	// Method defaults to GET.
	Method string
	// Path is the request path, e.g. "/users"; it must start with "/".
	Path string
	// Visibility is PUBLIC (default) or PRIVATE.
	Visibility string
}

// requestConfig fixes the JSON field order the service documents.
type requestConfig struct {
	RequestProtocol   string `json:"RequestProtocol"`
	RequestHTTPMethod string `json:"RequestHttpMethod"`
	RequestPath       string `json:"RequestPath"`
	BodyFormat        string `json:"BodyFormat"`
}

// mockServiceConfig makes the API answer "ok" from the gateway itself, so fixtures need no backend.
const mockServiceConfig = `{"ServiceProtocol":"HTTP","ServiceHttpMethod":"GET","ServiceAddress":"http://127.0.0.1","ServiceTimeout":"3000","ServicePath":"/","Mock":"TRUE","MockResult":"ok"}`

// CreateAPI creates an HTTP API with a mock backend (CreateApi) and returns its ID.
func (f *Fixtures) CreateAPI(ctx context.Context, in APIInput) (string, error) {
	method := strings.ToUpper(strings.TrimSpace(in.Method))
	if method == "" {
		method = "GET"
	}
	visibility := strings.ToUpper(strings.TrimSpace(in.Visibility))
	if visibility == "" {
		visibility = "PUBLIC"
	}
	rc, err := json.Marshal(requestConfig{RequestProtocol: "HTTP", RequestHTTPMethod: method, RequestPath: in.Path})
	if err != nil {
		return "", err
	}
	req := &cloudapiclient.CreateApiRequest{
		GroupId:       dara.String(in.GroupID),
		ApiName:       dara.String(in.Name),
		Visibility:    dara.String(visibility),
		AuthType:      dara.String("APP"),
		RequestConfig: dara.String(string(rc)),
		ServiceConfig: dara.String(mockServiceConfig),
		ResultType:    dara.String("JSON"),
		ResultSample:  dara.String("{}"),
	}
	if in.Description != "" {
		req.Description = dara.String(in.Description)
	}
	return f.created(ctx, "CreateApi", func(rt *dara.RuntimeOptions) (*string, error) {
		resp, err := f.sdk.CreateApiWithContext(ctx, req, rt)
		if err != nil || resp.Body == nil {
			return nil, err
		}
		return resp.Body.ApiId, nil
	})
}

// DeleteAPI deletes an API (DeleteApi); the service refuses while it is deployed.
func (f *Fixtures) DeleteAPI(ctx context.Context, groupID, apiID string) error {
	return f.call(ctx, func(rt *dara.RuntimeOptions) error {
		_, err := f.sdk.DeleteApiWithContext(ctx, &cloudapiclient.DeleteApiRequest{GroupId: dara.String(groupID), ApiId: dara.String(apiID)}, rt)
		return err
	})
}

// DeployAPI publishes an API to a stage (DeployApi). The service requires a description; an
// empty one is replaced by a default.
func (f *Fixtures) DeployAPI(ctx context.Context, groupID, apiID, stage, description string) error {
	if description == "" {
		description = "deployed by terraform-provider-apigateway tests"
	}
	req := &cloudapiclient.DeployApiRequest{GroupId: dara.String(groupID), ApiId: dara.String(apiID),
		StageName: dara.String(stage), Description: dara.String(description)}
	return f.call(ctx, func(rt *dara.RuntimeOptions) error {
		_, err := f.sdk.DeployApiWithContext(ctx, req, rt)
		return err
	})
}

// AbolishAPI unpublishes an API from a stage (AbolishApi).
func (f *Fixtures) AbolishAPI(ctx context.Context, groupID, apiID, stage string) error {
	req := &cloudapiclient.AbolishApiRequest{GroupId: dara.String(groupID), ApiId: dara.String(apiID), StageName: dara.String(stage)}
	return f.call(ctx, func(rt *dara.RuntimeOptions) error {
		_, err := f.sdk.AbolishApiWithContext(ctx, req, rt)
		return err
	})
}

// ListAPIs lists the APIs of a group ("" = all groups) whose name starts with namePrefix ("" =
// all), with the client's one pager (cloudapi.Client.ListAPIs), and describes each
// (cloudapi.Client.DescribeAPI) for its deployed stages. Sweepers use it to find leftover fixtures.
func (f *Fixtures) ListAPIs(ctx context.Context, groupID, namePrefix string) ([]cloudapi.APIDetail, error) {
	apis, err := f.client.ListAPIs(ctx, groupID)
	if err != nil {
		return nil, err
	}
	out := make([]cloudapi.APIDetail, 0, len(apis))
	for _, a := range apis {
		if !strings.HasPrefix(a.APIName, namePrefix) {
			continue
		}
		d, err := f.client.DescribeAPI(ctx, a.APIID)
		if cloudapi.IsNotFound(err) {
			continue // deleted since the listing
		}
		if err != nil {
			return nil, err
		}
		out = append(out, *d)
	}
	return out, nil
}

// CreateApp creates an app (CreateApp) and returns its ID.
func (f *Fixtures) CreateApp(ctx context.Context, name, description string) (int64, error) {
	req := &cloudapiclient.CreateAppRequest{AppName: dara.String(name)}
	if description != "" {
		req.Description = dara.String(description)
	}
	var id int64
	err := f.call(ctx, func(rt *dara.RuntimeOptions) error {
		resp, err := f.sdk.CreateAppWithContext(ctx, req, rt)
		if err == nil {
			id = dara.Int64Value(resp.Body.AppId)
		}
		return err
	})
	if err == nil && id <= 0 {
		err = errors.New("CloudAPI CreateApp: the answer has no AppId")
	}
	return id, err
}

// DeleteApp deletes an app (DeleteApp), which also removes its authorizations.
func (f *Fixtures) DeleteApp(ctx context.Context, appID int64) error {
	return f.call(ctx, func(rt *dara.RuntimeOptions) error {
		_, err := f.sdk.DeleteAppWithContext(ctx, &cloudapiclient.DeleteAppRequest{AppId: dara.Int64(appID)}, rt)
		return err
	})
}
