import { BOOLEAN, integerSchema } from '../../annotations/entry.js';
import { entry, type ConfigMapGroup } from '../entry.js';

/** nginx processes and what they tell clients. http://nginx.org/en/docs/ngx_core_module.html#worker_processes */
export const workersGroup: ConfigMapGroup = {
  id: 'workers',
  title: 'nginx workers and server tokens',
  entries: [
    entry({
      key: 'worker-processes',
      field: 'workerProcesses',
      kind: 'string',
      schema: { type: 'string', pattern: '^(?:auto|[1-9][0-9]{0,2})$' },
      maxLength: 4,
      default: 'auto',
      convert: ((value: string) => (value === 'auto' ? 'auto' : Number(value))) as (value: never) => number | 'auto',
      doc: 'Number of nginx worker processes; `auto`: one per CPU core.',
      renders: '`worker_processes` (main)',
      expects: 'auto or a whole number from 1 to 999',
      examples: ['auto', '2', '16'],
      refused: ['0', 'all', '1000', '-1'],
    }),
    entry({
      key: 'max-worker-connections',
      field: 'maxWorkerConnections',
      kind: 'integer',
      schema: integerSchema(64, 1_048_576),
      maxLength: 7,
      default: '16384',
      doc: 'Simultaneous connections per worker (clients and backends together).',
      renders: '`worker_connections` (events)',
      expects: 'a whole number from 64 to 1048576',
      examples: ['16384', '65536'],
      refused: ['0', '63', '2000000'],
      differs: '0 (ingress-nginx: take max-worker-open-files) is refused: Gatehouse does not set worker_rlimit_nofile',
    }),
    entry({
      key: 'server-tokens',
      field: 'serverTokens',
      kind: 'boolean',
      schema: BOOLEAN,
      maxLength: 5,
      default: 'false',
      doc: 'Send the nginx version in the `Server` header and on error pages.',
      renders: '`server_tokens` (http)',
      expects: 'true or false',
      examples: ['false', 'true'],
      refused: ['off'],
    }),
  ],
};
