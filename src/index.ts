export { createPharos, type Pharos, type PharosConfig } from './app.ts';
export { buildServer } from './server/index.ts';
export { PharosError } from './core/errors.ts';
