import { parentPort, workerData } from 'node:worker_threads';
import { version } from 'esbuild';
import { double, type Doubled } from './double.js';

/** Says where it runs from and what the module it is given says: a worker started by the threads.test.ts spec. */
const { module } = workerData as { module: string };
const given = (await import(module)) as { greeting: (name: string) => string };
const out: Doubled = double(21);
parentPort!.postMessage({ url: import.meta.url, module, value: out.value, greeting: given.greeting('worker'), esbuild: version });
