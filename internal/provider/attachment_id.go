package provider

import (
	"fmt"
	"strings"
	"unicode"
)

// attachmentIDFormat is shown to users whenever an attachment id cannot be parsed.
const attachmentIDFormat = "<api_product_id>:<api_id>:<stage_name>"

// validStages are the API Gateway environments an API can be deployed to and attached in.
var validStages = []string{"RELEASE", "PRE", "TEST"}

// attachmentID is the identity of one apigateway_api_product_attachment: a (product, API, stage) triple.
type attachmentID struct {
	ProductID string
	APIID     string
	StageName string
}

// String renders the id stored in state and accepted by import.
func (id attachmentID) String() string {
	return id.ProductID + ":" + id.APIID + ":" + id.StageName
}

// parseAttachmentID parses "<api_product_id>:<api_id>:<stage_name>". The parts are validated with the
// same rules as the schema, so an id that imports is an id the configuration would accept.
func parseAttachmentID(raw string) (attachmentID, error) {
	parts := strings.Split(raw, ":")
	if len(parts) != 3 {
		return attachmentID{}, fmt.Errorf("expected an id of the form %q (for example %q), got %q (%d part(s) separated by \":\")",
			attachmentIDFormat, "117b7a64a8b3f064eaa4a47ac62aac5e:551877242a4b4f3a84a56b7c3570e4a7:RELEASE", raw, len(parts))
	}
	id := attachmentID{ProductID: parts[0], APIID: parts[1], StageName: parts[2]}
	if problem := identifierProblem(id.ProductID); problem != "" {
		return attachmentID{}, fmt.Errorf("expected an id of the form %q, got %q: the api_product_id part %s", attachmentIDFormat, raw, problem)
	}
	if problem := identifierProblem(id.APIID); problem != "" {
		return attachmentID{}, fmt.Errorf("expected an id of the form %q, got %q: the api_id part %s", attachmentIDFormat, raw, problem)
	}
	if problem := stageProblem(id.StageName); problem != "" {
		return attachmentID{}, fmt.Errorf("expected an id of the form %q, got %q: the stage_name part %s", attachmentIDFormat, raw, problem)
	}
	return id, nil
}

// identifierProblem explains why s cannot be an API or API product id, or returns "" when it can.
// ':' is reserved because it separates the parts of the resource id; whitespace is never part of an
// Alibaba Cloud id and usually means a copy-paste accident.
func identifierProblem(s string) string {
	return identifierProblemIn(s, "attachment id", attachmentIDFormat)
}

// identifierProblemIn is identifierProblem for the resource whose id has the given name and format.
func identifierProblemIn(s, idName, idFormat string) string {
	switch {
	case s == "":
		return "is empty"
	case strings.Contains(s, ":"):
		return fmt.Sprintf("%q contains \":\", which separates the parts of the %s %s", s, idName, idFormat)
	case strings.IndexFunc(s, unicode.IsSpace) >= 0:
		return fmt.Sprintf("%q contains whitespace; Alibaba Cloud ids never do (check for stray spaces or newlines)", s)
	}
	return ""
}

// stageProblem explains why s is not a valid stage name, or returns "" when it is. A case mismatch
// gets a suggestion, since "release" is the most likely typo.
func stageProblem(s string) string {
	for _, v := range validStages {
		if s == v {
			return ""
		}
	}
	msg := fmt.Sprintf("must be one of %s, got %q", quotedList(validStages), s)
	for _, v := range validStages {
		if strings.EqualFold(strings.TrimSpace(s), v) {
			return msg + fmt.Sprintf("; stage names are case-sensitive, did you mean %q?", v)
		}
	}
	return msg
}

func quotedList(values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(quoted, ", ")
}

// sentence ends s with a full stop unless it already ends with punctuation.
func sentence(s string) string {
	if strings.HasSuffix(s, ".") || strings.HasSuffix(s, "?") {
		return s
	}
	return s + "."
}
