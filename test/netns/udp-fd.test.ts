// UdpFd and waitReadable through src/io/linux, each test in a network namespace of its own.
import { test } from 'node:test';
import { runCaseInNetns } from './linux-io-netns.js';

test('sendTo and receiveMany on 127.0.0.1 carry data, source address and port', (t) => runCaseInNetns(t, 'udp-v4'));
test('sendTo and receiveMany on ::1; a v6-only socket leaves its port to an IPv4 socket', (t) => runCaseInNetns(t, 'udp-v6'));
test('sendSegments of 10 segments arrives as 10 datagrams', (t) => runCaseInNetns(t, 'gso'));
test('a GRO socket gets one GSO send as one message with its segment size', (t) => runCaseInNetns(t, 'gro'));
test('sends carry the outer TTL and TOS asked for, and a receiving socket reports them', (t) => runCaseInNetns(t, 'marking'));
test('waitReadable times out, then reports which fds are readable, and -1 for a closed fd', (t) => runCaseInNetns(t, 'poll'));
test('a worker receiving with waitReadable and a stop flag gets every datagram and stops', (t) => runCaseInNetns(t, 'worker'));
