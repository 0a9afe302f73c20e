'use strict';

// Conformance of the apigateway emulator with Alibaba's official Node.js SDKs, used exactly as a
// customer would use them against the real endpoint: @alicloud/cloudapi20160714 (darabonba,
// ACS3-HMAC-SHA256 "V3" signatures, parameters in the query) and @alicloud/pop-core (legacy RPC
// client, HMAC-SHA1 "V1" signatures, parameters in a form body or the query).
//
// scripts/conformance-node.sh starts the emulator and passes where it listens and which key it
// accepts through the environment; run that script rather than this file.

const { describe, test, before } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');

const Cloudapi = require('@alicloud/cloudapi20160714');
const { $OpenApiUtil } = require('@alicloud/openapi-core');
const RPCClient = require('@alicloud/pop-core').RPCClient;

const endpoint = requireEnv('APIGATEWAY_EMULATOR_ENDPOINT'); // host:port, no scheme
// HTTP, or HTTPS when the emulator runs with --tls (its CA trusted through NODE_EXTRA_CA_CERTS).
const protocol = process.env.APIGATEWAY_EMULATOR_PROTOCOL || 'HTTP';
const scheme = protocol.toLowerCase();
const accessKeyId = requireEnv('APIGATEWAY_EMULATOR_ACCESS_KEY_ID');
const accessKeySecret = requireEnv('APIGATEWAY_EMULATOR_ACCESS_KEY_SECRET');
const region = 'cn-hangzhou';
const apiVersion = '2016-07-14';

// Each SDK's request is a round trip on loopback; the generous bound only keeps a hung emulator
// from hanging the run.
const timeout = 30_000;

function requireEnv(name) {
  const v = process.env[name];
  if (!v) {
    throw new Error(`${name} is not set; run scripts/conformance-node.sh`);
  }
  return v;
}

// Names and product IDs are unique per run so that the checks hold even against an emulator that
// kept state from an earlier run (--state-file).
function suffix() {
  return crypto.randomBytes(4).toString('hex');
}

function productID() {
  return crypto.randomBytes(16).toString('hex');
}

function assertID(id, what) {
  assert.match(id ?? '', /^[0-9a-f]{32}$/, `${what} should look like a real ID (32 lowercase hex)`);
}

// The mock backend answers from the gateway itself, like internal/cloudapi/fixtures.go, so the
// APIs need no real service.
const serviceConfig = JSON.stringify({
  ServiceProtocol: 'HTTP',
  ServiceHttpMethod: 'GET',
  ServiceAddress: 'http://127.0.0.1',
  ServiceTimeout: '3000',
  ServicePath: '/',
  Mock: 'TRUE',
  MockResult: 'ok',
});

function requestConfig(method, path) {
  return JSON.stringify({ RequestProtocol: 'HTTP', RequestHttpMethod: method, RequestPath: path, BodyFormat: '' });
}

// fixtureAPIs describes the APIs each suite creates: different methods, and paths and a
// description with characters that stress both signature encodings (space, *, ~, /, UTF-8).
function fixtureAPIs(tag) {
  return [
    { name: `node_users_${tag}`, method: 'GET', path: `/node/${tag}/users`, description: 'lists users ~ *all* / café' },
    { name: `node_orders_${tag}`, method: 'POST', path: `/node/${tag}/orders`, description: 'creates an order' },
  ];
}

// expectedInfo is what DescribeApiProductApis must report for an attached API, in the
// response's own field names.
function expectedInfo(api, group, stage) {
  return {
    ApiId: api.id,
    ApiName: api.name,
    Description: api.description,
    GroupId: group.id,
    GroupName: group.name,
    Method: api.method,
    Path: api.path,
    RegionId: region,
    StageName: stage,
  };
}

function byAPIID(a, b) {
  return a.ApiId < b.ApiId ? -1 : a.ApiId > b.ApiId ? 1 : 0;
}

// Keys of DescribeApiProductApisResponseBodyApiInfoListApiInfo, mapped to the wire names.
const infoFields = {
  apiId: 'ApiId',
  apiName: 'ApiName',
  description: 'Description',
  groupId: 'GroupId',
  groupName: 'GroupName',
  method: 'Method',
  path: 'Path',
  regionId: 'RegionId',
  stageName: 'StageName',
};

