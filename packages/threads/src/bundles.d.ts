/** The types of bundles.js (plain JavaScript: the CLI's launcher runs it before TypeScript can be loaded). */
import type { Metafile } from 'esbuild';

/** The directory of a bundle of `sources` made from the files as they are now, or null. */
export declare function cachedBundle(sources: readonly string[]): string | null;
/** A fresh directory in the cache to bundle `sources` into, or null when the cache cannot be written. */
export declare function newCacheDir(sources: readonly string[]): string | null;
/** Record a bundle made in `outdir` (from newCacheDir) as the one for `sources`; never throws. */
export declare function keepBundle(sources: readonly string[], outdir: string, metafile: Metafile, cwd: string): void;
/** Bundle `sources` (file URLs of TypeScript modules) into `outdir` as `entry-<i>.mjs` (and shared chunks, with `splitting`). */
export declare function buildBundle(sources: readonly string[], outdir: string, options: { readonly splitting: boolean; readonly ownUrls: boolean; readonly cwd: string }): Promise<Metafile>;
/** tsx's ESM API (`register`, `tsImport`), resolved from this package. */
export declare const TSX_API: string;
/** Import `entry` (a TypeScript module's file URL) as this process's program: from a kept or fresh bundle, else through tsx. */
export declare function importBundled(entry: string): Promise<unknown>;
