// The byte layouts of src/io/linux and its platform check: pure, no system calls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addressBytes,
  cmsgSpace,
  getU64,
  putU64,
  readIfreqName,
  readSockaddr,
  writeIfreq,
  writeSockaddr,
} from '../../../../src/io/linux/structs.js';
import { SysError, assertLinux, errnoName } from '../../../../src/io/linux/libc.js';

const view = (bytes: Uint8Array): DataView => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

test('64-bit pointers and sizes are stored little-endian from safe integers', () => {
  const b = new Uint8Array(16);
  putU64(view(b), 4, 0x7f12_3456_789a);
  assert.deepEqual([...b.subarray(4, 12)], [0x9a, 0x78, 0x56, 0x34, 0x12, 0x7f, 0, 0]);
  assert.equal(getU64(view(b), 4), 0x7f12_3456_789a);
  putU64(view(b), 0, 18);
  assert.equal(getU64(view(b), 0), 18);
});

test('sockaddr_in: family, big-endian port, address, zero padding', () => {
  const b = new Uint8Array(40).fill(0xee);
  assert.equal(writeSockaddr(view(b), 8, 4, Uint8Array.of(192, 0, 2, 7), 4341), 16);
  assert.deepEqual([...b.subarray(8, 24)], [2, 0, 0x10, 0xf5, 192, 0, 2, 7, 0, 0, 0, 0, 0, 0, 0, 0]);
  const out = new Uint8Array(16);
  assert.equal(readSockaddr(b, 8, out, 0), 4341 | (4 << 16));
  assert.deepEqual([...out.subarray(0, 4)], [192, 0, 2, 7]);
});

test('sockaddr_in6: 16-byte address, and a 4-byte address as IPv4-mapped', () => {
  const b = new Uint8Array(28).fill(0xee);
  const a = addressBytes('2001:db8::42');
  assert.equal(writeSockaddr(view(b), 0, 6, a, 4342), 28);
  assert.deepEqual([...b.subarray(0, 8)], [10, 0, 0x10, 0xf6, 0, 0, 0, 0]);
  assert.deepEqual([...b.subarray(8, 24)], [...a]);
  assert.deepEqual([...b.subarray(24, 28)], [0, 0, 0, 0]);
  const out = new Uint8Array(16);
  assert.equal(readSockaddr(b, 0, out, 0), 4342 | (16 << 16));
  assert.deepEqual([...out], [...a]);
  writeSockaddr(view(b), 0, 6, Uint8Array.of(203, 0, 113, 9), 1);
  assert.deepEqual([...b.subarray(8, 24)], [...addressBytes('::ffff:203.0.113.9')]);
});

test('sockaddr: wrong address sizes and unknown families', () => {
  const b = new Uint8Array(28);
  assert.throws(() => writeSockaddr(view(b), 0, 4, new Uint8Array(16), 1), RangeError);
  assert.throws(() => writeSockaddr(view(b), 0, 6, new Uint8Array(5), 1), RangeError);
  b[0] = 1; // AF_UNIX
  assert.equal(readSockaddr(b, 0, new Uint8Array(16), 0), -1);
});

test('addresses from text or bytes', () => {
  assert.deepEqual([...addressBytes('198.51.100.1')], [198, 51, 100, 1]);
  assert.deepEqual([...addressBytes('::1')], [...new Array<number>(15).fill(0), 1]);
  assert.deepEqual([...addressBytes('2001:db8:1:2:3:4:5:6')], [0x20, 1, 0xd, 0xb8, 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6]);
  const src = Uint8Array.of(192, 0, 2, 1);
  const copy = addressBytes(src);
  assert.deepEqual(copy, src);
  assert.notEqual(copy, src);
  assert.throws(() => addressBytes('192.0.2.256'), /bad IP address/);
  assert.throws(() => addressBytes('example.com'), /bad IP address/);
  assert.throws(() => addressBytes(new Uint8Array(6)), RangeError);
});

test('ifreq: name and flags, with the kernel name limits', () => {
  const b = new Uint8Array(40).fill(0xff);
  writeIfreq(b, 'loci0', 0x1001);
  assert.deepEqual([...b.subarray(0, 6)], [0x6c, 0x6f, 0x63, 0x69, 0x30, 0]);
  assert.deepEqual([...b.subarray(16, 18)], [0x01, 0x10]);
  assert.deepEqual([...b.subarray(18)], new Array<number>(22).fill(0));
  assert.equal(readIfreqName(b), 'loci0');
  writeIfreq(b, '', 1);
  assert.equal(readIfreqName(b), '');
  writeIfreq(b, 'a'.repeat(15), 1);
  assert.equal(readIfreqName(b), 'a'.repeat(15));
  assert.throws(() => writeIfreq(b, 'a'.repeat(16), 1), /longer than 15/);
  assert.throws(() => writeIfreq(b, 'a/b', 1), /bad interface name/);
});

test('cmsg space rounds the data up to 8 bytes after the 16-byte header', () => {
  assert.equal(cmsgSpace(2), 24);
  assert.equal(cmsgSpace(4), 24);
  assert.equal(cmsgSpace(8), 24);
  assert.equal(cmsgSpace(9), 32);
});

test('the layer refuses platforms whose layouts it does not know', () => {
  assert.doesNotThrow(() => assertLinux('linux', 'x64', 'LE'));
  assert.doesNotThrow(() => assertLinux('linux', 'arm64', 'LE'));
  assert.throws(() => assertLinux('darwin', 'arm64', 'LE'), /needs Linux .*this is darwin on arm64/);
  assert.throws(() => assertLinux('linux', 'ia32', 'LE'), /this is linux on ia32/);
  assert.throws(() => assertLinux('linux', 'x64', 'BE'), /\(BE\)/);
});

test('system call errors carry the errno name', () => {
  assert.equal(errnoName(11), 'EAGAIN');
  assert.equal(errnoName(98), 'EADDRINUSE');
  assert.equal(errnoName(100000), 'errno 100000');
  const e = new SysError('bind', 98, 'port 4341');
  assert.equal(e.code, 'EADDRINUSE');
  assert.equal(e.errno, 98);
  assert.equal(e.syscall, 'bind');
  assert.equal(e.message, 'bind (port 4341) failed: EADDRINUSE');
});
