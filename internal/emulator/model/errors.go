package model

import "strconv"

// ParameterError is a request field that is missing or not acceptable. Param is the CloudAPI
// parameter name (GroupName, Apis.2.StageName, RequestConfig.RequestPath); Reason says why an
// invalid value is refused ("" when there is nothing to add).
type ParameterError struct {
	Param   string
	Missing bool
	Reason  string
}

func (e *ParameterError) Error() string {
	if e.Missing {
		return e.Param + ": required"
	}
	if e.Reason == "" {
		return e.Param + ": not valid"
	}
	return e.Param + ": " + e.Reason
}

func missing(param string) error { return &ParameterError{Param: param, Missing: true} }

func invalid(param, reason string) error { return &ParameterError{Param: param, Reason: reason} }

// Resource names a kind of object for NotFoundError.
type Resource string

// The resources of the model.
const (
	ResourceGroup   Resource = "API group"
	ResourceAPI     Resource = "API"
	ResourceProduct Resource = "API product"
	ResourceApp     Resource = "app"
)

// NotFoundError is an object the caller does not have in the region (another account's objects are
// not found either: tenants never learn about each other).
type NotFoundError struct {
	Resource Resource
	ID       string
}

func (e *NotFoundError) Error() string {
	return string(e.Resource) + " " + strconv.Quote(e.ID) + " does not exist"
}

// ProductAuthorizedError refuses to delete a product while apps are authorized on it. AppIDs are in
// ascending order.
type ProductAuthorizedError struct {
	ProductID string
	AppIDs    []int64
}

func (e *ProductAuthorizedError) Error() string {
	return "API product " + strconv.Quote(e.ProductID) + " is authorized to " + strconv.Itoa(len(e.AppIDs)) + " app(s)"
}
