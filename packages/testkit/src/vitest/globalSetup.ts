/** One moto server per test project, shared by its files (each test uses its own secrets). */
import type { TestProject } from 'vitest/node';
import { startMoto } from '../moto.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    motoEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const moto = await startMoto();
  project.provide('motoEndpoint', moto.endpoint);
  return () => moto.stop();
}
