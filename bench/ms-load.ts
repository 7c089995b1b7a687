// Load generator and UDP sink for bench/ms, run as child processes:
//   blast FILE HOST PORT SECONDS  send the datagrams listed in FILE (one hex per line), round robin,
//                                 as fast as the socket takes them; prints the count sent
//   sink HOST PORT SECONDS        count datagrams received; prints the count
import { readFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';

const [mode, a, b, c, d] = process.argv.slice(2);

if (mode === 'blast') {
  const packets = readFileSync(a!, 'utf8').trim().split('\n').map((h) => Buffer.from(h, 'hex'));
  const socket = createSocket('udp4');
  socket.bind(0, '127.0.0.1', () => {
    let sent = 0;
    let inFlight = 0;
    const end = Date.now() + Number(d) * 1000;
    // A bounded window of sends in flight keeps the libuv queue (and memory) small.
    const pump = () => {
      while (inFlight < 64 && Date.now() < end) {
        inFlight++;
        socket.send(packets[sent++ % packets.length]!, Number(c), b!, () => {
          inFlight--;
          if (Date.now() < end) pump();
          else if (inFlight === 0) finish();
        });
      }
    };
    const finish = () => {
      process.stdout.write(`${sent}\n`);
      socket.close();
    };
    pump();
  });
} else if (mode === 'sink') {
  const socket = createSocket('udp4');
  let received = 0;
  socket.on('message', () => received++);
  socket.bind(Number(b), a!, () => {
    process.stdout.write('ready\n');
    setTimeout(() => {
      process.stdout.write(`${received}\n`);
      socket.close();
    }, Number(c) * 1000 + 500);
  });
}
