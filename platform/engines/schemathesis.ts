// schemathesis (PyPI) for the fuzzing tier, in a virtualenv cached by version:
// ~/.cache/todo-fn/schemathesis-<ver>/ made by get-schemathesis.sh (the CLI is bin/st).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runEngineScript } from './proc.ts';

export const SCHEMATHESIS_HINT =
  'schemathesis comes from platform/engines/get-schemathesis.sh (needs python3 with venv and PyPI; run it by hand to see why).';

/**
 * PYTHONPATH for the `st` process: schemathesis-python/sitecustomize.py works around a CPython 3.11.7 bug
 * that can crash a run inside Hypothesis (see the file).
 */
export const SCHEMATHESIS_PYTHONPATH = new URL('./schemathesis-python', import.meta.url).pathname;

/** The `st` CLI of the cached venv. Always asks get-schemathesis.sh, which answers at once when cached. */
export async function ensureSchemathesis(): Promise<string> {
  const venv = (await runEngineScript('get-schemathesis.sh')).split('\n').pop() ?? '';
  const st = join(venv, 'bin', 'st');
  if (!existsSync(join(venv, '.complete')) || !existsSync(st)) {
    throw new Error(
      `get-schemathesis.sh did not produce a venv with bin/st (got "${venv}"). ${SCHEMATHESIS_HINT}`,
    );
  }
  return st;
}
