// The controller's traffic receiver in a process of its own (as in the controller), so its CPU is
// not taken from the load generator's event loop. Sends its address, then its line counts on request.
import { Registry } from 'prom-client';
import { TrafficMetrics } from '../src/controller/traffic-metrics.js';
import { TrafficReceiver } from '../src/controller/traffic-receiver.js';

const registry = new Registry();
const metrics = new TrafficMetrics(registry);
const receiver = new TrafficReceiver(metrics, registry);
const address = await receiver.start();
process.send!({ address });
process.on('message', async () => {
  const lines = (await registry.getSingleMetric('gatehouse_traffic_log_lines_total')!.get()).values;
  const dropped = (await registry.getSingleMetric('gatehouse_traffic_log_dropped_total')!.get()).values[0]?.value ?? 0;
  process.send!({ accepted: lines.find((v) => v.labels['result'] === 'accepted')?.value ?? 0, dropped });
});
process.on('disconnect', () => void receiver.stop().then(() => process.exit(0)));
