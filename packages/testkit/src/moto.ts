/**
 * moto in server mode: the local Secrets Manager (and Lambda, IAM, KMS, Logs for Terraform).
 * Runs from the venv that scripts/setup.sh creates from PyPI.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { freePort } from './freePort.ts';
import { motoPython } from './paths.ts';

export interface MotoServer {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

export async function startMoto(options: { port?: number } = {}): Promise<MotoServer> {
  if (!existsSync(motoPython)) {
    throw new Error(`moto is not installed at ${motoPython}: run "npm run setup" (creates .local/moto-venv from PyPI)`);
  }
  const port = options.port ?? (await freePort());
  const child = spawn(motoPython, ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    env: { ...process.env, MOTO_IAM_LOAD_MANAGED_POLICIES: 'true' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntilUp(endpoint, child, () => stderr);
  // No Docker here: moto must never try to run a Lambda, only record it.
  await fetch(`${endpoint}/moto-api/config`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ lambda: { use_docker: false } }),
  });
  return {
    endpoint,
    port,
    stop: () => stopChild(child),
  };
}

async function waitUntilUp(endpoint: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto exited with code ${child.exitCode}: ${stderr()}`);
    try {
      const response = await fetch(`${endpoint}/moto-api/`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`moto did not start within 60 s: ${stderr()}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    child.once('exit', () => resolveStop());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
}
