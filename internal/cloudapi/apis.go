package cloudapi

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	cloudapiclient "github.com/alibabacloud-go/cloudapi-20160714/v5/client"
	"github.com/alibabacloud-go/tea/dara"
)

// APIDetail is what the plan-time check and a fresh attachment's computed attributes need to know
// about an API.
type APIDetail struct {
	APIID       string
	APIName     string
	GroupID     string
	GroupName   string
	Method      string
	Path        string
	Description string
	// DeployedStages lists the stages the API is currently published to.
	DeployedStages []string
}

// LookupAPI returns the API's details (DescribeApi, or one DescribeApis listing of the region
// once enough APIs were asked for; see apiCatalog), sharing answers within the client. A missing
// API is an error for which IsNotFound is true (NotFoundApi).
func (c *Client) LookupAPI(ctx context.Context, apiID string) (*APIDetail, error) {
	if strings.TrimSpace(apiID) == "" {
		return nil, errors.New("CloudAPI DescribeApi: the API ID is empty")
	}
	return c.catalog.lookup(ctx, apiID)
}

// LookupAPIs looks up many APIs at once, as LookupAPI does one: the catalog learns up front how many
// are wanted, so that one DescribeApis listing of the region answers them when that is cheaper than
// one DescribeApi each. found holds the APIs that exist; failed the error of each other one (for
// which IsNotFound is true when the API does not exist).
func (c *Client) LookupAPIs(ctx context.Context, apiIDs []string) (found map[string]*APIDetail, failed map[string]error) {
	found, failed = map[string]*APIDetail{}, map[string]error{}
	c.catalog.expect(apiIDs)
	for _, id := range apiIDs {
		if _, done := found[id]; done {
			continue
		}
		if _, done := failed[id]; done {
			continue
		}
		d, err := c.LookupAPI(ctx, id)
		if err != nil {
			failed[id] = err
			if ctx.Err() != nil {
				break
			}
			continue
		}
		found[id] = d
	}
	return found, failed
}

// DescribeAPI returns the API's details (DescribeApi), unshared. A missing API is an error for
// which IsNotFound is true (NotFoundApi).
func (c *Client) DescribeAPI(ctx context.Context, apiID string) (*APIDetail, error) {
	if strings.TrimSpace(apiID) == "" {
		return nil, errors.New("CloudAPI DescribeApi: the API ID is empty")
	}
	var body *cloudapiclient.DescribeApiResponseBody
	err := c.invoke(ctx, "DescribeApi", sdkCall((*cloudapiclient.Client).DescribeApiWithContext,
		&cloudapiclient.DescribeApiRequest{ApiId: dara.String(apiID)}, (*cloudapiclient.DescribeApiResponse).GetBody, &body))
	if err != nil {
		return nil, err
	}
	d := &APIDetail{
		APIID:          dara.StringValue(body.ApiId),
		APIName:        dara.StringValue(body.ApiName),
		GroupID:        dara.StringValue(body.GroupId),
		GroupName:      dara.StringValue(body.GroupName),
		Description:    dara.StringValue(body.Description),
		DeployedStages: []string{},
	}
	if d.APIID == "" {
		d.APIID = apiID
	}
	if rc := body.RequestConfig; rc != nil {
		d.Method, d.Path = dara.StringValue(rc.RequestHttpMethod), dara.StringValue(rc.RequestPath)
	}
	if body.DeployedInfos != nil {
		for _, info := range body.DeployedInfos.DeployedInfo {
			if info != nil && isDeployed(dara.StringValue(info.DeployedStatus)) {
				d.DeployedStages = appendStage(d.DeployedStages, dara.StringValue(info.StageName))
			}
		}
	}
	return d, nil
}

// ListAPIs returns every API of the region, or of one group when groupID is not "" (DescribeApis,
// every page, by the rules of listAll), unshared; sweepers and fixtures use it.
func (c *Client) ListAPIs(ctx context.Context, groupID string) ([]APIDetail, error) {
	return listAll(ctx, c, c.apisListing(groupID, nil))
}

// apisListing is the DescribeApis listing of the region (groupID "") or of one group for listAll;
// first, when not nil, is its page 1 read earlier.
func (c *Client) apisListing(groupID string, first *listPage[APIDetail]) pagedListing[APIDetail, string] {
	subject := "the region's APIs"
	if groupID != "" {
		subject = fmt.Sprintf("the APIs of group %q", groupID)
	}
	return pagedListing[APIDetail, string]{
		action:  "DescribeApis",
		subject: subject,
		fetch: func(ctx context.Context, number, size int) (listPage[APIDetail], error) {
			return c.describeAPIsPage(ctx, groupID, number, size)
		},
		key:   func(d APIDetail) string { return d.APIID },
		first: first,
	}
}

// regionFirstPage reads page 1 of the region's DescribeApis listing, at the page size listAll uses.
func (c *Client) regionFirstPage(ctx context.Context) (listPage[APIDetail], error) {
	p, _, err := fetchPage(ctx, c, c.apisListing("", nil), 1)
	return p, err
}

// describeAPIsPage reads one page of DescribeApis, of one group unless groupID is "" (size 0: no
// PageSize).
func (c *Client) describeAPIsPage(ctx context.Context, groupID string, number, size int) (listPage[APIDetail], error) {
	req := &cloudapiclient.DescribeApisRequest{}
	if groupID != "" {
		req.GroupId = dara.String(groupID)
	}
	return readPage(ctx, c, "DescribeApis", (*cloudapiclient.Client).DescribeApisWithContext, (*cloudapiclient.DescribeApisResponse).GetBody,
		req, number, size,
		(*cloudapiclient.DescribeApisResponseBody).GetApiSummarys, (*cloudapiclient.DescribeApisResponseBodyApiSummarys).GetApiSummary,
		func(it *cloudapiclient.DescribeApisResponseBodyApiSummarysApiSummary) APIDetail {
			d := APIDetail{
				APIID:          dara.StringValue(it.ApiId),
				APIName:        dara.StringValue(it.ApiName),
				GroupID:        dara.StringValue(it.GroupId),
				GroupName:      dara.StringValue(it.GroupName),
				Method:         dara.StringValue(it.ApiMethod),
				Path:           dara.StringValue(it.ApiPath),
				Description:    dara.StringValue(it.Description),
				DeployedStages: []string{},
			}
			if it.DeployedInfos != nil {
				for _, info := range it.DeployedInfos.DeployedInfo {
					if info != nil && isDeployed(dara.StringValue(info.DeployedStatus)) {
						d.DeployedStages = appendStage(d.DeployedStages, dara.StringValue(info.StageName))
					}
				}
			}
			return d
		})
}

// isDeployed interprets DeployedStatus: the real service lists every stage and marks the
// unpublished ones NONDEPLOYED; emulators may only list published stages with some status.
func isDeployed(status string) bool {
	s := strings.ToUpper(strings.TrimSpace(status))
	switch {
	case s == "":
		return false
	case s == "DEPLOYED":
		return true
	case strings.HasPrefix(s, "NON"), strings.HasPrefix(s, "UN"), strings.HasPrefix(s, "NOT"),
		s == "ABOLISHED", s == "OFFLINE":
		return false
	}
	return true
}

func appendStage(stages []string, s string) []string {
	if s == "" || slices.Contains(stages, s) {
		return stages
	}
	return append(stages, s)
}
