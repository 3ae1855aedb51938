/** Starts one worker on echo-worker.ts, prints the URL it runs from, and exits: a process of bundles.test.ts. */
import { sourceWorker } from '../../src/index.js';

const ECHO = new URL('./echo-worker.ts', import.meta.url).href;
const GREETING = new URL('./greeting.ts', import.meta.url).href;
const worker = sourceWorker(ECHO, { workerData: { module: GREETING }, modules: [GREETING] });
const m = await new Promise<Record<string, unknown>>((resolve, reject) => { worker.once('message', resolve); worker.once('error', reject); });
await worker.terminate();
process.stdout.write(`${String(m['url'])} ${String(m['value'])}\n`);
