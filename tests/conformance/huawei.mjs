// A Huawei Cloud client built by the official SDK core: its AK/SK signer and its HTTP client.
import { createRequire } from 'node:module';
import { credentials } from './junction.mjs';

const require = createRequire(import.meta.url);
const { ClientBuilder } = require('@huaweicloud/huaweicloud-sdk-core/ClientBuilder');
const { BasicCredentials } = require('@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials');

export function huaweiClient(endpoint, { ak = credentials.accessKey, sk = credentials.secretKey, projectId = credentials.projectId } = {}) {
  const credential = new BasicCredentials().withAk(ak).withSk(sk).withProjectId(projectId);
  const client = new ClientBuilder((hc) => hc).withEndpoint(endpoint).withCredential(credential).build();
  return {
    send({ method, url, query = {}, body, pathParams = {}, headers = {} }) {
      return client.sendRequest({
        method,
        url,
        contentType: 'application/json',
        queryParams: query,
        pathParams: { project_id: projectId, ...pathParams },
        headers,
        data: body,
      });
    },
  };
}

/** Runs fn and returns the SDK's exception; fails when fn succeeds. */
export async function sdkError(fn) {
  try {
    const result = await fn();
    throw new Error(`expected an error, got ${JSON.stringify(result)}`);
  } catch (error) {
    if (error.httpStatusCode === undefined) throw error;
    return error;
  }
}
