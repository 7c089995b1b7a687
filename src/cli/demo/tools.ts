// Whether a system tool is installed (for commands that drive ip, ping, iperf3).
import { spawnSync } from 'node:child_process';

export function hasToolOnPath(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
}
