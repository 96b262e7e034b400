import type { Command } from 'commander';

/** `pharos models ...` */
export function registerRegistryCommands(_program: Command): void {}
