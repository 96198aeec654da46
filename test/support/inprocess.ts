// Runs the plugin in this process, as cmd/kubectl-sticky.ts does, with an Io that records what a
// terminal would show (through the same safeText as the process's Io) and the real API client, or
// the one a test passes.

import { safeText } from '../../src/errors.ts';
import { main } from '../../src/cli/app.ts';
import { realConnect, type Io } from '../../src/cli/io.ts';
import type { Connect } from '../../src/kube/api.ts';

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** `env`: the environment the command sees (none by default); `connect`: the API the command reaches (test/support/memory-api.ts), the real client by default; `signal` ends a --watch. */
export async function runSticky(
  words: readonly string[],
  options: { stdin?: string; env?: Record<string, string>; connect?: Connect; signal?: AbortSignal } = {},
): Promise<Ran> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    out: (text) => {
      stdout += `${safeText(text)}\n`;
    },
    write: (text) => {
      stdout += safeText(text);
    },
    err: (text) => {
      stderr += `${safeText(text)}\n`;
    },
    stdin: () => options.stdin ?? '',
  };
  const code = await main(
    words,
    { io, connect: options.connect ?? realConnect, env: options.env ?? {}, ...(options.signal ? { signal: options.signal } : {}) },
    { version: '0.0.0-test', width: 100 },
  );
  return { code, stdout, stderr };
}
