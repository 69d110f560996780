// Tencent Cloud EventBridge buses and connectors through tencentcloud-sdk-nodejs against a real Junction process.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startJunction, credentials } from './junction.mjs';
import { ebClient, tcError } from './tencent.mjs';

let junction;
let eb;
const uin = credentials.accountId;

before(async () => {
  // ckafka connectors name instances registered for the account (or shared); this one is never reached here.
  junction = await startJunction({
    Junction__Tencent__RequestsPerSecond: '0',
    Junction__Instances__Kafka__0__Id: 'ckafka-abcd1234',
    Junction__Instances__Kafka__0__BootstrapServers: '127.0.0.1:9',
    Junction__Instances__Kafka__0__Shared: 'true',
  });
  eb = ebClient(junction.url);
});

after(async () => {
  await junction?.stop();
});

const ckafka = (topic) => ({
  ResourceDescription: `qcs::ckafka:ap-guangzhou:uin/${uin}:ckafkaId/uin/${uin}/ckafka-abcd1234`,
  CkafkaParams: { Offset: 'latest', TopicName: topic },
});

test('the default Cloud bus exists, and cannot be deleted, updated or given connectors', async () => {
  const buses = await eb.ListEventBuses({ Filters: [{ Name: 'Type', Values: ['Cloud'] }] });
  assert.equal(buses.TotalCount, 1);
  const cloud = buses.EventBuses[0];
  assert.equal(cloud.EventBusName, 'default');
  assert.match(cloud.EventBusId, /^eb-[a-z0-9]{8}$/);
  assert.match(buses.RequestId, /^[0-9a-f-]{36}$/);

  assert.equal((await tcError(() => eb.DeleteEventBus({ EventBusId: cloud.EventBusId }))).code, 'OperationDenied.ResourceImmutable');
  assert.equal((await tcError(() => eb.UpdateEventBus({ EventBusId: cloud.EventBusId, Description: 'x' }))).code, 'OperationDenied.ResourceImmutable');
  assert.equal((await tcError(() => eb.CreateEventBus({ EventBusName: 'default' }))).code, 'ResourceInUse.DefaultEventBus');
  const connector = await tcError(() => eb.CreateConnection({ EventBusId: cloud.EventBusId, ConnectionName: 'c1', Type: 'ckafka', ConnectionDescription: ckafka('t') }));
  assert.equal(connector.code, 'OperationDenied.ResourceImmutable');
});

