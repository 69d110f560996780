// Starts a real Junction server process on a free loopback port with its own data folder, and stops it.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');

export const credentials = {
  projectId: '5f8e1c0a2b3d4e5f60718293a4b5c6d7',
  accountId: '100000000077',
  accessKey: 'CONFORMANCEAK0000001',
  secretKey: 'conformance-secret-key-0123456789abcdefgh',
  user: 'admin',
  password: 'conformance-password-123',
};

export function findDll() {
  if (process.env.JUNCTION_DLL) return process.env.JUNCTION_DLL;
  for (const config of ['Release', 'Debug']) {
    const candidate = path.join(root, 'src', 'Junction.Cli', 'bin', config, 'net10.0', 'junction.dll');
    if (existsSync(candidate)) return candidate;
  }
  throw new Error('junction.dll not found: build the solution first (scripts/test.sh does)');
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export async function startJunction(extraEnv = {}) {
  const port = await freePort();
  const data = mkdtempSync(path.join(tmpdir(), 'junction-conformance-'));
  const url = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    JUNCTION_PROJECT_ID: credentials.projectId,
    JUNCTION_ACCOUNT_ID: credentials.accountId,
    JUNCTION_ACCESS_KEY: credentials.accessKey,
    JUNCTION_SECRET_KEY: credentials.secretKey,
    JUNCTION_USER: credentials.user,
    JUNCTION_PASSWORD: credentials.password,
    Junction__LogFormat: 'text',
    // The test configuration: loopback egress only (design.md §3).
    Junction__Egress__Allow__0: '127.0.0.0/8',
    Logging__LogLevel__Default: 'Warning',
    // Set to run the suite against PostgreSQL instead of the embedded SQLite (a connection string).
    ...(process.env.JUNCTION_CONFORMANCE_DATABASE ? { Junction__Database: process.env.JUNCTION_CONFORMANCE_DATABASE } : {}),
    ...extraEnv,
  };
  const child = spawn('dotnet', [findDll(), 'serve', '--urls', url, '--data', data], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => { output += chunk; });
  child.stderr.on('data', (chunk) => { output += chunk; });

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`junction exited with ${child.exitCode}:\n${output}`);
    try {
      const response = await fetch(`${url}/readyz`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`junction did not become ready in 60 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    url,
    port,
    output: () => output,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(data, { recursive: true, force: true });
    },
  };
}
