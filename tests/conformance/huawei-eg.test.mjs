// Huawei EventGrid connections through @huaweicloud/huaweicloud-sdk-core against a real Junction process.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startJunction, credentials } from './junction.mjs';
import { huaweiClient, sdkError } from './huawei.mjs';

const path = '/v1/{project_id}/connections';
let junction;
let client;

before(async () => {
  junction = await startJunction();
  client = huaweiClient(junction.url);
});

after(async () => {
  await junction?.stop();
});

test('create WEBHOOK (the seed example) answers the seed fields', async () => {
  const created = await client.send({
    method: 'POST', url: path,
    body: { name: 'private-link', description: '', vpc_id: 'ac14144e-8fec-53d6-bdfd-8f09b52c09iu', subnet_id: 'bf14153e-5fec-67d6-b89d-5409b52c0op8', type: {} },
  });
  assert.equal(created.httpStatusCode, 200);
  assert.match(created.id, /^[0-9a-f-]{36}$/);
  assert.equal(created.name, 'private-link');
  assert.equal(created.status, 'CREATING');
  assert.equal(created.type, 'WEBHOOK');
  assert.deepEqual(created.error_info, {});
  assert.deepEqual(created.flavor, { name: 'default', concurrency_type: 'exclusive', concurrency: 500, bandwidth_type: 'exclusive' });
  assert.equal(created.agency, 'EG_TRUST');
  assert.match(created.created_time, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
});

test('create KAFKA keeps the detail and never returns the password', async () => {
  const created = await client.send({
    method: 'POST', url: path,
    body: {
      name: 'orders-kafka', vpc_id: 'vpc-a', subnet_id: 'subnet-a', type: 'KAFKA',
      kafka_detail: { instance_id: 'dms-1', addr: '127.0.0.1:9092', security_protocol: 'SASL_SSL', enable_sasl_ssl: true, user_name: 'alice', password: 'never-echo-me', acks: 'all' },
    },
  });
  assert.equal(created.type, 'KAFKA');
  assert.equal(created.kafka_detail.instance_id, 'dms-1');
  assert.equal(created.kafka_detail.acks, 'all');
  assert.equal(created.kafka_detail.user_name, 'alice');
  assert.equal(created.kafka_detail.password, undefined);
  assert.ok(!JSON.stringify(created).includes('never-echo-me'));

  const shown = await client.send({ method: 'GET', url: `${path}/{connection_id}`, pathParams: { connection_id: created.id } });
  assert.equal(shown.name, 'orders-kafka');
  assert.equal(shown.kafka_detail.security_protocol, 'SASL_SSL');
  assert.ok(!JSON.stringify(shown).includes('never-echo-me'));
});

test('list pages with offset and limit, filters with fuzzy_name and instance_id', async () => {
  for (let i = 0; i < 5; i++) {
    await client.send({ method: 'POST', url: path, body: { name: `page-${i}`, vpc_id: 'v', subnet_id: 's' } });
  }
  const seen = new Set();
  let offset = 0;
  for (;;) {
    const page = await client.send({ method: 'GET', url: path, query: { offset, limit: 2, fuzzy_name: 'page-' } });
    assert.equal(page.total, 5);
    assert.equal(page.size, page.items.length);
    page.items.forEach((item) => seen.add(item.name));
    offset += page.items.length;
    if (page.items.length < 2) break;
  }
  assert.equal(seen.size, 5);

  const byInstance = await client.send({ method: 'GET', url: path, query: { instance_id: 'dms-1' } });
  assert.deepEqual(byInstance.items.map((i) => i.name), ['orders-kafka']);

  const sorted = await client.send({ method: 'GET', url: path, query: { fuzzy_name: 'page-', sort: 'name:ASC', limit: 3 } });
  assert.deepEqual(sorted.items.map((i) => i.name), ['page-0', 'page-1', 'page-2']);
});

test('update changes the description only; delete answers 204 and the id is gone', async () => {
  const created = await client.send({ method: 'POST', url: path, body: { name: 'short-lived', vpc_id: 'v', subnet_id: 's' } });
  const updated = await client.send({
    method: 'PUT', url: `${path}/{connection_id}`, pathParams: { connection_id: created.id },
    body: { description: 'now described', name: 'ignored' },
  });
  assert.equal(updated.description, 'now described');
  assert.equal(updated.name, 'short-lived');

  const deleted = await client.send({ method: 'DELETE', url: `${path}/{connection_id}`, pathParams: { connection_id: created.id } });
  assert.equal(deleted.httpStatusCode, 204);

  const error = await sdkError(() => client.send({ method: 'GET', url: `${path}/{connection_id}`, pathParams: { connection_id: created.id } }));
  assert.equal(error.httpStatusCode, 404);
  assert.equal(error.errorCode, 'EG.00014040');
  assert.ok(error.requestId || error.errorMsg);
});

test('validation, duplicates and wrong types are EG errors the SDK can read', async () => {
  const invalid = await sdkError(() => client.send({ method: 'POST', url: path, body: { name: 'default', vpc_id: 'v', subnet_id: 's' } }));
  assert.equal(invalid.httpStatusCode, 400);
  assert.equal(invalid.errorCode, 'EG.00513000');
  assert.match(invalid.errorMsg, /name cannot be 'default'/);

  const wrongType = await sdkError(() => client.send({ method: 'POST', url: path, body: { name: 'x', vpc_id: 5, subnet_id: 's' } }));
  assert.equal(wrongType.errorCode, 'EG.00513000');
  assert.match(wrongType.errorMsg, /vpc_id must be a string/);

  const kafkaMissing = await sdkError(() => client.send({ method: 'POST', url: path, body: { name: 'k', vpc_id: 'v', subnet_id: 's', type: 'kafka' } }));
  assert.match(kafkaMissing.errorMsg, /kafka_detail is required/);

  await client.send({ method: 'POST', url: path, body: { name: 'twice', vpc_id: 'v', subnet_id: 's' } });
  const duplicate = await sdkError(() => client.send({ method: 'POST', url: path, body: { name: 'twice', vpc_id: 'v', subnet_id: 's' } }));
  assert.equal(duplicate.httpStatusCode, 400);
  assert.equal(duplicate.errorCode, 'EG.00513001');

  const badLimit = await sdkError(() => client.send({ method: 'GET', url: path, query: { limit: 5000 } }));
  assert.equal(badLimit.errorCode, 'EG.00513000');
  assert.match(badLimit.errorMsg, /limit/);
});

test('a wrong secret key is refused with 401', async () => {
  const wrong = huaweiClient(junction.url, { sk: 'not-the-right-secret-key-000000000000000' });
  const error = await sdkError(() => wrong.send({ method: 'GET', url: path }));
  assert.equal(error.httpStatusCode, 401);
  assert.equal(error.errorCode, 'EG.00014010');
});

test('another project is refused with 403', async () => {
  const other = huaweiClient(junction.url, { projectId: 'ffffffffffffffffffffffffffffffff' });
  const error = await sdkError(() => other.send({ method: 'GET', url: path }));
  assert.equal(error.httpStatusCode, 403);
  assert.equal(error.errorCode, 'EG.00512000');
});

test('the seed flow: a token from the IAM endpoint works as X-Auth-Token', async () => {
  const response = await fetch(`${junction.url}/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: { methods: ['password'], password: { user: { name: credentials.user, password: credentials.password, domain: { name: 'junction' } } } },
        scope: { project: { id: credentials.projectId } },
      },
    }),
  });
  assert.equal(response.status, 201);
  const token = response.headers.get('x-subject-token');
  assert.ok(token);
  assert.ok((await response.json()).token.expires_at);

  const list = await fetch(`${junction.url}/v1/${credentials.projectId}/connections?limit=1`, { headers: { 'X-Auth-Token': token } });
  assert.equal(list.status, 200);
  assert.ok(list.headers.get('x-request-id'));
  assert.equal((await list.json()).size, 1);

  const refused = await fetch(`${junction.url}/v1/${credentials.projectId}/connections`, { headers: { 'X-Auth-Token': token + 'x' } });
  assert.equal(refused.status, 401);
});
