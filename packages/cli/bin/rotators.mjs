#!/usr/bin/env node
// `rotators` (npx rotators … from the repository): the CLI runs from its TypeScript sources, the
// same files the rotation functions are built from, through tsx.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
