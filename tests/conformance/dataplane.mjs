// What the data-plane conformance tests share: a real HTTP receiver on loopback that records what arrives and answers
// a scripted status, a Kafka-protocol broker (`junction kafka-mock`) and a way to read a topic back with kafkajs.
import http from 'node:http';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { findDll } from './junction.mjs';

const require = createRequire(import.meta.url);
const { Kafka, logLevel } = require('kafkajs');

/** Starts a receiver that pushes {path, headers, body} to `received` and answers the next status of `script` (else 200). */
export function startReceiver(received, script) {
  return new Promise((resolve) => {
    const server = http.createServer((request, response) => {
      const chunks = [];
      request.on('data', (c) => chunks.push(c));
      request.on('end', () => {
        received.push({ path: request.url, headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
        response.writeHead(script.length > 0 ? script.shift() : 200);
        response.end();
      });
    });
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/** Starts `junction kafka-mock` with the given topics; resolves with the child process and its bootstrap address. */
export function startBroker(topics) {
  return new Promise((resolve, reject) => {
    const child = spawn('dotnet', [findDll(), 'kafka-mock', ...topics.flatMap((t) => ['--topic', t])], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = /bootstrap: (\S+)/.exec(output);
      if (match) resolve({ child, bootstrap: match[1] });
    });
    child.on('exit', (code) => reject(new Error(`kafka-mock exited with ${code}: ${output}`)));
  });
}

export async function until(condition, what, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Reads `topic` from the start with a fresh consumer group until `count` messages arrived. */
export async function readTopic(bootstrap, topic, count) {
  const kafka = new Kafka({ brokers: [bootstrap], clientId: 'conformance', logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `conformance-${topic}-${Date.now()}` });
  const messages = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => { messages.push(message); } });
  try {
    await until(() => messages.length >= count, `${count} messages on ${topic}`);
  } finally {
    await consumer.disconnect();
  }
  return messages;
}