test('event bus lifecycle: create, get, update, list with filters and paging, delete', async () => {
  const created = await eb.CreateEventBus({ EventBusName: 'orders-bus', Description: 'orders', EnableStore: false });
  assert.match(created.EventBusId, /^eb-[a-z0-9]{8}$/);

  const got = await eb.GetEventBus({ EventBusId: created.EventBusId });
  assert.equal(got.EventBusName, 'orders-bus');
  assert.equal(got.Type, 'Custom');
  assert.match(got.AddTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
  assert.equal(got.SaveDays, null);

  await eb.UpdateEventBus({ EventBusId: created.EventBusId, Description: 'renamed', EventBusName: 'orders-bus-2' });
  assert.equal((await eb.GetEventBus({ EventBusId: created.EventBusId })).EventBusName, 'orders-bus-2');

  const byName = await eb.ListEventBuses({ Filters: [{ Name: 'EventBusName', Values: ['orders-bus-2'] }] });
  assert.equal(byName.TotalCount, 1);
  assert.deepEqual(byName.EventBuses[0].ConnectionBriefs, []);

  await eb.CreateEventBus({ EventBusName: 'second-bus' });
  const page1 = await eb.ListEventBuses({ Limit: 1, Offset: 0, OrderBy: 'name', Order: 'ASC' });
  const page2 = await eb.ListEventBuses({ Limit: 1, Offset: 1, OrderBy: 'name', Order: 'ASC' });
  assert.equal(page1.TotalCount, 3);
  assert.equal(page1.EventBuses.length, 1);
  assert.notEqual(page1.EventBuses[0].EventBusId, page2.EventBuses[0].EventBusId);

  await eb.DeleteEventBus({ EventBusId: created.EventBusId });
  assert.equal((await tcError(() => eb.GetEventBus({ EventBusId: created.EventBusId }))).code, 'ResourceNotFound.EventBus');
});

test('connectors of every type: create, list, update, delete; DTS password never returned', async () => {
  const { EventBusId } = await eb.CreateEventBus({ EventBusName: 'connector-bus' });
  const kafka = await eb.CreateConnection({ EventBusId, ConnectionName: 'kafka-in', Type: 'ckafka', ConnectionDescription: ckafka('orders'), Description: 'from kafka' });
  assert.match(kafka.ConnectionId, /^connection-[a-z0-9]{8}$/);
  await eb.CreateConnection({
    EventBusId, ConnectionName: 'api-in', Type: 'apigw',
    ConnectionDescription: { ResourceDescription: `qcs::apigw:ap-guangzhou:uin/${uin}:serviceid/service-abc`, APIGWParams: { Protocol: 'HTTPS', Method: 'POST' } },
  });
  // The seed's example: a tdmq connector, Type given, with an explicit null params member the SDK strips.
  await eb.CreateConnection({
    EventBusId, Type: 'tdmq', ConnectionName: 'conn',
    ConnectionDescription: { ResourceDescription: `qcs::tdmq:ap-guangzhou:uin/${uin}:subscriptionName/pulsar-5r5drqo7j8/user/test/sub1`, APIGWParams: null },
  });
  await eb.CreateConnection({
    EventBusId, ConnectionName: 'dts-in', Type: 'dts',
    ConnectionDescription: { ResourceDescription: `qcs::dts:ap-guangzhou:uin/${uin}:subscribe/subs-1`, DTSParams: { ConsumerGroupName: 'grp', Account: 'acct', Password: 'dts-secret-pw' } },
  });

  const list = await eb.ListConnections({ EventBusId, OrderBy: 'name', Order: 'ASC' });
  assert.equal(list.TotalCount, 4);
  assert.deepEqual(list.Connections.map((c) => c.ConnectionName), ['api-in', 'conn', 'dts-in', 'kafka-in']);
  const dts = list.Connections.find((c) => c.Type === 'dts');
  assert.equal(dts.ConnectionDescription.DTSParams.Password, null);
  assert.ok(!JSON.stringify(list).includes('dts-secret-pw'));
  const k = list.Connections.find((c) => c.Type === 'ckafka');
  assert.equal(k.ConnectionDescription.CkafkaParams.TopicName, 'orders');
  assert.equal(k.ConnectionDescription.APIGWParams, null);
  assert.equal(k.Enable, true);
  assert.equal(k.EventBusId, EventBusId);
  assert.ok(['Pending', 'Active', 'Failed', 'Unverified'].includes(k.Status));

  const paged = await eb.ListConnections({ EventBusId, Limit: 3, Offset: 3, OrderBy: 'name', Order: 'ASC' });
  assert.deepEqual(paged.Connections.map((c) => c.ConnectionName), ['kafka-in']);

  await eb.UpdateConnection({ EventBusId, ConnectionId: kafka.ConnectionId, Enable: false, Description: 'paused' });
  const updated = (await eb.ListConnections({ EventBusId })).Connections.find((c) => c.ConnectionId === kafka.ConnectionId);
  assert.equal(updated.Enable, false);
  assert.equal(updated.Description, 'paused');

  const briefs = await eb.ListEventBuses({ Filters: [{ Name: 'EventBusId', Values: [EventBusId] }] });
  assert.equal(briefs.EventBuses[0].ConnectionBriefs.length, 4);

  assert.equal((await tcError(() => eb.DeleteEventBus({ EventBusId }))).code, 'ResourceInUse.EventBus');
  for (const c of list.Connections) await eb.DeleteConnection({ EventBusId, ConnectionId: c.ConnectionId });
  assert.equal((await eb.ListConnections({ EventBusId })).TotalCount, 0);
  await eb.DeleteEventBus({ EventBusId });
});

test('errors: unknown bus, unknown connector, bad values, missing and unknown parameters, wrong types', async () => {
  const { EventBusId } = await eb.CreateEventBus({ EventBusName: 'error-bus' });
  assert.equal((await tcError(() => eb.ListConnections({ EventBusId: 'eb-00000000' }))).code, 'ResourceNotFound.EventBus');
  assert.equal((await tcError(() => eb.DeleteConnection({ EventBusId, ConnectionId: 'connection-00000000' }))).code, 'ResourceNotFound.Connection');
  assert.equal((await tcError(() => eb.UpdateConnection({ EventBusId, ConnectionId: 'connection-00000000' }))).code, 'ResourceNotFound.Connection');
  assert.equal((await tcError(() => eb.CreateConnection({ EventBusId, ConnectionName: '9bad', ConnectionDescription: ckafka('t') }))).code, 'InvalidParameterValue.ConnectionName');
  assert.equal((await tcError(() => eb.CreateConnection({ EventBusId, ConnectionName: 'okname', Type: 'sqs', ConnectionDescription: ckafka('t') }))).code, 'InvalidParameterValue.Type');
  assert.equal((await tcError(() => eb.CreateConnection({ EventBusId, ConnectionName: 'okname', ConnectionDescription: { ResourceDescription: 'not-qcs' } }))).code, 'InvalidParameterValue.ConnectionDescription');
  assert.equal((await tcError(() => eb.CreateConnection({ EventBusId, ConnectionName: 'okname' }))).code, 'MissingParameter');
  assert.equal((await tcError(() => eb.CreateEventBus({ EventBusName: 'x' }))).code, 'InvalidParameterValue.EventBusName');
  assert.equal((await tcError(() => eb.CreateEventBus({ EventBusName: 'fine-name', Description: 'd'.repeat(201) }))).code, 'InvalidParameterValue.Description');
  assert.equal((await tcError(() => eb.ListEventBuses({ Limit: 101 }))).code, 'InvalidParameterValue.Limit');
  assert.equal((await tcError(() => eb.ListEventBuses({ OrderBy: 'size' }))).code, 'InvalidParameterValue.OrderBy');
  assert.equal((await tcError(() => eb.ListConnections({ EventBusId, Order: 'UP' }))).code, 'InvalidParameterValue.Order');
  assert.equal((await tcError(() => eb.GetEventBus({ EventBusId, Colour: 'red' }))).code, 'UnknownParameter');
  assert.equal((await tcError(() => eb.ListEventBuses({ Limit: '20' }))).code, 'InvalidParameter');
  const missing = await tcError(() => eb.GetEventBus({}));
  assert.equal(missing.code, 'MissingParameter');
  assert.match(missing.message, /EventBusId/);
  assert.ok(missing.requestId);
});

test('auth: wrong secret, unknown SecretId', async () => {
  const wrong = ebClient(junction.url, { secretKey: 'not-the-right-secret-0000000000000000000' });
  assert.equal((await tcError(() => wrong.ListEventBuses({}))).code, 'AuthFailure.SignatureFailure');
  const unknown = ebClient(junction.url, { secretId: 'AKIDunknown0000000000' });
  assert.equal((await tcError(() => unknown.ListEventBuses({}))).code, 'AuthFailure.SecretIdNotFound');
});

test('quotas: 10 custom buses per region, 10 connectors per bus', async () => {
  const other = ebClient(junction.url, { region: 'ap-shanghai' });
  const ids = [];
  for (let i = 0; i < 10; i++) ids.push((await other.CreateEventBus({ EventBusName: `quota-bus-${i}` })).EventBusId);
  assert.equal((await tcError(() => other.CreateEventBus({ EventBusName: 'one-too-many' }))).code, 'LimitExceeded.EventBus');

  for (let i = 0; i < 10; i++) {
    await other.CreateConnection({ EventBusId: ids[0], ConnectionName: `conn-${i}`, ConnectionDescription: ckafka(`t${i}`) });
  }
  const over = await tcError(() => other.CreateConnection({ EventBusId: ids[0], ConnectionName: 'conn-x', ConnectionDescription: ckafka('tx') }));
  assert.equal(over.code, 'LimitExceeded.Connection');

  // Regions are separate: the Guangzhou client sees none of these.
  const guangzhou = await eb.ListEventBuses({ Filters: [{ Name: 'EventBusName', Values: ['quota-bus-0'] }] });
  assert.equal(guangzhou.TotalCount, 0);
});

test('CheckRule through the SDK: a documented pattern matches, another does not, a bad one is named', async () => {
  const event = JSON.stringify({
    specversion: '1.0', id: '13a3f42d', type: 'cos:created:object', source: 'cos.cloud.tencent',
    subject: 'qcs::cos:ap-guangzhou:uid1250000000:bucketname', time: '1615430559146', region: 'ap-guangzhou',
    data: { name: 'testname', scope: 100 },
  });
  const ok = await eb.CheckRule({ Event: event, EventPattern: JSON.stringify({ data: { name: ['testname', 'test'] } }) });
  assert.match(ok.RequestId, /^[0-9a-f-]{36}$/);
  await eb.CheckRule({ Event: event, EventPattern: JSON.stringify({ source: 'cos.cloud.tencent', data: { scope: [{ numeric: ['>', 0, '<=', 100] }] } }) });

  const miss = await tcError(() => eb.CheckRule({ Event: event, EventPattern: JSON.stringify({ data: { name: ['other'] } }) }));
  assert.equal(miss.code, 'FailedOperation.ErrorFilter');
  assert.match(miss.requestId, /^[0-9a-f-]{36}$/);

  const bad = await tcError(() => eb.CheckRule({ Event: event, EventPattern: JSON.stringify({ data: { name: [{ regex: 'x' }] } }) }));
  assert.equal(bad.code, 'InvalidParameterValue.InvalidPattern');
  assert.match(bad.message, /EventPattern\.data\.name\[0\]\.regex/);
});

test('CheckTransformation through the SDK: the documented example returns its Output', async () => {
  const result = await eb.CheckTransformation({
    Input: JSON.stringify({ data: { msgBody: JSON.stringify({ city: 'shenzhen', temp: 32, weather: 'sunny' }) } }),
    Transformations: [{
      Extraction: { ExtractionInputPath: '$.data.msgBody', Format: 'JSON' },
      EtlFilter: { Filter: JSON.stringify({ city: [{ contain: 'shen' }] }) },
      Transform: {
        OutputStructs: [
          { Key: 'city', Value: '$.city', ValueType: 'JSONPATH' },
          { Key: 'const', Value: '11', ValueType: 'NUMBER' },
          { Key: 'sdate', Value: 'date', ValueType: 'SYS_VARIABLE' },
        ],
      },
    }],
  });
  const output = JSON.parse(result.Output);
  assert.equal(output.city, 'shenzhen');
  assert.equal(output.const, 11);
  assert.match(output.sdate, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
  assert.ok(Math.abs(Date.parse(output.sdate) - Date.now()) < 60_000);

  const bad = await tcError(() => eb.CheckTransformation({ Input: '{}', Transformations: [{ Extraction: { ExtractionInputPath: 'data', Format: 'JSON' } }] }));
  assert.equal(bad.code, 'InvalidParameterValue.Transformations');
  assert.match(bad.message, /Transformations\.0\.Extraction\.ExtractionInputPath/);
});
