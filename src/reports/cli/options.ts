/** `--name value` options after the positional arguments: the values by name (a flag without a value is 'true'). */
export function parseOptions(args: string[]): { positional: string[]; options: Record<string, string> } {
  const positional: string[] = [];
  const options: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const next = args[i + 1];
    if (next === undefined || next.startsWith('--')) options[arg.slice(2)] = 'true';
    else options[arg.slice(2)] = args[++i]!;
  }
  return { positional, options };
}

/** Writes chunks to stdout, waiting whenever its buffer is full (a large report never sits in memory). */
export async function writeAll(chunks: Iterable<string>, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  for (const chunk of chunks) {
    if (!out.write(chunk)) await new Promise((resolve) => out.once('drain', resolve));
  }
}
