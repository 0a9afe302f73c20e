// Package emulator is a local emulation of the Alibaba Cloud API Gateway (CloudAPI 2016-07-14)
// OpenAPI endpoint, faithful enough that the official SDKs talk to it unchanged: the typed
// cloudapi-20160714/v5 client (V3 ACS3-HMAC-SHA256 signatures, or V1 HMAC-SHA1 with
// SignatureAlgorithm "v2") and the legacy alibaba-cloud-sdk-go services/cloudapi client.
//
// Point an SDK at it with Config.Endpoint = Server.Endpoint() ("127.0.0.1:PORT", no scheme) and
// Config.Protocol = "HTTP" (legacy SDK: request.Scheme = "http", request.Domain = Endpoint()).
//
// This package is the protocol: listening, the request pipeline (signatures through package
// signature), parameter decoding, the one mapping from model errors to CloudAPI codes and HTTP
// statuses (wireError), the request log and counters, faults, persistence, seeds and the
// inspection helpers tests use. Package model is the service (DESIGN.md, "The emulator: protocol
// and model"). Each resource family has a file on both sides: groups, APIs and deployments,
// products, apps and authorizations.
//
// As with cloud.google.com/go/pubsub/pstest, a test starts a Server with New (or Start), points a
// client at Endpoint, prepares state with the Seed* helpers, injects faults with InjectFault and
// checks results with ProductAttachments and RequestCount; see the package example.
//
// What each operation accepts and answers, the request pipeline, and the reading the emulator picks
// wherever Alibaba documents nothing, with the behaviour profiles that offer the other readings,
// are in the manual: cmd/apigateway-emulator/README.md, "Every reading in detail".
package emulator
