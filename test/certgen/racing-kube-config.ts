// A concurrent writer at the worst moment, for conflict tests on the real API server: another
// writer (a second Job run, a GitOps sync) changes the object after certgen has read it and
// before certgen's write reaches the API server. The 409 that follows is the API server's own
// optimistic concurrency (https://kubernetes.io/docs/reference/using-api/api-concepts/#conflicts),
// not an injected answer.
import { KubeConfig } from '@kubernetes/client-node';

type RequestContext = Parameters<KubeConfig['applySecurityAuthentication']>[0];

export interface Race {
  /** The request certgen is about to send, e.g. `PUT` and `/api/v1/namespaces/ns/secrets/name`. */
  readonly method: string;
  readonly path: string;
  /** How many of those requests the writer runs ahead of (default 1). */
  readonly times?: number;
  /** The other writer's change; `n` counts from 1. */
  readonly write: (n: number) => Promise<void>;
}

/**
 * The kubeconfig at `path`, with `race.write` run before each of the next `race.times` requests
 * `race.method race.path`. client-node asks the KubeConfig to authenticate every request just
 * before sending it, which is where the writer gets its turn.
 */
export function racingKubeConfig(path: string, race: Race): KubeConfig {
  const kc = new RacingKubeConfig(race);
  kc.loadFromFile(path);
  return kc;
}

class RacingKubeConfig extends KubeConfig {
  private raced = 0;

  constructor(private readonly race: Race) {
    super();
  }

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    const { method, path, times = 1, write } = this.race;
    if (context.getHttpMethod() === method && new URL(context.getUrl()).pathname === path && this.raced < times) {
      // Whatever certgen makes of an error here, the message names its origin.
      await write(++this.raced).catch((err: unknown) => {
        throw new Error(`the racing writer failed: ${(err as Error).message}`, { cause: err });
      });
    }
    return super.applySecurityAuthentication(context);
  }
}
