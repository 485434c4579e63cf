const WIDTH = 30;
/** Replays shorter than this draw no bar. */
const QUIET_BELOW = 20_000;

/**
 * A progress bar on stderr for a replay: redrawn in place on a terminal; elsewhere (a pipe, a log) a line at each
 * tenth. stdout is left to the report.
 */
export function progressBar(stream: NodeJS.WriteStream = process.stderr) {
  let lastTenth = -1;
  let drawn = false;
  const started = Date.now();
  return {
    update(position: number, upTo: number, from = 0) {
      if (upTo - from < QUIET_BELOW) return;
      const done = Math.min(1, (position - from) / (upTo - from));
      const seconds = (Date.now() - started) / 1000;
      const text = `replaying [${'#'.repeat(Math.round(done * WIDTH)).padEnd(WIDTH, '.')}] ${(done * 100).toFixed(0).padStart(3)}% position ${position}/${upTo} ${seconds.toFixed(1)} s`;
      if (stream.isTTY) {
        stream.write(`\r${text}`);
        drawn = true;
      } else if (Math.floor(done * 10) > lastTenth) {
        lastTenth = Math.floor(done * 10);
        stream.write(`${text}\n`);
      }
    },
    end() {
      if (drawn) stream.write('\n');
    },
  };
}
