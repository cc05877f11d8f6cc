import { describe, expect, it } from 'vitest';
import { Emitter } from '../../src/monitor/emitter.js';

describe('Emitter', () => {
  it('calls every handler once per emit, a handler subscribed twice only once, and not after unsubscribing', () => {
    const emitter = new Emitter<{ tick: number }>();
    const seen: string[] = [];
    const a = (n: number) => seen.push(`a${n}`);
    const offA = emitter.on('tick', a);
    emitter.on('tick', a);
    emitter.on('tick', (n) => seen.push(`b${n}`));
    emitter.emit('tick', 1);
    offA();
    emitter.emit('tick', 2);
    expect(seen).toEqual(['a1', 'b1', 'b2']);
  });

  it('a handler that unsubscribes another during an emit does not disturb that emit', () => {
    const emitter = new Emitter<{ tick: number }>();
    const seen: string[] = [];
    let offB: () => void = () => {};
    emitter.on('tick', () => {
      seen.push('a');
      offB();
    });
    offB = emitter.on('tick', () => seen.push('b'));
    emitter.emit('tick', 1);
    emitter.emit('tick', 2);
    expect(seen).toEqual(['a', 'b', 'a']);
  });
});
