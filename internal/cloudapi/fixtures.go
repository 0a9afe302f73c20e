package cloudapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	cloudapiclient "github.com/alibabacloud-go/cloudapi-20160714/v5/client"
	"github.com/alibabacloud-go/tea/dara"
)

// The operations below exist for test fixtures, sweepers and plan-time checks; the provider's
// resources only use the API-product operations.

// CreateAPIGroup creates an API group (CreateApiGroup) and returns its ID.
func (c *Client) CreateAPIGroup(ctx context.Context, name, description string) (string, error) {
	if strings.TrimSpace(name) == "" {
		return "", errors.New("CloudAPI CreateApiGroup: the group name is empty")
	}
	req := &cloudapiclient.CreateApiGroupRequest{GroupName: dara.String(name)}
	if description != "" {
		req.Description = dara.String(description)
	}
	var body *cloudapiclient.CreateApiGroupResponseBody
	err := c.invoke(ctx, "CreateApiGroup", sdkCall((*cloudapiclient.Client).CreateApiGroupWithContext, req,
		func(resp *cloudapiclient.CreateApiGroupResponse) *cloudapiclient.CreateApiGroupResponseBody {
			if resp.Body == nil || dara.StringValue(resp.Body.GroupId) == "" {
				return nil
			}
			return resp.Body
		}, &body))
	if err != nil {
		return "", err
	}
	return dara.StringValue(body.GroupId), nil
}

// DeleteAPIGroup deletes an API group (DeleteApiGroup).
func (c *Client) DeleteAPIGroup(ctx context.Context, groupID string) error {
	return c.invoke(ctx, "DeleteApiGroup", sdkCall((*cloudapiclient.Client).DeleteApiGroupWithContext,
		&cloudapiclient.DeleteApiGroupRequest{GroupId: dara.String(groupID)}, (*cloudapiclient.DeleteApiGroupResponse).GetBody, nil))
}

// CreateAPIInput describes a minimal mock-backed API for CreateAPI.
type CreateAPIInput struct {
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

// requestConfig and serviceConfig fix the JSON field order the service documents.
type requestConfig struct {
	RequestProtocol   string `json:"RequestProtocol"`
	RequestHTTPMethod string `json:"RequestHttpMethod"`
	RequestPath       string `json:"RequestPath"`
	BodyFormat        string `json:"BodyFormat"`
}

// mockServiceConfig makes the API answer "ok" from the gateway itself, so fixtures need no backend.
const mockServiceConfig = `{"ServiceProtocol":"HTTP","ServiceHttpMethod":"GET","ServiceAddress":"http://127.0.0.1","ServiceTimeout":"3000","ServicePath":"/","Mock":"TRUE","MockResult":"ok"}`

// CreateAPI creates an HTTP API with a mock backend (CreateApi) and returns its ID.
func (c *Client) CreateAPI(ctx context.Context, in CreateAPIInput) (string, error) {
	method := strings.ToUpper(strings.TrimSpace(in.Method))
	if method == "" {
		method = "GET"
	}
	visibility := strings.ToUpper(strings.TrimSpace(in.Visibility))
	if visibility == "" {
		visibility = "PUBLIC"
	}
	switch {
	case in.GroupID == "":
		return "", errors.New("CloudAPI CreateApi: the group ID is empty")
	case in.Name == "":
		return "", errors.New("CloudAPI CreateApi: the API name is empty")
	case !strings.HasPrefix(in.Path, "/"):
		return "", fmt.Errorf("CloudAPI CreateApi: the request path %q must start with /", in.Path)
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
	var body *cloudapiclient.CreateApiResponseBody
	err = c.invoke(ctx, "CreateApi", sdkCall((*cloudapiclient.Client).CreateApiWithContext, req,
		func(resp *cloudapiclient.CreateApiResponse) *cloudapiclient.CreateApiResponseBody {
			if resp.Body == nil || dara.StringValue(resp.Body.ApiId) == "" {
				return nil
			}
			return resp.Body
		}, &body))
	if err != nil {
		return "", err
	}
	return dara.StringValue(body.ApiId), nil
}

// DeleteAPI deletes an API (DeleteApi).
func (c *Client) DeleteAPI(ctx context.Context, groupID, apiID string) error {
	// Deleting an API detaches it from every product.
	if c.snapshots != nil {
		defer c.snapshots.forgetAll()
	}
	return c.invoke(ctx, "DeleteApi", sdkCall((*cloudapiclient.Client).DeleteApiWithContext, &cloudapiclient.DeleteApiRequest{
		GroupId: dara.String(groupID),
		ApiId:   dara.String(apiID),
	}, (*cloudapiclient.DeleteApiResponse).GetBody, nil))
}

// DeployAPI publishes an API to a stage (DeployApi). The service requires a description; an
// empty one is replaced by a default.
func (c *Client) DeployAPI(ctx context.Context, groupID, apiID, stage, description string) error {
	if description == "" {
		description = "deployed by terraform-provider-apigateway"
	}
	return c.invoke(ctx, "DeployApi", sdkCall((*cloudapiclient.Client).DeployApiWithContext, &cloudapiclient.DeployApiRequest{
		GroupId:     dara.String(groupID),
		ApiId:       dara.String(apiID),
		StageName:   dara.String(stage),
		Description: dara.String(description),
	}, (*cloudapiclient.DeployApiResponse).GetBody, nil))
}

// AbolishAPI unpublishes an API from a stage (AbolishApi).
func (c *Client) AbolishAPI(ctx context.Context, groupID, apiID, stage string) error {
	return c.invoke(ctx, "AbolishApi", sdkCall((*cloudapiclient.Client).AbolishApiWithContext, &cloudapiclient.AbolishApiRequest{
		GroupId:   dara.String(groupID),
		ApiId:     dara.String(apiID),
		StageName: dara.String(stage),
	}, (*cloudapiclient.AbolishApiResponse).GetBody, nil))
}

// ListAPIs lists the APIs of a group ("" = all groups) whose name starts with namePrefix ("" =
// all), paging DescribeApis. Sweepers use it to find leftover tf-testacc-* fixtures.
func (c *Client) ListAPIs(ctx context.Context, groupID, namePrefix string) ([]APIDetail, error) {
	out := []APIDetail{}
	seen := map[string]bool{}
	collected := 0
	for page := 1; ; page++ {
		if page > maxPages {
			return nil, fmt.Errorf("CloudAPI DescribeApis: stopped after %d pages (%d APIs read) because the listing did not end", maxPages, collected)
		}
		// ApiName is a fuzzy match on the service; the prefix filter below is exact.
		items, total, err := c.listAPIsPage(ctx, groupID, namePrefix, page)
		if err != nil {
			return nil, err
		}
		if len(items) == 0 {
			return out, nil
		}
		for _, d := range items {
			if seen[d.APIID] || !strings.HasPrefix(d.APIName, namePrefix) {
				continue
			}
			seen[d.APIID] = true
			out = append(out, d)
		}
		collected += len(items)
		if total >= 0 && collected >= total || total < 0 && len(items) < pageSize {
			return out, nil
		}
	}
}
