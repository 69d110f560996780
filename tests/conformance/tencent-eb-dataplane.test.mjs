// Tencent EventBridge's data plane through tencentcloud-sdk-nodejs against a real Junction process: bus → rule with a
// pattern → a ckafka target (a registered CKafka instance: `junction kafka-mock`, read back with kafkajs) and an scf
// target (a registered HTTP function: node:http on loopback) → PutEvents. The topic and the function hold exactly the
// matching events, transformed as configured; retries; the dead-letter topic after a terminal failure.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startJunction, credentials } from './junction.mjs';
import { startReceiver, startBroker, until, readTopic as readFrom } from './dataplane.mjs';
import { ebClient, tcError } from './tencent.mjs';

const adminKey = 'conformance-admin-key-0123456789';
const uin = credentials.accountId;
const instance = `qcs::ckafka:ap-guangzhou:uin/${uin}:ckafkaId/uin/${uin}/ckafka-conf0001`;
const fn = `qcs::scf:ap-guangzhou:uin/${uin}:namespace/default/function/orders/$LATEST`;
let junction;
let client;
let broker;
let bootstrap;
let receiver;
const received = [];
const script = [];
const readTopic = (topic, count) => readFrom(bootstrap, topic, count);

const admin = (path, body) => fetch(`${junction.url}/junction/v1${path}`, {
  method: body ? 'POST' : 'GET',
  headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
  body: body ? JSON.stringify(body) : undefined,
});

before(async () => {
  ({ child: broker, bootstrap } = await startBroker(['eb-orders', 'eb-dead']));
  receiver = await startReceiver(received, script);
  junction = await startJunction({
    Junction__Admin__Key: adminKey,
    Junction__Delivery__PollInterval: '00:00:00.100',
    Junction__Delivery__InitialRetryDelay: '00:00:00.100',
  });
  client = ebClient(junction.url);
  assert.equal((await admin('/instances/kafka', { id: 'ckafka-conf0001', bootstrap_servers: bootstrap, tenant: 'junction' })).status, 201);
  assert.equal((await admin('/functions', { namespace: 'default', name: 'orders', url: `http://127.0.0.1:${receiver.address().port}/orders`, tenant: 'junction' })).status, 201);
});

after(async () => {
  await junction?.stop();
  receiver?.close();
  broker?.kill('SIGKILL');
});

test('bus, rule, ckafka and scf targets, transformation; PutEvents delivers exactly the matching events', async () => {
  const { EventBusId: bus } = await client.CreateEventBus({ EventBusName: 'orders-bus' });
  const { RuleId: rule } = await client.CreateRule({
    EventBusId: bus, RuleName: 'big-orders', Enable: true, Description: 'orders over 5',
    EventPattern: JSON.stringify({ source: 'shop.orders', data: { amount: [{ numeric: ['>', 5] }] } }),
  });
  await client.CreateTarget({
    EventBusId: bus, RuleId: rule, Type: 'ckafka',
    TargetDescription: { ResourceDescription: instance, CkafkaTargetParams: { TopicName: 'eb-orders', RetryPolicy: { RetryInterval: 1, MaxRetryAttempts: 3 } } },
  });
  await client.CreateTarget({ EventBusId: bus, RuleId: rule, Type: 'scf', TargetDescription: { ResourceDescription: fn } });
  const { TransformationId: tsfm } = await client.CreateTransformation({
    EventBusId: bus, RuleId: rule,
    Transformations: [{ Extraction: { ExtractionInputPath: '$.data', Format: 'JSON' }, Transform: { OutputStructs: [{ Key: 'order', Value: '$.order', ValueType: 'JSONPATH' }] } }],
  });
  assert.match(tsfm, /^tsfm-/);

  const rules = await client.ListRules({ EventBusId: bus });
  assert.equal(rules.TotalCount, 1);
  assert.equal(rules.Rules[0].Targets.length, 2);
  const targets = await client.ListTargets({ EventBusId: bus, RuleId: rule });
  assert.equal(targets.Targets.find((t) => t.Type === 'ckafka').TargetDescription.CkafkaTargetParams.TopicName, 'eb-orders');
  const got = await client.GetTransformation({ EventBusId: bus, RuleId: rule, TransformationId: tsfm });
  assert.equal(got.Transformations[0].Transform.OutputStructs[0].Key, 'order');

  // The function's first answer is a 500: retried.
  script.push(500);
  const put = await client.PutEvents({
    EventBusId: bus,
    EventList: [
      { Source: 'shop.orders', Data: JSON.stringify({ order: 'o-1', amount: 10 }), Type: 'order:created', Subject: 'qcs::shop:o-1' },
      { Source: 'shop.orders', Data: JSON.stringify({ order: 'o-2', amount: 1 }), Type: 'order:created', Subject: 'qcs::shop:o-2' },
      { Source: 'shop.orders', Data: JSON.stringify({ order: 'o-3', amount: 30 }), Type: 'order:created', Subject: 'qcs::shop:o-3' },
    ],
  });
  assert.match(put.RequestId, /^[0-9a-f-]{36}$/);

  const messages = await readTopic('eb-orders', 2);
  assert.deepEqual(messages.map((m) => JSON.parse(m.value.toString()).order).sort(), ['o-1', 'o-3']);
  await until(() => received.length >= 3, 'two events and one retry at the function');
  assert.deepEqual([...new Set(received.map((r) => JSON.parse(r.body).order))].sort(), ['o-1', 'o-3']);
  assert.equal(received.length, 3, 'one retry after the 500');
  assert.equal(received[0].path, '/orders');
});