function fromTypedInfo(info) {
  const out = {};
  for (const [k, wire] of Object.entries(infoFields)) {
    out[wire] = info[k];
  }
  return out;
}

// pickInfo keeps the documented fields of a raw ApiInfo object; the emulator may add more
// (the legacy SDK knows BoundTime and Visibility too).
function pickInfo(info) {
  const out = {};
  for (const wire of Object.values(infoFields)) {
    out[wire] = info[wire];
  }
  return out;
}

// rejectsWith runs fn, expects it to fail, and checks the SDK error's code and HTTP status.
async function rejectsWith(fn, code, status, statusOf) {
  let err;
  try {
    await fn();
  } catch (e) {
    err = e;
  }
  assert.ok(err, `expected ${code} (${status}), the call succeeded`);
  assert.equal(err.code, code, `error code (message: ${err.message})`);
  assert.equal(statusOf(err), status, `HTTP status of ${code}`);
  return err;
}

describe('@alicloud/cloudapi20160714 (V3 signature)', { timeout }, () => {
  function newClient(secret) {
    return new Cloudapi.default(
      new $OpenApiUtil.Config({
        accessKeyId,
        accessKeySecret: secret,
        endpoint,
        protocol,
        regionId: region,
      }),
    );
  }
  const client = newClient(accessKeySecret);
  const tag = suffix();
  const group = { name: `node-conformance-${tag}` };
  const apis = fixtureAPIs(tag);
  const product = productID();

  before(async () => {
    const g = await client.createApiGroup(
      new Cloudapi.CreateApiGroupRequest({ groupName: group.name, description: 'Node.js SDK conformance' }),
    );
    assert.equal(g.statusCode, 200);
    assertID(g.body.groupId, 'GroupId');
    assert.ok(g.body.requestId, 'CreateApiGroup returns a RequestId');
    assert.equal(g.body.groupName, group.name);
    group.id = g.body.groupId;

    for (const api of apis) {
      const r = await client.createApi(
        new Cloudapi.CreateApiRequest({
          groupId: group.id,
          apiName: api.name,
          description: api.description,
          visibility: 'PUBLIC',
          authType: 'APP',
          requestConfig: requestConfig(api.method, api.path),
          serviceConfig,
          resultType: 'JSON',
          resultSample: '{}',
        }),
      );
      assertID(r.body.apiId, 'ApiId');
      api.id = r.body.apiId;

      const d = await client.deployApi(
        new Cloudapi.DeployApiRequest({
          groupId: group.id,
          apiId: api.id,
          stageName: 'RELEASE',
          description: 'deployed by the Node.js conformance check',
        }),
      );
      assert.equal(d.statusCode, 200);
      assert.ok(d.body.requestId, 'DeployApi returns a RequestId');
    }
  });

  async function page(pageNumber, pageSize) {
    const r = await client.describeApiProductApis(
      new Cloudapi.DescribeApiProductApisRequest({ apiProductId: product, pageNumber, pageSize }),
    );
    assert.equal(r.statusCode, 200);
    assert.ok(r.body.requestId, 'DescribeApiProductApis returns a RequestId');
    return r.body;
  }

  test('attach, describe page by page, detach', async () => {
    const items = apis.map((a) => new Cloudapi.AttachApiProductRequestApis({ apiId: a.id, stageName: 'RELEASE' }));
    const att = await client.attachApiProduct(new Cloudapi.AttachApiProductRequest({ apiProductId: product, apis: items }));
    assert.equal(att.statusCode, 200);
    assert.ok(att.body.requestId, 'AttachApiProduct returns a RequestId');

    const seen = [];
    for (const n of [1, 2]) {
      const body = await page(n, 1);
      assert.equal(body.totalCount, 2, `TotalCount on page ${n}`);
      assert.equal(body.pageNumber, n, 'PageNumber echoes the request');
      assert.equal(body.pageSize, 1, 'PageSize echoes the request');
      const list = body.apiInfoList?.apiInfo ?? [];
      assert.equal(list.length, 1, `page ${n} of size 1 holds one API`);
      seen.push(fromTypedInfo(list[0]));
    }
    const want = apis.map((a) => expectedInfo(a, group, 'RELEASE')).sort(byAPIID);
    assert.deepEqual(seen.slice().sort(byAPIID), want, 'the two pages together are exactly the attached APIs');
    assert.notEqual(seen[0].ApiId, seen[1].ApiId, 'pages do not repeat an API');

    // Default paging (no PageNumber/PageSize) is page 1 of 10 and must agree with the pages.
    const all = await page(undefined, undefined);
    assert.equal(all.pageNumber, 1);
    assert.equal(all.pageSize, 10);
    assert.deepEqual((all.apiInfoList?.apiInfo ?? []).map(fromTypedInfo), seen, 'stable order across calls');

    // Re-attaching an attached pair is a no-op.
    await client.attachApiProduct(
      new Cloudapi.AttachApiProductRequest({
        apiProductId: product,
        apis: [new Cloudapi.AttachApiProductRequestApis({ apiId: apis[0].id, stageName: 'RELEASE' })],
      }),
    );
    assert.equal((await page(1, 10)).totalCount, 2, 're-attaching adds nothing');

    const det = await client.detachApiProduct(
      new Cloudapi.DetachApiProductRequest({
        apiProductId: product,
        apis: apis.map((a) => new Cloudapi.DetachApiProductRequestApis({ apiId: a.id, stageName: 'RELEASE' })),
      }),
    );
    assert.equal(det.statusCode, 200);
    assert.ok(det.body.requestId, 'DetachApiProduct returns a RequestId');

    const after = await page(1, 10);
    assert.equal(after.totalCount, 0, 'an emptied product has no APIs');
    assert.equal((after.apiInfoList?.apiInfo ?? []).length, 0);
  });

  test('wrong secret is SignatureDoesNotMatch (400)', async () => {
    const bad = newClient(`${accessKeySecret}-wrong`);
    const err = await rejectsWith(
      () => bad.describeApiProductApis(new Cloudapi.DescribeApiProductApisRequest({ apiProductId: product })),
      'SignatureDoesNotMatch',
      400,
      (e) => e.statusCode,
    );
    assert.ok(err.data?.RequestId, 'the error body carries a RequestId');
    assert.ok(!err.message.includes(accessKeySecret), 'the error does not echo the secret');
  });

  test('unknown access key is InvalidAccessKeyId.NotFound (404)', async () => {
    const stranger = new Cloudapi.default(
      new $OpenApiUtil.Config({
        accessKeyId: `${accessKeyId}Unknown`,
        accessKeySecret,
        endpoint,
        protocol,
        regionId: region,
      }),
    );
    await rejectsWith(
      () => stranger.describeApiProductApis(new Cloudapi.DescribeApiProductApisRequest({ apiProductId: product })),
      'InvalidAccessKeyId.NotFound',
      404,
      (e) => e.statusCode,
    );
  });

  test('DetachApiProduct on an unknown product is NotFoundApiProduct (404)', async () => {
    await rejectsWith(
      () =>
        client.detachApiProduct(
          new Cloudapi.DetachApiProductRequest({
            apiProductId: productID(),
            apis: [new Cloudapi.DetachApiProductRequestApis({ apiId: apis[0].id, stageName: 'RELEASE' })],
          }),
        ),
      'NotFoundApiProduct',
      404,
      (e) => e.statusCode,
    );
  });

  test('AttachApiProduct of an unknown API is NotFoundApi (404) and attaches nothing', async () => {
    const p = productID();
    await rejectsWith(
      () =>
        client.attachApiProduct(
          new Cloudapi.AttachApiProductRequest({
            apiProductId: p,
            apis: [
              new Cloudapi.AttachApiProductRequestApis({ apiId: apis[0].id, stageName: 'RELEASE' }),
              new Cloudapi.AttachApiProductRequestApis({ apiId: productID(), stageName: 'RELEASE' }),
            ],
          }),
        ),
      'NotFoundApi',
      404,
      (e) => e.statusCode,
    );
    await rejectsWith(
      () => client.describeApiProductApis(new Cloudapi.DescribeApiProductApisRequest({ apiProductId: p })),
      'NotFoundApiProduct',
      404,
      (e) => e.statusCode,
    );
  });

  test('SetAppsAuthToApiProduct grants apps, DescribeAppsByApiProduct lists them, DeleteApiProduct is refused until revoked', async () => {
    const grantProduct = productID();
    await client.attachApiProduct(
      new Cloudapi.AttachApiProductRequest({
        apiProductId: grantProduct,
        apis: [new Cloudapi.AttachApiProductRequestApis({ apiId: apis[0].id, stageName: 'RELEASE' })],
      }),
    );
    const appIds = [];
    for (const n of [1, 2]) {
      const a = await client.createApp(new Cloudapi.CreateAppRequest({ appName: `node_app_${tag}_${n}` }));
      assert.ok(a.body.appId > 0, 'CreateApp returns an AppId');
      appIds.push(a.body.appId);
    }
    const g = await client.setAppsAuthToApiProduct(
      new Cloudapi.SetAppsAuthToApiProductRequest({
        apiProductId: grantProduct,
        appIds,
        authValidTime: '2099-01-02T03:04:05Z',
        description: 'granted by the Node.js SDK',
      }),
    );
    assert.equal(g.statusCode, 200);
    assert.ok(g.body.requestId, 'SetAppsAuthToApiProduct returns a RequestId');
    const listed = (
      await client.describeAppsByApiProduct(
        new Cloudapi.DescribeAppsByApiProductRequest({ apiProductId: grantProduct, pageSize: 100 }),
      )
    ).body;
    assert.equal(listed.totalCount, 2);
    const got = (listed.authorizedApps?.authorizedApp ?? []).map((a) => [a.appId, a.authValidTime, a.description]);
    assert.deepEqual(got, appIds.map((id) => [id, '2099-01-02T03:04:05Z', 'granted by the Node.js SDK']));
    const byApp = (await client.describeApiProductsByApp(new Cloudapi.DescribeApiProductsByAppRequest({ appId: appIds[0] }))).body;
    assert.deepEqual((byApp.apiProductInfoList?.apiProductInfo ?? []).map((p) => p.apiProductId), [grantProduct]);

    // DescribeAppAttributes filtered by AppId: the app itself; an app id that matches nothing is an
    // empty page, not an error (the filter of a listing).
    const attrs = (await client.describeAppAttributes(new Cloudapi.DescribeAppAttributesRequest({ appId: appIds[0] }))).body;
    assert.equal(attrs.totalCount, 1);
    assert.deepEqual((attrs.apps?.appAttribute ?? []).map((a) => [a.appId, a.appName]), [[appIds[0], `node_app_${tag}_1`]]);
    const none = (await client.describeAppAttributes(new Cloudapi.DescribeAppAttributesRequest({ appId: 987654321 }))).body;
    assert.equal(none.totalCount, 0);
    assert.deepEqual(none.apps?.appAttribute ?? [], []);

    await rejectsWith(
      () => client.deleteApiProduct(new Cloudapi.DeleteApiProductRequest({ apiProductId: grantProduct })),
      'ApiProductAuthorizedToApp',
      400,
      (e) => e.statusCode,
    );
    for (const appId of appIds) {
      await client.removeApiProductsAuthorities(
        new Cloudapi.RemoveApiProductsAuthoritiesRequest({ appId, apiProductIds: [grantProduct] }),
      );
    }
    const del = await client.deleteApiProduct(new Cloudapi.DeleteApiProductRequest({ apiProductId: grantProduct }));
    assert.equal(del.statusCode, 200);
  });

  test('StageName outside RELEASE/PRE/TEST is InvalidParameter (400)', async () => {
    await rejectsWith(
      () =>
        client.attachApiProduct(
          new Cloudapi.AttachApiProductRequest({
            apiProductId: product,
            apis: [new Cloudapi.AttachApiProductRequestApis({ apiId: apis[0].id, stageName: 'PROD' })],
          }),
        ),
      'InvalidParameter',
      400,
      (e) => e.statusCode,
    );
  });
});

