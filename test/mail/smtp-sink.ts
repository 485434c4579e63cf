import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * A real SMTP server on 127.0.0.1 for the SMTP adapter's tests: Python's standard-library `smtpd` (present up to
 * Python 3.11; no network needed). Each message it takes is printed as one JSON line, which `received` collects. It
 * refuses mail for `nobody@…` for good (550) and asks to retry mail for `later@…` (451).
 */
const SERVER = `
import asyncore, json, smtpd, sys, warnings
warnings.simplefilter('ignore')
class Sink(smtpd.SMTPServer):
    def process_message(self, peer, mailfrom, rcpttos, data, **kwargs):
        if any(r.startswith('nobody@') for r in rcpttos):
            return '550 5.1.1 no such user here'
        if any(r.startswith('later@') for r in rcpttos):
            return '451 4.3.0 try again later'
        print(json.dumps({'from': mailfrom, 'to': rcpttos, 'data': data.decode('utf-8', 'replace')}), flush=True)
server = Sink(('127.0.0.1', 0), None, decode_data=False)
print(json.dumps({'port': server.socket.getsockname()[1]}), flush=True)
asyncore.loop()
`;

export interface ReceivedMail {
  from: string;
  to: string[];
  data: string;
}

/** Why a local SMTP server cannot be started here, or null when it can. */
export function smtpSinkUnavailable(): string | null {
  const probe = spawnSync('python3', ['-W', 'ignore', '-c', 'import smtpd, asyncore'], { encoding: 'utf8' });
  if (probe.error) return `python3 is not installed (${probe.error.message})`;
  return probe.status === 0 ? null : `python3 has no smtpd module (removed in Python 3.12): ${probe.stderr.trim().split('\n').at(-1)}`;
}

export async function startSmtpSink(): Promise<{ url: string; received: ReceivedMail[]; stop(): void }> {
  const child: ChildProcess = spawn('python3', ['-W', 'ignore', '-c', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const received: ReceivedMail[] = [];
  const lines = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the SMTP sink exited with ${code}`)));
    lines.on('line', (line) => {
      const parsed = JSON.parse(line) as { port?: number } & ReceivedMail;
      if (parsed.port !== undefined) resolve(parsed.port);
      else received.push(parsed);
    });
  });
  return { url: `smtp://127.0.0.1:${port}`, received, stop: () => child.kill() };
}
