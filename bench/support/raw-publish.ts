/** Where bench/gateway.ts asks its gateway node (gateway-node.ts) for raw publishes. */
export const rawPublishChannel = (prefix: string) => `${prefix}:bench:raw-publish`;

/** `count` frames padded to `size` bytes for the sockets of `topic`: `perTick` per turn of the loop, or every `intervalMs`. */
export interface RawPublish {
  topic: string;
  count: number;
  perTick?: number;
  size?: number;
  intervalMs?: number;
}

/**
 * The benchmark's ceiling: raw uWS publishes, bypassing the event pipeline, in slices so the node's loop keeps
 * turning; `stopped` ends them early (the node is closing).
 */
export function rawPublish(publish: (topic: string, message: string) => void, request: RawPublish, stopped: () => boolean): void {
  const { topic, count, perTick = 50, size = 0, intervalMs = 0 } = request;
  let i = 0;
  const step = () => {
    for (let n = 0; n < perTick && i < count; n++, i++) {
      const head = `{"op":"BENCH","d":{"i":${i},"at":${Date.now()},"pad":"`;
      publish(topic, `${head}${'x'.repeat(Math.max(0, size - head.length - 3))}"}}`);
    }
    if (i < count && !stopped()) {
      if (intervalMs > 0) setTimeout(step, intervalMs);
      else setImmediate(step);
    }
  };
  step();
}
