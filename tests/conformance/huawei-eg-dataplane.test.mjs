// Huawei EventGrid's data plane through @huaweicloud/huaweicloud-sdk-core against a real Junction process: channel →
// event source → subscription with a webhook target and a Kafka target → PutEvents; a real HTTP receiver (node:http on
// loopback) and a real Kafka-protocol broker (`junction kafka-mock`, read back with kafkajs) hold exactly the events.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startJunction } from './junction.mjs';
import { startReceiver, startBroker, until, readTopic as readFrom } from './dataplane.mjs';
import { huaweiClient, sdkError } from './huawei.mjs';

const adminKey = 'conformance-admin-key-0123456789';
let junction;
let client;
let broker;
let bootstrap;
let receiver;
const received = [];
const script = [];
const readTopic = (topic, count) => readFrom(bootstrap, topic, count);

before(async () => {
  ({ child: broker, bootstrap } = await startBroker(['orders', 'dead']));
  receiver = await startReceiver(received, script);
  junction = await startJunction({
    Junction__Admin__Key: adminKey,
    Junction__Delivery__PollInterval: '00:00:00.100',
    Junction__Delivery__InitialRetryDelay: '00:00:00.100',
  });
  client = huaweiClient(junction.url);
});

after(async () => {
  await junction?.stop();
  receiver?.close();
  broker?.kill('SIGKILL');
});

