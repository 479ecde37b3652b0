// Where nginx's traffic log arrives: a UDP socket on 127.0.0.1 (nginx `access_log syslog:server=`).
// UDP rather than a unix datagram socket: node has no unix datagram sockets without a native addon
// (node:dgram is UDP only), and over UDP an nginx worker never waits for us: its send() to a full
// socket of ours succeeds and the kernel drops the datagram at our end, where /proc/net/udp counts
// it (a unix datagram send would fail with EAGAIN and nginx would log an error per request).
// Anyone inside the Pod's network namespace can send here: lines are checked (traffic-line.ts) and
// label sets capped (traffic-metrics.ts). https://nginx.org/en/docs/syslog.html
import dgram from 'node:dgram';
import { readFile } from 'node:fs/promises';
import { Counter, type Registry } from 'prom-client';
import { parseTrafficLine } from './traffic-line.js';
import type { TrafficMetrics } from './traffic-metrics.js';

/** Asked for; the kernel caps it at net.core.rmem_max. Room for bursts while the event loop is busy. */
const RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

/** Datagrams the kernel dropped at the socket bound to `port` on 127.0.0.1, from a /proc/net/udp text. */
export function udpDropsOf(procNetUdp: string, port: number): number | undefined {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const line of procNetUdp.split('\n')) {
    const cols = line.trim().split(/\s+/);
    if (cols[1] === local) {
      const drops = Number(cols[cols.length - 1]);
      return Number.isSafeInteger(drops) ? drops : undefined;
    }
  }
  return undefined;
}

export class TrafficReceiver {
  private socket: dgram.Socket | undefined;
  private lastDrops = 0;

  constructor(
    private readonly metrics: TrafficMetrics,
    registry: Registry,
  ) {
    const self = this;
    new Counter({
      name: 'gatehouse_traffic_log_dropped_total',
      help: 'Traffic log datagrams the kernel dropped because the controller did not read them in time (requests missing from the traffic metrics)',
      registers: [registry],
      async collect() {
        const port = self.port;
        if (port === undefined) return;
        const drops = udpDropsOf(await readFile('/proc/net/udp', 'utf8').catch(() => ''), port);
        if (drops !== undefined && drops > self.lastDrops) this.inc(drops - self.lastDrops);
        if (drops !== undefined) self.lastDrops = drops;
      },
    });
  }

  /** The bound port, once started. */
  get port(): number | undefined {
    const address = this.socket?.address();
    return address?.port;
  }

  /** Binds 127.0.0.1 on an OS-chosen port (or `port`); resolves to the `host:port` nginx sends to. */
  async start(port = 0): Promise<string> {
    const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: RECEIVE_BUFFER_BYTES });
    socket.on('message', (msg) => this.metrics.record(parseTrafficLine(msg)));
    // A receive error (none expected on a bound UDP socket) must not crash the controller.
    socket.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, '127.0.0.1', () => {
        socket.off('error', reject);
        resolve();
      });
    });
    this.socket = socket;
    return `127.0.0.1:${socket.address().port}`;
  }

  async stop(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
}
