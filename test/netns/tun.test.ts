// TUN devices through src/io/linux, each test in a network namespace of its own.
import { test } from 'node:test';
import { runCaseInNetns } from './linux-io-netns.js';

test('a datagram the kernel routes to 198.18.0.2 is read from the TUN as an IPv4 packet', (t) => runCaseInNetns(t, 'tun-read'));
test('an IPv4/UDP packet written to the TUN reaches a socket', (t) => runCaseInNetns(t, 'tun-write'));
