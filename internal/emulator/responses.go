package emulator

import (
	"time"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator/model"
)

// Response documents. Field names and JSON types follow the SDK response models exactly
// (cloudapi-20160714/v5 *ResponseBody and the legacy services/cloudapi structs): int32 fields are
// JSON numbers, booleans are JSON booleans, everything else is a string.

// fmtTime renders CreatedTime/ModifiedTime/BoundTime as real responses do (UTC, model.TimeLayout).
func fmtTime(t time.Time) string { return t.UTC().Format(model.TimeLayout) }

// listPage is the head of every paged Describe answer: RequestId, then the paging fields, in the
// JSON document's order as in the real service's. Each answer embeds it before its list.
type listPage struct {
	RequestID  string `json:"RequestId"`
	PageNumber int32  `json:"PageNumber"`
	PageSize   int32  `json:"PageSize"`
	TotalCount int32  `json:"TotalCount"`
}

func pageOf(requestID string, p model.Page, total int) listPage {
	return listPage{RequestID: requestID, PageNumber: int32(p.Number), PageSize: int32(p.Size), TotalCount: int32(total)}
}

type requestIDOnly struct {
	RequestID string `json:"RequestId"`
}

type createAPIGroupResponse struct {
	RequestID    string `json:"RequestId"`
	GroupID      string `json:"GroupId"`
	GroupName    string `json:"GroupName"`
	SubDomain    string `json:"SubDomain"`
	Description  string `json:"Description"`
	InstanceID   string `json:"InstanceId"`
	InstanceType string `json:"InstanceType"`
	BasePath     string `json:"BasePath"`
	TagStatus    bool   `json:"TagStatus"`
}

type createAPIResponse struct {
	RequestID string `json:"RequestId"`
	APIID     string `json:"ApiId"`
}

type deployedInfo struct {
	StageName        string `json:"StageName"`
	EffectiveVersion string `json:"EffectiveVersion"`
	DeployedStatus   string `json:"DeployedStatus"`
}

type deployedInfos struct {
	DeployedInfo []deployedInfo `json:"DeployedInfo"`
}

type apiSummary struct {
	RegionID      string        `json:"RegionId"`
	GroupID       string        `json:"GroupId"`
	GroupName     string        `json:"GroupName"`
	APIID         string        `json:"ApiId"`
	APIName       string        `json:"ApiName"`
	APIPath       string        `json:"ApiPath"`
	APIMethod     string        `json:"ApiMethod"`
	Visibility    string        `json:"Visibility"`
	Description   string        `json:"Description"`
	CreatedTime   string        `json:"CreatedTime"`
	ModifiedTime  string        `json:"ModifiedTime"`
	DeployedInfos deployedInfos `json:"DeployedInfos"`
}

type describeAPIsResponse struct {
	listPage
	APISummarys apiSummaryList `json:"ApiSummarys"`
}

// apiSummaryList is the list of a describeAPIsResponse, in the wire's nesting.
type apiSummaryList struct {
	APISummary []apiSummary `json:"ApiSummary"`
}

type describeAPIResponse struct {
	RequestID     string              `json:"RequestId"`
	RegionID      string              `json:"RegionId"`
	GroupID       string              `json:"GroupId"`
	GroupName     string              `json:"GroupName"`
	APIID         string              `json:"ApiId"`
	APIName       string              `json:"ApiName"`
	Visibility    string              `json:"Visibility"`
	AuthType      string              `json:"AuthType"`
	Description   string              `json:"Description"`
	CreatedTime   string              `json:"CreatedTime"`
	ModifiedTime  string              `json:"ModifiedTime"`
	ResultType    string              `json:"ResultType"`
	ResultSample  string              `json:"ResultSample"`
	RequestConfig model.RequestConfig `json:"RequestConfig"`
	ServiceConfig model.ServiceConfig `json:"ServiceConfig"`
	DeployedInfos deployedInfos       `json:"DeployedInfos"`
}

type apiInfo struct {
	APIID       string `json:"ApiId"`
	APIName     string `json:"ApiName"`
	GroupID     string `json:"GroupId"`
	GroupName   string `json:"GroupName"`
	Method      string `json:"Method"`
	Path        string `json:"Path"`
	Description string `json:"Description"`
	RegionID    string `json:"RegionId"`
	StageName   string `json:"StageName"`
	// Only the legacy SDK's shared ApiInfo struct has these two; the typed SDK ignores them.
	BoundTime  string `json:"BoundTime"`
	Visibility string `json:"Visibility"`
}

type describeAPIProductAPIsResponse struct {
	listPage
	APIInfoList apiInfoList `json:"ApiInfoList"`
}

// apiInfoList is the list of a describeAPIProductAPIsResponse, in the wire's nesting.
type apiInfoList struct {
	APIInfo []apiInfo `json:"ApiInfo"`
}

type createAppResponse struct {
	RequestID string `json:"RequestId"`
	AppID     int64  `json:"AppId"`
	TagStatus bool   `json:"TagStatus"`
}

type apiProductInfo struct {
	APIProductID string `json:"ApiProductId"`
}

type describeAPIProductsByAppResponse struct {
	listPage
	APIProductInfoList apiProductInfoList `json:"ApiProductInfoList"`
}

// apiProductInfoList is the list of a describeAPIProductsByAppResponse, in the wire's nesting.
type apiProductInfoList struct {
	APIProductInfo []apiProductInfo `json:"ApiProductInfo"`
}

// authorizedApp is one entry of DescribeAppsByApiProduct. AuthValidTime is "" for an authorization
// that never expires, as Alibaba documents.
type authorizedApp struct {
	AppID          int64  `json:"AppId"`
	AppName        string `json:"AppName"`
	AuthValidTime  string `json:"AuthValidTime"`
	AuthorizedTime string `json:"AuthorizedTime"`
	Description    string `json:"Description"`
	Extend         string `json:"Extend"`
}

type describeAppsByAPIProductResponse struct {
	listPage
	AuthorizedApps authorizedAppList `json:"AuthorizedApps"`
}

// authorizedAppList is the list of a describeAppsByAPIProductResponse, in the wire's nesting.
type authorizedAppList struct {
	AuthorizedApp []authorizedApp `json:"AuthorizedApp"`
}

// appAttribute is one app of DescribeAppAttributes. Tags is always present and empty: the emulator
// keeps no tags.
type appAttribute struct {
	AppID        int64   `json:"AppId"`
	AppName      string  `json:"AppName"`
	Description  string  `json:"Description"`
	Extend       string  `json:"Extend"`
	CreatedTime  string  `json:"CreatedTime"`
	ModifiedTime string  `json:"ModifiedTime"`
	Disabled     bool    `json:"Disabled"`
	Tags         appTags `json:"Tags"`
}

type appTags struct {
	TagInfo []struct{} `json:"TagInfo"`
}

func emptyTags() appTags { return appTags{TagInfo: []struct{}{}} }

type describeAppAttributesResponse struct {
	listPage
	Apps appAttributeList `json:"Apps"`
}

// appAttributeList is the list of a describeAppAttributesResponse, in the wire's nesting.
type appAttributeList struct {
	AppAttribute []appAttribute `json:"AppAttribute"`
}