test('a terminal failure goes to the rule\'s dead-letter topic (DeadLetterConfig, a documented extension)', async () => {
  const { EventBusId: bus } = await client.CreateEventBus({ EventBusName: 'dlq-bus' });
  const { RuleId: rule } = await client.CreateRule({
    EventBusId: bus, RuleName: 'all', EventPattern: '{}',
    DeadLetterConfig: { DisposeMethod: 'DLQ', CkafkaDeliveryParams: { TopicName: 'eb-dead', ResourceDescription: instance } },
  });
  await client.CreateTarget({ EventBusId: bus, RuleId: rule, Type: 'scf', TargetDescription: { ResourceDescription: fn } });
  script.push(404);
  await client.PutEvents({ EventBusId: bus, EventList: [{ Source: 'shop', Data: '{}', Type: 't', Subject: 's', Id: 'dead-1' }] });
  const [dead] = await readTopic('eb-dead', 1);
  assert.equal(JSON.parse(dead.value.toString()).id, 'dead-1');
  assert.equal(dead.headers['eb-rule-id'].toString(), rule);
  assert.equal(dead.headers['eb-error-code'].toString(), 'HTTP_404');
  const listed = await client.ListRules({ EventBusId: bus });
  assert.equal(listed.Rules[0].DeadLetterConfig.DisposeMethod, 'DLQ');
});

test('EB data-plane errors reach the SDK with their codes', async () => {
  const { EventBusId: bus } = await client.CreateEventBus({ EventBusName: 'errors-bus' });
  assert.equal((await tcError(() => client.CreateRule({ EventBusId: bus, RuleName: 'bad', EventPattern: '{"source":' }))).code, 'InvalidParameterValue.EventPattern');
  assert.equal((await tcError(() => client.PutEvents({ EventBusId: 'eb-00000000', EventList: [{ Source: 'a', Data: '{}', Type: 't', Subject: 's' }] }))).code, 'ResourceNotFound.EventBus');
  assert.equal((await tcError(() => client.PutEvents({ EventBusId: bus, EventList: [{ Source: 'a', Data: 'x'.repeat(70_000), Type: 't', Subject: 's' }] }))).code,
    'InvalidParameterValue.InvalidEvent');
  const { RuleId: rule } = await client.CreateRule({ EventBusId: bus, RuleName: 'rule-one', EventPattern: '{}' });
  await client.CreateTarget({ EventBusId: bus, RuleId: rule, Type: 'scf', TargetDescription: { ResourceDescription: fn } });
  assert.equal((await tcError(() => client.DeleteRule({ EventBusId: bus, RuleId: rule }))).code, 'ResourceInUse.Rule');
  const other = `qcs::ckafka:ap-guangzhou:uin/${uin}:ckafkaId/uin/${uin}/ckafka-unknown1`;
  assert.equal((await tcError(() => client.CreateTarget({ EventBusId: bus, RuleId: rule, Type: 'ckafka',
    TargetDescription: { ResourceDescription: other, CkafkaTargetParams: { TopicName: 't', RetryPolicy: { RetryInterval: 1, MaxRetryAttempts: 1 } } } }))).code,
  'InvalidParameterValue.TargetDescription');
});
