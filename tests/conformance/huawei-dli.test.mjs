// Huawei DLI queues and enhanced datasource connections through @huaweicloud/huaweicloud-sdk-core, following the
// seed's procedure: create a dedicated queue, create a connection, bind, query until the queue is ACTIVE.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startJunction } from './junction.mjs';
import { huaweiClient, sdkError } from './huawei.mjs';

let junction;
let dli;
const connections = '/v2.0/{project_id}/datasource/enhanced-connections';
const queues = '/v1.0/{project_id}/queues';

before(async () => {
  junction = await startJunction({ Junction__Verification__PollInterval: '00:00:00.100' });
  dli = huaweiClient(junction.url);
});

after(async () => {
  await junction?.stop();
});

async function waitForQueueStatus(id, queue, wanted) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const shown = await dli.send({ method: 'GET', url: `${connections}/{connection_id}`, pathParams: { connection_id: id } });
    const entry = shown.available_queue_info.find((q) => q.name === queue);
    if (entry && entry.status === wanted) return shown;
    if (Date.now() > deadline) throw new Error(`queue ${queue} did not become ${wanted}: ${JSON.stringify(shown)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('the seed procedure: dedicated queue, connection, bind, query until ACTIVE, hosts, routes, unbind, delete', async () => {
  const queue = await dli.send({ method: 'POST', url: queues, body: { queue_name: 'Queue1', cu_count: 16, resource_mode: 1, queue_type: 'sql', description: 'seed' } });
  assert.equal(queue.is_success, true);
  assert.equal(queue.queue_name, 'queue1');
  await dli.send({ method: 'POST', url: queues, body: { queue_name: 'q2', cu_count: 16, resource_mode: 1, queue_type: 'general' } });

  // The seed's body, with loopback hosts instead of its 192.168.0.x examples.
  const created = await dli.send({
    method: 'POST', url: connections,
    body: {
      name: 'test1', dest_vpc_id: '22094d8f-c310-4621-913d-4c4d655d8495', dest_network_id: '78f2562a-36e4-4b39-95b9-f5aab22e1281',
      queues: ['queue1'], hosts: [{ ip: '127.0.0.1', name: 'ecs-97f8-0001' }, { ip: '127.0.0.2', name: 'ecs-97f8-0002' }],
    },
  });
  assert.equal(created.httpStatusCode, 201);
  assert.equal(created.is_success, true);
  assert.match(created.connection_id, /^[0-9a-f-]{36}$/);
  const id = created.connection_id;

  const active = await waitForQueueStatus(id, 'queue1', 'ACTIVE');
  assert.equal(active.status, 'ACTIVE');
  assert.equal(active.name, 'test1');
  assert.equal(active.dest_vpc_id, '22094d8f-c310-4621-913d-4c4d655d8495');
  assert.equal(typeof active.create_time, 'number');
  assert.equal(active.isPrivis, true);
  const info = active.available_queue_info[0];
  assert.match(info.peer_id, /^[0-9a-f-]{36}$/);
  assert.equal(info.err_msg, '');
  assert.equal(typeof info.update_time, 'number');
  assert.deepEqual(active.hosts, [{ ip: '127.0.0.1', name: 'ecs-97f8-0001' }, { ip: '127.0.0.2', name: 'ecs-97f8-0002' }]);

  await dli.send({ method: 'POST', url: `${connections}/{connection_id}/associate-queue`, pathParams: { connection_id: id }, body: { queues: ['q2'] } });
  await waitForQueueStatus(id, 'q2', 'ACTIVE');

  await dli.send({ method: 'PUT', url: `${connections}/{connection_id}`, pathParams: { connection_id: id }, body: { hosts: [{ ip: '127.0.0.3', name: 'db-1' }] } });
  await dli.send({ method: 'POST', url: `${connections}/{connection_id}/routes`, pathParams: { connection_id: id }, body: { name: 'r1', cidr: '127.0.0.0/24' } });
  await dli.send({ method: 'POST', url: '/v3/{project_id}/datasource/enhanced-connections/{connection_id}/routes', pathParams: { connection_id: id }, body: { name: 'r2', cidr: '127.0.1.0' } });
  let shown = await dli.send({ method: 'GET', url: `${connections}/{connection_id}`, pathParams: { connection_id: id } });
  assert.deepEqual(shown.hosts, [{ ip: '127.0.0.3', name: 'db-1' }]);
  assert.deepEqual(shown.routes.map((r) => [r.name, r.cidr]), [['r1', '127.0.0.0/24'], ['r2', '127.0.1.0']]);
  await dli.send({ method: 'DELETE', url: `${connections}/{connection_id}/routes/{name}`, pathParams: { connection_id: id, name: 'r1' } });

  const queueBound = await sdkError(() => dli.send({ method: 'DELETE', url: `${queues}/{queue_name}`, pathParams: { queue_name: 'queue1' } }));
  assert.equal(queueBound.errorCode, 'DLI.0007');

  const unbound = await dli.send({ method: 'POST', url: `${connections}/{connection_id}/disassociate-queue`, pathParams: { connection_id: id }, body: { queues: ['queue1'] } });
  assert.match(unbound.message, /Disassociated peer connection for queues:\{queue1\}/);
  await dli.send({ method: 'PUT', url: `${connections}/{connection_id}`, pathParams: { connection_id: id }, body: {} });
  shown = await dli.send({ method: 'GET', url: `${connections}/{connection_id}`, pathParams: { connection_id: id } });
  assert.deepEqual(shown.available_queue_info.map((q) => q.name), ['q2']);
  assert.deepEqual(shown.hosts, []);

  await waitForQueueStatus(id, 'q2', 'ACTIVE');
  const deleted = await dli.send({ method: 'DELETE', url: `${connections}/{connection_id}`, pathParams: { connection_id: id } });
  assert.equal(deleted.message, 'Deleted');
  const gone = await dli.send({ method: 'GET', url: `${connections}/{connection_id}`, pathParams: { connection_id: id } });
  assert.equal(gone.status, 'DELETED');
  assert.deepEqual(gone.available_queue_info, []);

  const activeOnly = await dli.send({ method: 'GET', url: connections, query: { status: 'active' } });
  assert.equal(activeOnly.connections.length, 0);
  const all = await dli.send({ method: 'GET', url: connections });
  assert.deepEqual(all.connections.map((c) => c.status), ['DELETED']);

  await dli.send({ method: 'DELETE', url: `${queues}/{queue_name}`, pathParams: { queue_name: 'queue1' } });
});

test('queues: list filter by type, show with camelCase keys, scale', async () => {
  await dli.send({ method: 'POST', url: queues, body: { queue_name: 'shared_sql', cu_count: 16 } });
  const sql = await dli.send({ method: 'GET', url: queues });
  assert.ok(sql.queues.every((q) => q.queue_type === 'sql'));
  assert.ok(sql.queues.some((q) => q.queue_name === 'shared_sql'));
  const all = await dli.send({ method: 'GET', url: queues, query: { queue_type: 'all' } });
  assert.ok(all.queues.some((q) => q.queue_type === 'general'));

  await dli.send({ method: 'PUT', url: `${queues}/{queue_name}/action`, pathParams: { queue_name: 'shared_sql' }, body: { action: 'scale_out', cu_count: 16 } });
  const shown = await dli.send({ method: 'GET', url: `${queues}/{queue_name}`, pathParams: { queue_name: 'SHARED_SQL' } });
  assert.equal(shown.queueName, 'shared_sql');
  assert.equal(shown.cuCount, 32);
  assert.equal(shown.queueType, 'sql');
});

test('errors: DLI envelope and codes', async () => {
  const missingQueue = await sdkError(() => dli.send({ method: 'GET', url: `${queues}/{queue_name}`, pathParams: { queue_name: 'nope' } }));
  assert.equal(missingQueue.httpStatusCode, 400);
  assert.equal(missingQueue.errorCode, 'DLI.0002');
  assert.match(missingQueue.errorMsg, /There is no queue named nope/);

  const unknownConnection = await sdkError(() => dli.send({ method: 'GET', url: `${connections}/{connection_id}`, pathParams: { connection_id: '503fc86a-0000-0000-0000-000000000000' } }));
  assert.equal(unknownConnection.httpStatusCode, 400);
  assert.equal(unknownConnection.errorCode, 'DLI.0001');

  const shared = await sdkError(() => dli.send({ method: 'POST', url: connections, body: { name: 'c_shared', dest_vpc_id: 'v', dest_network_id: 's', queues: ['shared_sql'] } }));
  assert.equal(shared.errorCode, 'DLI.0001');
  assert.match(shared.errorMsg, /not a dedicated queue/);

  const badName = await sdkError(() => dli.send({ method: 'POST', url: connections, body: { name: 'bad-name', dest_vpc_id: 'v' } }));
  assert.equal(badName.errorCode, 'DLI.0001');
  assert.match(badName.errorMsg, /name 'bad-name'/);
  assert.match(badName.errorMsg, /dest_network_id is required/);

  const badQueue = await sdkError(() => dli.send({ method: 'POST', url: queues, body: { queue_name: '_bad', cu_count: 15 } }));
  assert.equal(badQueue.errorCode, 'DLI.0001');
  assert.match(badQueue.errorMsg, /cu_count/);

  const wrongSecret = huaweiClient(junction.url, { sk: 'not-the-right-secret-key-000000000000000' });
  const auth = await sdkError(() => wrongSecret.send({ method: 'GET', url: queues }));
  assert.equal(auth.httpStatusCode, 401);
  assert.equal(auth.errorCode, 'DLI.0013');
});
