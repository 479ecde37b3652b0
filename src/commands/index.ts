import { certgenCreateCommand, certgenPatchCommand } from './certgen.js';
import { checkCommand } from './check.js';
import type { Command } from './command.js';
import { controllerCommand } from './controller.js';
import { renderCommand } from './render.js';
import { webhookCommand } from './webhook.js';

/** Every command, in `--help` order. */
export const COMMANDS: readonly Command[] = [webhookCommand, checkCommand, certgenCreateCommand, certgenPatchCommand, controllerCommand, renderCommand];