describe('@alicloud/pop-core (V1 HMAC-SHA1 signature)', { timeout }, () => {
  function newClient(secret) {
    return new RPCClient({ accessKeyId, accessKeySecret: secret, endpoint: `${scheme}://${endpoint}`, apiVersion });
  }
  const client = newClient(accessKeySecret);
  // pop-core sends POST parameters in an x-www-form-urlencoded body and GET parameters in the
  // query; both are exercised.
  const post = { method: 'POST' };
  const get = { method: 'GET' };
  const tag = suffix();
  const group = { name: `node-popcore-${tag}` };
  const apis = fixtureAPIs(`p${tag}`);
  const product = productID();

  // pop-core only throws on a body Code; the HTTP status lives on the captured exchange.
  const statusOf = (e) => e.entry?.response?.statusCode;

  before(async () => {
    const g = await client.request('CreateApiGroup', { GroupName: group.name, Description: 'pop-core conformance' }, post);
    assertID(g.GroupId, 'GroupId');
    group.id = g.GroupId;
    for (const api of apis) {
      const r = await client.request(
        'CreateApi',
        {
          GroupId: group.id,
          ApiName: api.name,
          Description: api.description,
          Visibility: 'PUBLIC',
          AuthType: 'APP',
          RequestConfig: requestConfig(api.method, api.path),
          ServiceConfig: serviceConfig,
          ResultType: 'JSON',
          ResultSample: '{}',
        },
        post,
      );
      assertID(r.ApiId, 'ApiId');
      api.id = r.ApiId;
      const d = await client.request(
        'DeployApi',
        { GroupId: group.id, ApiId: api.id, StageName: 'RELEASE', Description: 'pop-core deploy' },
        post,
      );
      assert.ok(d.RequestId, 'DeployApi returns a RequestId');
    }
  });

  test('attach, describe page by page, detach', async () => {
    const items = {};
    apis.forEach((a, i) => {
      items[`Apis.${i + 1}.ApiId`] = a.id;
      items[`Apis.${i + 1}.StageName`] = 'RELEASE';
    });
    const att = await client.request('AttachApiProduct', { ApiProductId: product, ...items }, post);
    assert.ok(att.RequestId, 'AttachApiProduct returns a RequestId');

    const seen = [];
    for (const n of [1, 2]) {
      // One page by POST (form body), one by GET (query string).
      const body = await client.request(
        'DescribeApiProductApis',
        { ApiProductId: product, PageNumber: n, PageSize: 1 },
        n === 1 ? post : get,
      );
      assert.equal(Number(body.TotalCount), 2, `TotalCount on page ${n}`);
      assert.equal(Number(body.PageNumber), n);
      assert.equal(Number(body.PageSize), 1);
      const list = body.ApiInfoList?.ApiInfo ?? [];
      assert.equal(list.length, 1, `page ${n} of size 1 holds one API`);
      seen.push(pickInfo(list[0]));
    }
    const want = apis.map((a) => expectedInfo(a, group, 'RELEASE')).sort(byAPIID);
    assert.deepEqual(seen.slice().sort(byAPIID), want, 'the two pages together are exactly the attached APIs');

    // The array form of the parameters, flattened by pop-core itself, detaches the first API.
    await client.request(
      'DetachApiProduct',
      { ApiProductId: product, Apis: [{ ApiId: apis[0].id, StageName: 'RELEASE' }] },
      post,
    );
    let body = await client.request('DescribeApiProductApis', { ApiProductId: product }, get);
    assert.equal(Number(body.TotalCount), 1);
    assert.deepEqual((body.ApiInfoList?.ApiInfo ?? []).map(pickInfo), [expectedInfo(apis[1], group, 'RELEASE')]);

    await client.request('DetachApiProduct', { ApiProductId: product, 'Apis.1.ApiId': apis[1].id, 'Apis.1.StageName': 'RELEASE' }, post);
    body = await client.request('DescribeApiProductApis', { ApiProductId: product }, post);
    assert.equal(Number(body.TotalCount), 0, 'an emptied product has no APIs');
    assert.equal((body.ApiInfoList?.ApiInfo ?? []).length, 0);
  });

  test('wrong secret is SignatureDoesNotMatch (400)', async () => {
    const bad = newClient(`${accessKeySecret}-wrong`);
    for (const opts of [post, get]) {
      await rejectsWith(
        () => bad.request('DescribeApiProductApis', { ApiProductId: product }, opts),
        'SignatureDoesNotMatch',
        400,
        statusOf,
      );
    }
  });

  test('DetachApiProduct on an unknown product is NotFoundApiProduct (404)', async () => {
    await rejectsWith(
      () =>
        client.request(
          'DetachApiProduct',
          { ApiProductId: productID(), 'Apis.1.ApiId': apis[0].id, 'Apis.1.StageName': 'RELEASE' },
          post,
        ),
      'NotFoundApiProduct',
      404,
      statusOf,
    );
  });

  test('SetAppsAuthToApiProduct with AppIds.N (flattened by pop-core) and with AppIds.N written out', async () => {
    const grantProduct = productID();
    await client.request('AttachApiProduct', { ApiProductId: grantProduct, 'Apis.1.ApiId': apis[0].id, 'Apis.1.StageName': 'RELEASE' }, post);
    const appIds = [];
    for (const n of [1, 2, 3]) {
      const a = await client.request('CreateApp', { AppName: `popcore_app_${tag}_${n}` }, post);
      assert.ok(Number(a.AppId) > 0, 'CreateApp returns an AppId');
      appIds.push(Number(a.AppId));
    }
    const g = await client.request('SetAppsAuthToApiProduct', { ApiProductId: grantProduct, AppIds: appIds.slice(0, 2) }, post);
    assert.ok(g.RequestId, 'SetAppsAuthToApiProduct returns a RequestId');
    await client.request('SetAppsAuthToApiProduct', { ApiProductId: grantProduct, 'AppIds.1': appIds[2], Description: 'query form' }, get);
    const body = await client.request('DescribeAppsByApiProduct', { ApiProductId: grantProduct, PageSize: 100 }, post);
    assert.equal(Number(body.TotalCount), 3);
    assert.deepEqual(
      (body.AuthorizedApps?.AuthorizedApp ?? []).map((a) => [Number(a.AppId), a.AuthValidTime, a.Description]),
      [
        [appIds[0], '', ''],
        [appIds[1], '', ''],
        [appIds[2], '', 'query form'],
      ],
    );
    await rejectsWith(
      () => client.request('SetAppsAuthToApiProduct', { ApiProductId: grantProduct, 'AppIds.1': 999999999999 }, post),
      'NotFoundApp',
      404,
      statusOf,
    );
    // Deleting an app removes its authorization.
    await client.request('DeleteApp', { AppId: appIds[0] }, post);
    const after = await client.request('DescribeAppsByApiProduct', { ApiProductId: grantProduct }, get);
    assert.equal(Number(after.TotalCount), 2);
  });

  test('a version other than 2016-07-14 is InvalidVersion (400)', async () => {
    const other = new RPCClient({ accessKeyId, accessKeySecret, endpoint: `${scheme}://${endpoint}`, apiVersion: '2014-05-26' });
    await rejectsWith(
      () => other.request('DescribeApiProductApis', { ApiProductId: product }, post),
      'InvalidVersion',
      400,
      statusOf,
    );
  });
});

