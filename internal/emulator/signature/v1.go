package signature

import (
	"net/url"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator/signature/algorithm"
)

// v1Protocol lists the RPC parameters that belong to the signature protocol,
// not to the operation. RegionId is deliberately absent: the emulator reads
// the region from Params.
var v1Protocol = []string{
	"Action", "Version", "Format", "AccessKeyId", "SignatureMethod", "SignatureVersion",
	"SignatureNonce", "Timestamp", "Signature", "SignatureType", "SecurityToken", "BearerToken",
}

func parseV1(method string, query, form url.Values) (*Request, error) {
	all := merge(query, form)
	sig := all.Get("Signature")
	if sig == "" {
		return nil, missingParameter("Signature")
	}
	for _, name := range []string{"AccessKeyId", "SignatureMethod", "Timestamp", "SignatureNonce", "Action", "Version"} {
		if all.Get(name) == "" {
			return nil, missingParameter(name)
		}
	}
	if all.Get("SignatureMethod") != "HMAC-SHA1" {
		return nil, &Error{
			Code:    codeInvalidSignatureMethod,
			Message: "Specified signature method is not valid; only HMAC-SHA1 is supported.",
			Status:  400,
		}
	}
	if v := all.Get("SignatureVersion"); v != "" && v != "1.0" {
		return nil, invalidParameter("SignatureVersion", "Only 1.0 is supported.")
	}
	// Bearer tokens are signed differently (and the emulator issues none).
	if v := all.Get("SignatureType"); v != "" {
		return nil, invalidParameter("SignatureType", "Only AccessKey signatures are supported.")
	}
	ts, err := parseTimestamp("Timestamp", all.Get("Timestamp"))
	if err != nil {
		return nil, err
	}

	req := &Request{
		Style:         StyleV1,
		AccessKeyID:   all.Get("AccessKeyId"),
		Action:        all.Get("Action"),
		Version:       all.Get("Version"),
		Nonce:         all.Get("SignatureNonce"),
		Timestamp:     ts,
		SecurityToken: all.Get("SecurityToken"),
		RegionID:      all.Get("RegionId"),
		signature:     sig,
	}
	signed := merge(all)
	signed.Del("Signature")
	req.stringToSign = algorithm.V1StringToSign(signed, method)

	params := all
	for _, name := range v1Protocol {
		params.Del(name)
	}
	req.Params = params
	return req, nil
}
