#!/usr/bin/env node
/**
 * The `pathways` command: the CLI (src/main.ts) started from a bundle kept
 * between runs (@leerroutes/threads/bundles), made again whenever a source
 * changed, so that a command does not spend a second and more loading the
 * CLI's modules one by one through tsx. Plain JavaScript: it runs before
 * anything could load TypeScript.
 */
import { importBundled } from '@leerroutes/threads/bundles';

await importBundled(new URL('../src/main.ts', import.meta.url).href);
