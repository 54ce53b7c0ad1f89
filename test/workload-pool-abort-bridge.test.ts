import { describe, expect, it } from 'vitest';
import { AbortBridge } from '../src/workers/workload-pool.js';

/** What piscina does with a task's signal (piscina/dist/abort.js, onabort, the EventEmitter form). */
function onabort(signal: AbortBridge, listener: () => void): () => void {
  signal.once('abort', listener);
  return () => signal.removeListener('abort', listener);
}

describe('the abort bridge piscina gets for a task signal', () => {
  it('calls the listeners still added, once, when its signal aborts, and passes on aborted and reason', () => {
    const controller = new AbortController();
    const bridge = new AbortBridge(controller.signal);
    const calls: string[] = [];
    // a finished task's listener is removed; two tasks in flight on one signal each keep theirs
    onabort(bridge, () => calls.push('finished'))();
    onabort(bridge, () => calls.push('first'));
    const removeSecond = onabort(bridge, () => calls.push('second'));
    onabort(bridge, () => calls.push('third'));
    removeSecond();
    expect(bridge.aborted).toBe(false);
    controller.abort('task timeout');
    expect(calls).toEqual(['first', 'third']);
    expect(bridge.aborted).toBe(true);
    expect(bridge.reason).toBe('task timeout');
    controller.abort('again');
    expect(calls).toEqual(['first', 'third']);
  });

  it('removes only the listener it is given, and the same listener added twice needs two removals', () => {
    const controller = new AbortController();
    const bridge = new AbortBridge(controller.signal);
    let count = 0;
    const listener = () => count++;
    bridge.once('abort', listener);
    bridge.once('abort', listener);
    bridge.off('abort', () => {});
    bridge.off('abort', listener);
    controller.abort();
    expect(count).toBe(1);
  });
});
