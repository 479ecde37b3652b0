import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { GatehouseError } from '../errors.js';
import type { AdmissionPolicy } from './action.js';
import { parsePolicyFile, withOverrides } from './policy-file.js';

/**
 * Watches `--policy-file` (a mounted ConfigMap key, typically) and keeps the policy the webhook
 * uses. Polls like CertReloader: the kubelet updates a mounted ConfigMap by swapping a `..data`
 * symlink, which inotify on the file never reports
 * (https://kubernetes.io/docs/concepts/configuration/configmap/#mounted-configmaps-are-updated-automatically).
 * It parses only when the bytes changed; a bad file is logged with the reason and the last good
 * policy stays in force.
 */
export class PolicyReloader {
  private lastText: string | undefined;
  private lastError: string | undefined;
  private policy: AdmissionPolicy;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly file: string,
    private readonly base: AdmissionPolicy,
    private readonly ruleIds: readonly string[],
    private readonly logger: Logger,
    /** Told after each new policy is applied (the background report re-judges with it). */
    private readonly onChange: () => void = () => {},
  ) {
    this.policy = base;
  }

  /** The policy in force. */
  readonly current = (): AdmissionPolicy => this.policy;

  /** Reads the file once; throws if it is unreadable or invalid (startup must fail loudly). */
  async load(): Promise<AdmissionPolicy> {
    const outcome = await this.read();
    if ('error' in outcome) throw new GatehouseError('USAGE', `--policy-file ${this.file}: ${outcome.error}`);
    this.swap(outcome.text, outcome.policy);
    return this.policy;
  }

  /** Checks the file now; returns true when a new policy was applied. */
  async check(): Promise<boolean> {
    const outcome = await this.read();
    if ('error' in outcome) {
      // Said once per distinct problem, not on every poll.
      if (outcome.error !== this.lastError) {
        this.logger.error({ file: this.file, reason: outcome.error }, 'policy file refused; keeping the last good policy');
        this.lastError = outcome.error;
      }
      return false;
    }
    this.lastError = undefined;
    if (outcome.text === this.lastText) return false;
    this.swap(outcome.text, outcome.policy);
    this.logger.info({ file: this.file, mode: this.policy.mode, actions: this.policy.actions }, 'policy reloaded');
    this.onChange();
    return true;
  }

  start(intervalMs = 5_000): void {
    this.timer = setInterval(() => void this.check(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private swap(text: string, policy: AdmissionPolicy): void {
    this.lastText = text;
    this.policy = policy;
  }

  private async read(): Promise<{ text: string; policy: AdmissionPolicy } | { error: string }> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return { error: code === 'ENOENT' ? 'the file does not exist' : `cannot read the file (${(err as Error).message})` };
    }
    // A ConfigMap holds at most 1 MiB; anything larger is not a policy.
    if (text.length > 1024 * 1024) return { error: 'the file is larger than 1 MiB' };
    if (text === this.lastText) return { text, policy: this.policy };
    const parsed = parsePolicyFile(text, this.ruleIds);
    if ('error' in parsed) return parsed;
    return { text, policy: withOverrides(this.base, parsed.overrides) };
  }
}