describe('both SDKs share one account', { timeout }, () => {
  test('an attachment made over V1 is read back over V3', async () => {
    const v3 = new Cloudapi.default(
      new $OpenApiUtil.Config({ accessKeyId, accessKeySecret, endpoint, protocol, regionId: region }),
    );
    const v1 = new RPCClient({ accessKeyId, accessKeySecret, endpoint: `${scheme}://${endpoint}`, apiVersion });
    const tag = suffix();
    const g = await v3.createApiGroup(new Cloudapi.CreateApiGroupRequest({ groupName: `node-mixed-${tag}` }));
    const api = { name: `node_mixed_${tag}`, method: 'PUT', path: `/node/mixed/${tag}`, description: '' };
    const r = await v3.createApi(
      new Cloudapi.CreateApiRequest({
        groupId: g.body.groupId,
        apiName: api.name,
        visibility: 'PRIVATE',
        authType: 'APP',
        requestConfig: requestConfig(api.method, api.path),
        serviceConfig,
        resultType: 'JSON',
        resultSample: '{}',
      }),
    );
    api.id = r.body.apiId;
    const product = productID();
    await v1.request('AttachApiProduct', { ApiProductId: product, 'Apis.1.ApiId': api.id, 'Apis.1.StageName': 'TEST' }, { method: 'POST' });
    const body = (
      await v3.describeApiProductApis(new Cloudapi.DescribeApiProductApisRequest({ apiProductId: product }))
    ).body;
    assert.equal(body.totalCount, 1);
    assert.deepEqual(
      (body.apiInfoList?.apiInfo ?? []).map(fromTypedInfo),
      [expectedInfo(api, { id: g.body.groupId, name: `node-mixed-${tag}` }, 'TEST')],
    );
  });
});
