// Package emulator is a local emulation of the Alibaba Cloud API Gateway (CloudAPI 2016-07-14)
// OpenAPI endpoint, faithful enough that the official SDKs talk to it unchanged: the typed
// cloudapi-20160714/v5 client (V3 ACS3-HMAC-SHA256 signatures, or V1 HMAC-SHA1 with
// SignatureAlgorithm "v2") and the legacy alibaba-cloud-sdk-go services/cloudapi client.
//
// Point an SDK at it with Config.Endpoint = Server.Endpoint() ("127.0.0.1:PORT", no scheme) and
// Config.Protocol = "HTTP" (legacy SDK: request.Scheme = "http", request.Domain = Endpoint()).
//
// # Structure
//
// The emulator is a service model and a protocol layer. Package model holds the state of every
// account and region and all business rules; it takes typed requests and returns typed errors,
// and can be read without meeting HTTP. This package is the protocol: listening, the request
// pipeline below (signatures through package signature), parameter decoding, the one mapping from
// model errors to CloudAPI codes and HTTP statuses (wireError), the request log and counters,
// faults, persistence, seeds and the inspection helpers tests use. Each resource family has a file
// on both sides: groups, APIs and deployments, products, apps and authorizations.
//
// As with cloud.google.com/go/pubsub/pstest, a test starts a Server with New (or Start), points a
// client at Endpoint, prepares state with the Seed* helpers, injects faults with InjectFault and
// checks results with ProductAttachments and RequestCount; see the package example.
//
// # Request pipeline
//
// Every request is read with a 1 MiB body limit, then: signature parse (V3 when an Authorization
// header is present, V1 otherwise; parameters from the query and/or a form body), Version must be
// 2016-07-14 (InvalidVersion), access key lookup (InvalidAccessKeyId.NotFound, 404), STS token
// check for temporary keys (MissingSecurityToken, InvalidSecurityToken.MismatchWithAccessKey,
// InvalidSecurityToken.Expired), signature verification (SignatureDoesNotMatch), timestamp within
// 15 minutes of the emulator clock (InvalidTimeStamp.Expired), nonce not used by the same access key
// within the window (SignatureNonceUsed), known action (InvalidAction.NotFound, 404), the proxy in
// front of the service (Behaviour.ProxyNotFoundEvery, the ProxyNotFound fault), injected faults
// and QPS limit, and finally the operation. Every answer, success or error, carries a RequestId in
// the JSON body and the x-acs-request-id header; errors are JSON with RequestId, HostId, Code,
// Message and Recommend.
//
// # Operations and the choices made where Alibaba documents nothing
//
// State is per account and per region (V1 requests may carry RegionId; otherwise WithRegion's
// region). Another account's resources answer the plain not-found code, never a permission error.
//
//   - CreateApiGroup: GroupName required (at most 128 printable characters; names need not be
//     unique). DeleteApiGroup: an unknown group is a success and a group that still has APIs is
//     refused (InvalidParameter), both as Alibaba documents.
//   - CreateApi: GroupId, ApiName, Visibility, RequestConfig and ServiceConfig are required (the
//     current SDK's required set); ResultType (default JSON) and ResultSample are optional. ApiName is
//     4-50 characters, a letter then letters, digits or '_', unique in the group; RequestConfig is a
//     JSON object with RequestHttpMethod (GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS, ANY) and
//     RequestPath (starts with '/', unique in the group); ServiceConfig must be a JSON object
//     (ServiceTimeout as number or numeric string). Duplicate names and paths are InvalidParameter.
//     Ids are 32 lowercase hex characters.
//   - DeployApi: ApiId, StageName (RELEASE, PRE, TEST) and Description required; redeploying
//     replaces the stage's version. AbolishApi of a stage that is not deployed is a no-op success and
//     leaves product attachments alone.
//   - DeleteApi: a deployed API is refused (Alibaba: it must be unpublished first); deleting an API
//     removes its attachments from every product of the region, so products never refer to APIs that
//     no longer exist.
//   - DescribeApis / DescribeApi: creation order; DeployedInfos lists all three stages with
//     DeployedStatus DEPLOYED or NONDEPLOYED. DescribeApis filters on GroupId, ApiId, ApiPath,
//     ApiMethod, Visibility (exact), ApiName (substring), StageName and UnDeployed.
//   - AttachApiProduct: creates the product when missing (product ids are caller-chosen, 1-64
//     letters, digits, '_' or '-'); every ApiId must be an API of the caller in the region
//     (NotFoundApi, 404); StageName RELEASE, PRE or TEST (InvalidParameter); at most
//     WithMaxItemsPerCall items (default 100); the whole call is validated before anything changes;
//     re-attaching an attached pair is a no-op that keeps its position. An API need not be deployed
//     to the stage it is attached with.
//   - DetachApiProduct: unknown product is NotFoundApiProduct (404, the emulator's choice: Alibaba
//     documents no code); pairs that are not attached are ignored; all or nothing; an emptied product
//     stays until DeleteApiProduct.
//   - DescribeApiProductApis: PageNumber default 1, PageSize default 10, at most WithMaxPageSize
//     (default 100; above is InvalidParameter); attach order; attachments younger than
//     WithVisibilityDelay are not visible yet. Every paged operation pages this way.
//
// # Behaviour profiles
//
// Where the provider's correctness depends on an answer Alibaba does not document, WithBehaviour
// (model.Behaviour; flags of apigateway-emulator in brackets) selects another plausible reading.
// The defaults are the readings above. Each setting is independent of the others:
//
//   - Unknown product (--unknown-product): not-found, the default: NotFoundApiProduct, 404, from
//     DescribeApiProductApis, DetachApiProduct, DescribeAppsByApiProduct, SetAppsAuthToApiProduct,
//     SetApiProductsAuthorities and RemoveApiProductsAuthorities (whose whole call then fails,
//     nothing revoked); empty: the product is treated as one with no attachments and no apps, so
//     both listings are empty with TotalCount 0, a detach detaches nothing (an error under
//     --refuse-detach-unattached) and a revoke ignores it, but a grant still fails with
//     NotFoundApiProduct (a grant cannot name a product the service does not know); other-code:
//     every not-found answer above becomes 400 EntityNotExist.ApiProduct, a code that says neither
//     "not found" nor is one a client can know in advance.
//   - Detaching a pair that is not attached (--refuse-detach-unattached): succeeds by default;
//     refused with 400 ApiNotAttached, nothing changed, when set.
//   - Attaching a pair that is attached (--refuse-duplicate-attach): a no-op success by default;
//     refused with 400 ApiAlreadyAttached, nothing changed, when set.
//   - Page size (--cap-page-size, Behaviour.CapPageSize): every paged Describe operation answers at
//     most N items per page whatever PageSize asks, pages cut at N, TotalCount true, the answer's
//     PageSize the size served. Alibaba documents a maximum (100) only for DescribeAppsByApiProduct;
//     a service with a lower one may cap rather than refuse.
//   - Page size refused (--refuse-page-size-above, Behaviour.RefusePageSizeAbove): a PageSize above
//     N is InvalidParameter (400), as the service answers bad parameters; no PageSize (the default,
//     10) is always accepted.
//   - Concurrent writes to one product (--lock-timeout-every, Behaviour.LockTimeoutEvery): the
//     service answers a write that waited in vain for another write to the same object with
//     ConcurrencyLockTimeout (the alicloud provider retries it for API Gateway writes); its status
//     is undocumented, the emulator answers 400 (a 5xx would be retried whatever its code). The
//     emulator models concurrency deterministically, without clocks: each write counts once against
//     every product it names (AttachApiProduct, DetachApiProduct, DeleteApiProduct,
//     SetAppsAuthToApiProduct, SetApiProductsAuthorities, RemoveApiProductsAuthorities; counted per
//     account and region, not persisted), and the write that brings a product's count to N (at
//     least 2) is refused before anything is checked or changed, and starts the counts of the
//     products it names over, so its retry is accepted. Alibaba does not say whether a lock timeout
//     can come after the write was applied: by default the emulator's never is; under
//     --lock-timeout-after-apply (Behaviour.LockTimeoutAfterApply) it always is, as far as the
//     write would have succeeded. A client must be right under both (the provider's client retries
//     and, once its retries run out, takes the outcome as unknown).
//   - A proxy in front of the service (--proxy-not-found-every, Behaviour.ProxyNotFoundEvery; and the
//     ProxyNotFound fault kind, by rate or count): every Nth authenticated request (N at least 2) is
//     answered 404 with an HTML page, no CloudAPI error code and no request id, and never reaches
//     the service. Such an answer is not the service saying "not found".
//   - Visibility of fresh writes: --visibility-delay (WithVisibilityDelay,
//     Behaviour.AttachVisibilityDelay) hides a fresh attachment from DescribeApiProductApis;
//     --detach-visibility-delay (Behaviour.DetachVisibilityDelay) keeps listing a detached pair,
//     after the others, though it is gone for every other purpose (a second detach finds it not
//     attached). Both imitate a read replica that lags behind; neither is persisted.
//   - DeleteApiProduct: unknown product is NotFoundApiProduct. While any app is authorized on the
//     product it is refused with ApiProductAuthorizedToApp (400, the emulator's code: Alibaba documents
//     the refusal, "if any API in the API product is associated with an application", but no code);
//     the message names the apps. Per-API app authorizations do not exist in the emulator.
//   - CreateApp: AppName required, 4-26 characters, a letter then letters, digits or '_' (names need
//     not be unique); Description at most 180 characters; Extend kept; AppKey, AppSecret, AppCode and
//     Tag.N accepted and dropped (no API calls are served, and secrets stay out of the state file).
//     AppId is a positive int64 from one counter for the whole emulator, so unique per account;
//     ids are not reused after DeleteApp (Reset starts over). DeleteApp: unknown app is NotFoundApp
//     (404); deleting an app removes its authorizations.
//   - SetApiProductsAuthorities: AppId (positive integer, else InvalidParameter; unknown app
//     NotFoundApp) and ApiProductIds (both wire forms, "a,b" and ApiProductIds.N, at most
//     WithMaxItemsPerCall ids, repeats ignored; an unknown product is NotFoundApiProduct) required;
//     AuthValidTime optional, RFC 3339 (answered as UTC yyyy-MM-ddTHH:mm:ssZ; empty = never expires);
//     Description optional. All or nothing. Re-authorizing replaces AuthValidTime and Description and
//     keeps AuthorizedTime.
//   - SetAppsAuthToApiProduct: ApiProductId (unknown product NotFoundApiProduct) and AppIds (AppIds.N
//     as the typed SDKs send it, or "a,b"; positive integers, at most WithMaxItemsPerCall, repeats
//     ignored; an unknown app is NotFoundApp) required; AuthValidTime and Description as
//     SetApiProductsAuthorities. All or nothing; re-granting replaces AuthValidTime and Description.
//   - DescribeAppAttributes: the caller's apps in creation order, paging as DescribeApiProductApis;
//     AppId (positive integer) and AppName filter by exact match, and an AppId that matches nothing
//     is an empty page (TotalCount 0), not NotFoundApp (the SDK documents AppId as optional: it
//     filters a listing). AppKey, AppCode, Tag.N, EnableTagAuth and Sort are accepted and ignored.
//   - Expiry (the emulator's choice; Alibaba documents only "empty = never expires"): an authorization
//     whose AuthValidTime has passed is gone for every purpose: neither Describe operation lists it,
//     it does not block DeleteApiProduct, and granting the pair again starts a fresh authorization.
//   - RemoveApiProductsAuthorities: unknown app is NotFoundApp; an unknown product as the unknown-product
//     reading says (by default NotFoundApiProduct, and nothing is revoked); products that exist but
//     the app is not authorized on are ignored.
//   - DescribeApiProductsByApp (unknown app NotFoundApp) and DescribeAppsByApiProduct (unknown product
//     as the unknown-product reading says; AppName filters by exact name): paging as
//     DescribeApiProductApis, grant order. An AuthorizedApp's Description is the authorization's, Extend the app's.
//
// Missing required parameters are MissingParameter naming the parameter; malformed values are
// InvalidParameter naming it. Flattened arrays are 1-based (Apis.N.ApiId); repeated string lists are
// accepted as "a,b" and as Name.N.
//
// # HTTPS and STS
//
// WithTLS serves HTTPS with a certificate for the listen address from a private CA (one per server,
// or one shared CertificateAuthority); clients trust its CACertPEM (Go: SSL_CERT_FILE). The same
// endpoint answers STS AssumeRole (version 2015-04-01) for the roles given by WithRole or the seed:
// unknown role EntityNotExist.Role (404), untrusted caller or wrong ExternalId NoPermission (403),
// DurationSeconds outside 900-43200 (or above the role's maximum) InvalidParameter.DurationSeconds;
// the credentials act on the role's account until they expire by the emulator clock.
//
// # Persistence
//
// With WithStateFile the state of every account (and accounts registered at run time by a seed) is
// written atomically, debounced, after each mutation, and restored at start. A state file that
// cannot be read or understood is a startup error and is never overwritten. The seed (WithSeedData)
// is applied only when the state file held no groups, APIs, products or apps.
package emulator
