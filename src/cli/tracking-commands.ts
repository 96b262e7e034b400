import type { Command } from 'commander';

/** `pharos experiments ...` and `pharos runs ...` */
export function registerTrackingCommands(_program: Command): void {}
