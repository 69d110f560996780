// What a user of the Huawei SDK cores reaches for first (issue 18): AK/SK and a region without a project id (the core
// asks IAM for the project), DLI address connectivity tests, the quota calls, and the wire defects fixed with them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { createRequire } from 'node:module';
import { startJunction, credentials } from './junction.mjs';
import { huaweiClient, sdkError } from './huawei.mjs';

const require = createRequire(import.meta.url);
const { ClientBuilder } = require('@huaweicloud/huaweicloud-sdk-core/ClientBuilder');
const { BasicCredentials } = require('@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials');
const { Region } = require('@huaweicloud/huaweicloud-sdk-core/region/region');

const region = 'cn-north-4';
let junction;
let dli;
const queues = '/v1.0/{project_id}/queues';
const connections = '/v2.0/{project_id}/datasource/enhanced-connections';

before(async () => {
  junction = await startJunction({ Junction__Region: region, Junction__Verification__PollInterval: '00:00:00.100' });
  dli = huaweiClient(junction.url);
});

after(async () => {
  await junction?.stop();
});

async function until(what, fn) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('AK/SK and a region without a project id: the SDK core looks the project up in IAM and its calls work', async () => {
  const credential = new BasicCredentials().withAk(credentials.accessKey).withSk(credentials.secretKey).withIamEndpoint(junction.url);
  const client = new ClientBuilder((hc) => hc).withCredential(credential).withRegion(new Region(region, junction.url)).build();

  const listed = await client.sendRequest({
    method: 'GET', url: '/v1/{project_id}/connections', contentType: 'application/json', queryParams: {}, pathParams: {}, headers: {}, data: {},
  });

  assert.equal(listed.httpStatusCode, 200);
  assert.ok(Array.isArray(listed.items));
  assert.equal(credential.projectId, credentials.projectId);

  // A region Junction does not serve: the lookup finds no project and the core says the region is not supported.
  const other = new BasicCredentials().withAk(credentials.accessKey).withSk(credentials.secretKey).withIamEndpoint(junction.url);
  const wrong = new ClientBuilder((hc) => hc).withCredential(other).withRegion(new Region('ap-southeast-1', junction.url)).build();
  await assert.rejects(
    wrong.sendRequest({ method: 'GET', url: '/v1/{project_id}/connections', contentType: 'application/json', queryParams: {}, pathParams: {}, headers: {}, data: {} }),
    /region input is not supported/,
  );
});

test('DLI connectivity tests through the SDK: reachable through a bound connection, unreachable outside it', async () => {
  const server = net.createServer((socket) => socket.end());
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  try {
    await dli.send({ method: 'POST', url: queues, body: { queue_name: 'ctq', cu_count: 16, resource_mode: 1 } });
    const created = await dli.send({
      method: 'POST', url: connections,
      body: { name: 'ct_conn', dest_vpc_id: 'vpc-1', dest_network_id: 'net-1', queues: ['ctq'], hosts: [{ name: 'db-1', ip: '127.0.0.1' }] },
    });
    await until('the binding to be ACTIVE', async () => {
      const shown = await dli.send({ method: 'GET', url: `${connections}/{connection_id}`, pathParams: { connection_id: created.connection_id } });
      return shown.available_queue_info[0].status === 'ACTIVE';
    });

    async function check(address) {
      const task = await dli.send({ method: 'POST', url: `${queues}/{queue_name}/connection-test`, pathParams: { queue_name: 'ctq' }, body: { address } });
      assert.equal(task.is_success, true);
      assert.equal(typeof task.task_id, 'number');
      return until(`the test of ${address}`, async () => {
        const shown = await dli.send({
          method: 'GET', url: `${queues}/{queue_name}/connection-test/{task_id}`, pathParams: { queue_name: 'ctq', task_id: task.task_id },
        });
        return shown.connectivity === 'CHECKING' ? null : shown;
      });
    }

    const reachable = await check(`db-1:${port}`);
    assert.equal(reachable.connectivity, 'REACHABLE');
    assert.match(reachable.message, /through connection ct_conn/);
    const outside = await check(`127.0.0.9:${port}`);
    assert.equal(outside.connectivity, 'UNREACHABLE');
    assert.match(outside.message, /outside every ACTIVE connection/);

    const bad = await sdkError(() => dli.send({ method: 'POST', url: `${queues}/{queue_name}/connection-test`, pathParams: { queue_name: 'ctq' }, body: { address: '127.0.0.1' } }));
    assert.equal(bad.httpStatusCode, 400);
    assert.equal(bad.errorCode, 'DLI.0001');
  } finally {
    server.close();
  }
});

test('quotas: EG ListQuotas and DLI ShowQuota answer quota and use as the SDK models have them', async () => {
  const eg = await dli.send({ method: 'GET', url: '/v1/{project_id}/quotas', query: { type: 'CONNECTION' } });
  const connection = eg.quotas.resources.find((r) => r.type === 'CONNECTION');
  assert.equal(typeof connection.quota, 'number');
  assert.equal(typeof connection.used, 'number');

  const shown = await dli.send({ method: 'GET', url: '/v3/{project_id}/quotas' });
  assert.equal(shown.is_success, true);
  const queue = shown.quotas.resources.find((r) => r.type === 'QUEUE');
  assert.ok(queue.quota >= queue.used);
  assert.ok(shown.quotas.resources.some((r) => r.type === 'ENHANCED_CONNECTION'));
});

test('DLI ListQueues filters by tags', async () => {
  await dli.send({ method: 'POST', url: queues, body: { queue_name: 'tagged', cu_count: 16, tags: [{ key: 'env', value: 'prod' }] } });
  const listed = await dli.send({ method: 'GET', url: queues, query: { queue_type: 'all', tags: 'env=prod' } });
  assert.deepEqual(listed.queues.map((q) => q.queue_name), ['tagged']);
});

test('wire: GET / is an index (not Tencent), unknown DLI and IAM paths answer in their own envelopes, legacy Tencent signatures are AuthFailure', async () => {
  const index = await (await fetch(`${junction.url}/`)).json();
  assert.equal(index.Response, undefined);
  assert.equal(index.versions[0].id, 'v1');

  const unknownDli = await sdkError(() => dli.send({ method: 'GET', url: '/v3/{project_id}/queues/{queue_name}/properties', pathParams: { queue_name: 'ctq' } }));
  assert.equal(unknownDli.errorCode, 'DLI.0023');
  const unknownIam = await (await fetch(`${junction.url}/v3/users`)).json();
  assert.equal(unknownIam.error.code, 404);

  const legacy = await (await fetch(`${junction.url}/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'Action=ListEventBuses&Nonce=1&Timestamp=1&SecretId=x&SignatureMethod=HmacSHA256&Signature=abc',
  })).json();
  assert.equal(legacy.Response.Error.Code, 'AuthFailure.InvalidAuthorization');
});