test('channel, source, subscription with webhook and Kafka targets; PutEvents delivers exactly the events', async () => {
  const hook = `http://127.0.0.1:${receiver.address().port}/hook`;
  const channel = await client.send({ method: 'POST', url: '/v1/{project_id}/channels', body: { name: 'orders', description: 'conformance' } });
  assert.equal(channel.httpStatusCode, 200);
  assert.equal(channel.provider_type, 'CUSTOM');

  const source = await client.send({ method: 'POST', url: '/v1/{project_id}/sources', body: { name: 'shop', channel_id: channel.id, type: 'APPLICATION' } });
  assert.equal(source.status, 'RUNNING');

  const kafka = await client.send({
    method: 'POST', url: '/v1/{project_id}/connections',
    body: { name: 'mock-kafka', vpc_id: 'vpc-1', subnet_id: 'subnet-1', type: 'KAFKA', kafka_detail: { instance_id: 'mock', addr: bootstrap, acks: 'all' } },
  });

  const subscription = await client.send({
    method: 'POST', url: '/v1/{project_id}/subscriptions',
    body: {
      name: 'fan-out', channel_id: channel.id,
      sources: [{ name: 'shop', provider_type: 'CUSTOM', filter: { source: [{ op: 'StringIn', values: ['shop'] }], type: [{ op: 'StringIn', values: ['order:created'] }] } }],
      targets: [
        { name: 'HTTPS', provider_type: 'CUSTOM', detail: { url: hook }, retry_times: 3, transform: { type: 'ORIGINAL' },
          dead_letter_queue: { type: 'KAFKA', instance_id: 'mock', connection_id: kafka.id, topic: 'dead' } },
        { name: 'HC.Kafka', provider_type: 'OFFICIAL', connection_id: kafka.id, retry_times: 3,
          kafka_detail: { topic: 'orders', keyTransform: { type: 'VARIABLE', value: '{"order":"$.data.order"}', template: '${order}' } },
          transform: { type: 'VARIABLE', value: '{"amount":"$.data.amount"}', template: '{"amount":${amount}}' } },
      ],
    },
  });
  assert.equal(subscription.status, 'CREATED');
  assert.equal(subscription.targets.length, 2);

  // The first delivery attempt of the webhook fails with 500 and is retried.
  script.push(500);
  const events = ['o-1', 'o-2', 'o-3'].map((id, i) => ({
    id, source: 'shop', specversion: '1.0', type: 'order:created', datacontenttype: 'application/json', time: '2026-12-06T08:00:00Z',
    data: { order: id, amount: 10 * (i + 1) },
  }));
  const put = await client.send({ method: 'POST', url: '/v1/{project_id}/channels/{channel_id}/events', pathParams: { channel_id: channel.id },
    body: { events: [...events, { ...events[0], id: 'x-1', type: 'order:deleted' }] } });
  assert.equal(put.httpStatusCode, 200);
  assert.equal(put.failed_count, 0);
  assert.deepEqual(put.events.map((e) => e.event_id), ['o-1', 'o-2', 'o-3', 'x-1']);

  await until(() => received.length >= 4, 'three events and one retry at the receiver');
  const ids = received.map((r) => JSON.parse(r.body).id);
  assert.deepEqual([...new Set(ids)].sort(), ['o-1', 'o-2', 'o-3']);
  assert.equal(received.length, 4, 'one retry after the 500');
  assert.match(received[0].headers['content-type'], /^application\/cloudevents\+json/);

  const messages = await readTopic('orders', 3);
  assert.deepEqual(messages.map((m) => m.key.toString()).sort(), ['o-1', 'o-2', 'o-3']);
  assert.deepEqual(messages.map((m) => JSON.parse(m.value.toString()).amount).sort(), [10, 20, 30]);

  // A terminal answer sends the event to the dead-letter topic with EG's headers; redrive delivers it.
  script.push(404);
  await client.send({ method: 'POST', url: '/v1/{project_id}/channels/{channel_id}/events', pathParams: { channel_id: channel.id },
    body: { events: [{ ...events[0], id: 'o-4' }] } });
  const [dead] = await readTopic('dead', 1);
  assert.equal(JSON.parse(dead.value.toString()).id, 'o-4');
  assert.equal(dead.headers['eg-error-code'].toString(), 'HTTP_404');
  assert.equal(dead.headers['eg-subscription-id'].toString(), subscription.id);
  assert.equal(dead.headers['eg-attempts'].toString(), '1');

  const admin = (path, init = {}) => fetch(`${junction.url}/junction/v1${path}`, { ...init, headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' } });
  const listed = await (await admin('/deliveries?state=DeadLettered')).json();
  assert.equal(listed.items.length, 1);
  const redrive = await (await admin('/deliveries/redrive', { method: 'POST', body: JSON.stringify({ ids: [listed.items[0].id] }) })).json();
  assert.equal(redrive.redriven, 1);
  await until(() => received.filter((r) => JSON.parse(r.body).id === 'o-4').length === 2, 'the redriven event');

  // The trace API shows the delivery.
  const trace = await client.send({ method: 'GET', url: '/v1/{project_id}/events/trace/detail/{trace_id}', pathParams: { trace_id: 'o-1' }, query: { channel_id: channel.id } });
  assert.equal(trace.eventId, 'o-1');
  assert.equal(trace.deliverList[0].successCounts, 2);
});

test('EG data-plane errors reach the SDK with their codes', async () => {
  const missing = await sdkError(() => client.send({ method: 'POST', url: '/v1/{project_id}/channels/{channel_id}/events', pathParams: { channel_id: 'nope' },
    body: { events: [{ id: 'a', source: 's', specversion: '1.0', type: 't' }] } }));
  assert.equal(missing.httpStatusCode, 404);
  assert.equal(missing.errorCode, 'EG.00014040');

  const channels = await client.send({ method: 'GET', url: '/v1/{project_id}/channels', query: { provider_type: 'OFFICIAL' } });
  const builtIn = channels.items.find((c) => c.name === 'default');
  const refused = await sdkError(() => client.send({ method: 'DELETE', url: '/v1/{project_id}/channels/{channel_id}', pathParams: { channel_id: builtIn.id } }));
  assert.equal(refused.httpStatusCode, 400);
  assert.equal(refused.errorCode, 'EG.00513005');

  const filter = await sdkError(() => client.send({ method: 'POST', url: '/v1/{project_id}/subscriptions', body: {
    name: 'bad', channel_id: builtIn.id, sources: [{ name: 'x', provider_type: 'CUSTOM', filter: { source: [{ op: 'NoSuchOp', values: ['x'] }] } }],
    targets: [{ name: 'HTTPS', provider_type: 'CUSTOM', detail: { url: 'http://127.0.0.1:9/' }, transform: { type: 'ORIGINAL' } }] } }));
  assert.equal(filter.errorCode, 'EG.00513004');
});
