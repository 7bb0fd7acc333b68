import { execFileSync } from 'node:child_process';
import { PlatformError } from './kube.ts';

/** The short SHA of HEAD: the tag images are built and deployed with. */
export function gitSha(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    throw new PlatformError('Could not read the git SHA for the image tag; pass --tag <tag>');
  }
}
