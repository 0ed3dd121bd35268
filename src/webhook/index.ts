/**
 * `startorder webhook` and `startorder webhook certs`: the admission adapter of the pipeline (see
 * docs/webhook.md). Loaded by src/cli/tools.ts only when one of them is called.
 */
import { ExitCode } from '../exit-codes.js';
import { certsCommand, parseCertsFlags } from './certs.js';
import { parseWebhookFlags, startWebhook, WEBHOOK_USAGE, WebhookUsageError } from './command.js';
import { ApiError, ConfigError } from './kube.js';
import { OpensslError } from './openssl.js';

export interface WebhookIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Resolves when the process is asked to stop (SIGTERM, SIGINT); tests pass their own. */
  stopSignal?: Promise<unknown>;
  /** How long admissions are still answered after the signal; default DRAIN_MS. */
  drainMs?: number;
}

/** After SIGTERM: answer for this long while the pod leaves the Service's endpoints, then close. */
export const DRAIN_MS = 5000;

function signalled(): Promise<string> {
  return new Promise((resolve) => {
    for (const s of ['SIGTERM', 'SIGINT'] as const) process.once(s, () => resolve(s));
  });
}

async function certs(argv: readonly string[], io: WebhookIO): Promise<number> {
  const f = parseCertsFlags(argv);
  if (f === 'help') return (io.stdout(`${WEBHOOK_USAGE}\n`), ExitCode.ok);
  try {
    return await certsCommand(f, io);
  } catch (e) {
    if (e instanceof ConfigError || e instanceof OpensslError) return (io.stderr(`startorder: ${e.message}\n`), ExitCode.usage);
    if (e instanceof ApiError) return (io.stderr(`startorder: ${e.message}\n`), ExitCode.unreachable);
    throw e;
  }
}

/** Runs `webhook …` (until a signal) or `webhook certs …`; returns the exit code, never throws a usage error. */
export async function webhookCommand(argv: readonly string[], io: WebhookIO): Promise<number> {
  try {
    if (argv[0] === 'certs') return await certs(argv.slice(1), io);
    const f = parseWebhookFlags(argv);
    if (f === 'help') return (io.stdout(`${WEBHOOK_USAGE}\n`), ExitCode.ok);
    const running = await startWebhook(f);
    const why = await (io.stopSignal ?? signalled());
    // the endpoints controller and kube-proxy take a moment to stop sending here: keep answering
    running.drain();
    process.stdout.write(`${JSON.stringify({ stopping: String(why), drainMs: DRAIN_MS })}\n`);
    await new Promise((r) => setTimeout(r, io.drainMs ?? DRAIN_MS));
    await running.close();
    return ExitCode.ok;
  } catch (e) {
    const usage = e instanceof WebhookUsageError || (e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS');
    if (!usage) throw e;
    io.stderr(`startorder webhook: ${(e as Error).message}\nRun \`startorder webhook --help\` for usage.\n`);
    return ExitCode.usage;
  }
}
