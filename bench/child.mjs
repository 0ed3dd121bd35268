// Runs one measured process: the real CLI (`cli`), the floor (`floor`: the yaml package parsing and
// printing the same stream, nothing else), or nothing (`empty`). Reports peak RSS on stderr as JSON.
import { readFileSync, writeSync } from 'node:fs';

const [what, ...args] = process.argv.slice(2);
if (what === 'cli') {
  const { cli } = await import('../dist/bundle/cli.js');
  const { nodeIO } = await import('../dist/bundle/io.js');
  const io = { ...nodeIO(), argv: args, stdout: (t) => void writeSync(1, t) };
  process.exitCode = await cli(io);
} else if (what === 'floor') {
  const { parseAllDocuments } = await import('yaml');
  const text = readFileSync(args[0], 'utf8');
  const out = parseAllDocuments(text, { version: '1.1' })
    .map((d) => d.toString({ lineWidth: 0 }))
    .join('');
  writeSync(1, out);
}
process.on('exit', () => process.stderr.write(`\n${JSON.stringify({ maxRSSKiB: process.resourceUsage().maxRSS })}\n`));
