package cloudapi

import (
	"context"
	"errors"
	"strings"

	cloudapiclient "github.com/alibabacloud-go/cloudapi-20160714/v5/client"
	"github.com/alibabacloud-go/tea/dara"
)

// DescribeAPI is the one API operation outside API products the provider calls: a plan checks
// that an API exists and is deployed to the stage before attaching it.

// APIDetail is what plan-time checks and sweepers need to know about an API.
type APIDetail struct {
	APIID     string
	APIName   string
	GroupID   string
	GroupName string
	// DeployedStages lists the stages the API is currently published to.
	DeployedStages []string
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

// DescribeAPI returns the API's identity and deployed stages (DescribeApi). A missing API is an
// error for which IsNotFound is true (NotFoundApi).
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
		DeployedStages: []string{},
	}
	if d.APIID == "" {
		d.APIID = apiID
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

func appendStage(stages []string, s string) []string {
	if s == "" {
		return stages
	}
	for _, have := range stages {
		if have == s {
			return stages
		}
	}
	return append(stages, s)
}
