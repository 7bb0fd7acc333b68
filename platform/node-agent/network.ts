// Pod networking without a container runtime: each pod gets its own Linux network namespace (so every
// pod has its own 127.0.0.1 and ports, as in Kubernetes), a veth into the node's bridge and an IP from the
// node's pod CIDR. Service names resolve through a per-pod hosts file (`ip netns exec` bind-mounts
// /etc/netns/<ns>/hosts over /etc/hosts), and the service account token is bind-mounted where
// client-go's in-cluster config looks for it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

function ip(args: string[], allowFail = false): void {
  try {
    execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    if (!allowFail)
      throw new Error(`ip ${args.join(' ')}: ${(e as { stderr?: Buffer }).stderr?.toString().trim()}`);
  }
}

export interface PodNet {
  ns: string;
  ip: string;
  hostsFile: string;
  release(): void;
}

export class PodNetworks {
  private readonly used = new Set<number>();
  private readonly prefix: string;

  constructor(
    private readonly bridge: string,
    podCidr: string,
    private readonly gateway: string,
  ) {
    const m = /^(\d+\.\d+\.\d+)\.0\/24$/.exec(podCidr);
    if (!m?.[1]) throw new Error(`pod CIDR ${podCidr}: this node hands out addresses from a /24 only`);
    this.prefix = m[1];
  }

  /** A namespace with lo + eth0 (veth into the bridge) and a default route via the node. */
  create(): PodNet {
    let n = 2;
    while (this.used.has(n)) n++;
    if (n > 254) throw new Error(`pod CIDR ${this.prefix}.0/24 is full`);
    this.used.add(n);
    const ns = `${this.bridge}-${n}`;
    const hostSide = `tfv${this.bridge.replace(/\D/g, '')}x${n}`.slice(0, 15);
    const address = `${this.prefix}.${n}`;
    ip(['netns', 'del', ns], true);
    ip(['link', 'del', hostSide], true);
    ip(['netns', 'add', ns]);
    ip(['link', 'add', hostSide, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    ip(['link', 'set', hostSide, 'master', this.bridge]);
    ip(['link', 'set', hostSide, 'up']);
    ip(['-n', ns, 'link', 'set', 'lo', 'up']);
    ip(['-n', ns, 'addr', 'add', `${address}/24`, 'dev', 'eth0']);
    ip(['-n', ns, 'link', 'set', 'eth0', 'up']);
    ip(['-n', ns, 'route', 'add', 'default', 'via', this.gateway]);
    const etc = join('/etc/netns', ns);
    mkdirSync(etc, { recursive: true });
    const hostsFile = join(etc, 'hosts');
    writeFileSync(hostsFile, '127.0.0.1 localhost\n');
    return {
      ns,
      ip: address,
      hostsFile,
      release: () => {
        ip(['netns', 'del', ns], true);
        ip(['link', 'del', hostSide], true);
        rmSync(etc, { recursive: true, force: true });
        this.used.delete(n);
      },
    };
  }
}

/**
 * argv that runs `command` inside the pod's namespace, with the pod's hosts file, its service account
 * directory (when the pod mounts one) and death-on-parent-exit, so no process outlives the agent.
 */
export function inPod(net: PodNet, serviceAccountDir: string | undefined, command: string, args: string[]) {
  const exec = ['/usr/bin/setpriv', '--pdeathsig', 'KILL', '--', command, ...args];
  if (!serviceAccountDir) return { command: 'ip', args: ['netns', 'exec', net.ns, ...exec] };
  mkdirSync(SERVICE_ACCOUNT_DIR, { recursive: true });
  // `ip netns exec` already gave the child a private mount namespace: the bind mount is the pod's alone.
  const script = 'mount --bind "$1" "$2" && shift 2 && exec "$@"';
  return {
    command: 'ip',
    args: [
      'netns',
      'exec',
      net.ns,
      '/bin/sh',
      '-c',
      script,
      'pod',
      serviceAccountDir,
      SERVICE_ACCOUNT_DIR,
      ...exec,
    ],
  };
}
