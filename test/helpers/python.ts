import { execFileSync } from 'node:child_process';

/** Whether /usr/bin/python3 imports every module named (e.g. `pythonHas('numpy')`); tests that need them skip otherwise. */
export function pythonHas(...modules: string[]): boolean {
  try {
    execFileSync('/usr/bin/python3', ['-c', modules.map((m) => `import ${m}`).join('; ')], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
