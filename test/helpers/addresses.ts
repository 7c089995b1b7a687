// Loopback address blocks. Every test file that binds 127.x.y.z addresses in the machine's own
// network namespace has a /24 of 127.0.0.0/8 to itself, so test files running in parallel (node
// runs several at once, --test-concurrency) never bind the same address and port, and an
// address a test relies on nobody answering at stays silent. Files that run their sockets inside
// a network namespace they created are listed as 'netns': their loopback is their own.
// test/unit/addresses.test.ts checks that every 127.x.y.z written in test/ and bench/ lies in the
// block of its file, and that no two files share a block.
export const LOOPBACK_BLOCKS: Readonly<Record<string, string>> = {
  'test/integration/control-plane.test.ts': '127.0.1.0/24',
  'test/integration/daemon.test.ts': '127.0.2.0/24',
  'test/integration/api.test.ts': '127.0.3.0/24',
  'test/integration/itr.test.ts': '127.0.4.0/24',
  'test/integration/ms-workers.test.ts': '127.0.5.0/24',
  'test/integration/tshark-capture.test.ts': '127.0.6.0/24',
  'test/unit/cli/lig.test.ts': '127.0.7.0/24',
  'test/unit/io/network.test.ts': '127.0.8.0/24',
  'test/integration/ms-workers-limits.test.ts': '127.0.9.0/24',
  'test/integration/daemon-safety.test.ts': '127.0.20.0/24',
  'test/unit/dataplane/mapping-socket.test.ts': '127.0.10.0/24',
  'test/integration/ddt.test.ts': '127.0.21.0/24',
  'test/unit/cli/rig.test.ts': '127.0.22.0/24',
  'bench/ms.ts': '127.0.90.0/24',
  'bench/startup.ts': '127.0.91.0/24',
  // Ephemeral ports on 127.0.0.1 only (senders of bench/ms, which runs alone).
  'bench/ms-load.ts': '127.0.0.1/32',
  'test/netns/udp-fd.test.ts': 'netns',
  'test/netns/linux-io-cases.ts': 'netns',
  'bench/udp-fd.ts': 'netns',
};
