// A Tencent Cloud EventBridge client from the official SDK, pointed at a Junction process.
import { createRequire } from 'node:module';
import { credentials } from './junction.mjs';

const require = createRequire(import.meta.url);
const tencentcloud = require('tencentcloud-sdk-nodejs');
const http = require('node:http');

export function ebClient(url, { secretId = credentials.accessKey, secretKey = credentials.secretKey, region = 'ap-guangzhou' } = {}) {
  const endpoint = url.replace(/^http:\/\//, '');
  return new tencentcloud.eb.v20210416.Client({
    credential: { secretId, secretKey },
    region,
    profile: {
      // An explicit agent: otherwise an http_proxy in the environment would route loopback requests through it.
      httpProfile: { endpoint, protocol: 'http://', reqTimeout: 10, agent: new http.Agent() },
    },
  });
}

/** Runs fn and returns the SDK's exception; fails when fn succeeds. */
export async function tcError(fn) {
  try {
    const result = await fn();
    throw new Error(`expected an error, got ${JSON.stringify(result)}`);
  } catch (error) {
    if (error.code === undefined) throw error;
    return error;
  }
}
