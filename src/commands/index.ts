import { checkCommand } from './check.js';
import type { Command } from './command.js';
import { webhookCommand } from './webhook.js';

/** Every command, in `--help` order. */
export const COMMANDS: readonly Command[] = [webhookCommand, checkCommand];
