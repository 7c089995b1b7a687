// One TCP stream whose bytes are checked end to end: the client sends random bytes and prints
// their SHA-256, the server prints the SHA-256 of what it received (the data-plane tests compare
// them, since a payload bug in segmentation or merging is invisible to TCP checksums the kernel
// trusts as offloaded).
//   server ADDRESS PORT          accept one connection; print "<bytes> <sha256>" when it ends
//   client ADDRESS PORT BYTES [LOCALPORT]   send BYTES random bytes (from LOCALPORT when given); print "<bytes> <sha256>"
import { createHash, randomBytes } from 'node:crypto';
import { connect, createServer } from 'node:net';

const [mode, address, port, size, localPort] = process.argv.slice(2);
const hash = createHash('sha256');
let bytes = 0;
const done = () => process.stdout.write(`${bytes} ${hash.digest('hex')}\n`);

if (mode === 'server') {
  const server = createServer((socket) => {
    socket.on('data', (d) => {
      bytes += d.length;
      hash.update(d);
    });
    socket.on('end', () => {
      done();
      server.close();
    });
  });
  server.listen(Number(port), address, () => process.stderr.write('listening\n'));
} else {
  const total = Number(size);
  const socket = connect({ port: Number(port), host: address, ...(localPort ? { localPort: Number(localPort) } : {}) }, () => {
    const pump = () => {
      while (bytes < total) {
        const chunk = randomBytes(Math.min(256 * 1024, total - bytes));
        bytes += chunk.length;
        hash.update(chunk);
        if (!socket.write(chunk)) return void socket.once('drain', pump);
      }
      socket.end(done);
    };
    pump();
  });
  socket.on('error', (e) => {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  });
}
