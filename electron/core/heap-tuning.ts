/**
 * Heap headroom for processes that stream file bytes (the uploader, the app, storage providers).
 *
 * Streaming allocates young objects fast, so V8 grows the young generation to its maximum (two
 * 16 MiB semi-spaces). V8 starts marking the old generation whenever the room left under its limit
 * is smaller than the young generation — and with its default growing factor (about 2× the live
 * heap) a process with a 25 MiB heap never has that much room: measured with --trace-gc on a
 * provider receiving 1 GiB, a full mark-compact every 100–150 ms, ~85 per GiB, a quarter of its CPU
 * (perf). Letting the old generation grow to 3× its live size after each collection leaves room
 * for the young generation, and the storm stops (3–4 mark-compacts per GiB) for a few tens of MiB
 * more heap. Set at run time so it holds however the process was started (node, Electron, npm).
 */
import { setFlagsFromString } from 'node:v8';

export const HEAP_GROWING_PERCENT = 200;

/** Call first thing in a process's entry point. */
export function tuneHeapForStreaming(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
