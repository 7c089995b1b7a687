// The I/O the core needs, as narrow interfaces (DESIGN example 6): real UDP sockets
// live in src/io, in-memory fakes in src/io/testing.

export interface Endpoint {
  address: string;
  port: number;
}

export interface ControlSocket {
  /** The bound address and port (the port is filled in when 0 was asked for). */
  readonly local: Endpoint;
  /** Sends one datagram; rejects when the network refuses it. */
  send(data: Buffer, to: Endpoint): Promise<void>;
  close(): Promise<void>;
}

export type DatagramHandler = (data: Buffer, from: Endpoint, socket: ControlSocket) => void;

export interface Network {
  /** Binds a UDP socket to local (port 0: an ephemeral port) and delivers what it receives to onDatagram. */
  bind(local: Endpoint, onDatagram: DatagramHandler): Promise<ControlSocket>;
  /** The local address the system would send from to reach remote (its routes decide), when it can tell. */
  sourceFor?(remote: string): Promise<string>;
}

/** What the core logs through (pino satisfies it): structured fields and a message. */
export interface Log {
  isLevelEnabled(level: 'debug'): boolean;
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}
