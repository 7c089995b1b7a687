// Wire constants that more than one file reads, each defined once (RFC 9300, RFC 9301, RFC 8060).
// This module imports nothing, so that the in-place readers the worker threads load
// (map-request-view.ts, map-register-view.ts) and the data plane can use it and stay small.
// A first-word bit table lives here when something besides its codec reads one of its bits;
// the other tables (MAP_REPLY_FLAGS, ECM_FLAGS) and every reserved-bit mask stay in their codec.

/** UDP ports (RFC 9300 section 5.1, RFC 9301 section 5.1). */
export const LISP_DATA_PORT = 4341;
export const LISP_CONTROL_PORT = 4342;

/** The 4-bit type of each control message (RFC 9301 section 5.1, RFC 8111, RFC 9304, NAT drafts). */
export const MESSAGE_TYPE_CODES = {
  'map-request': 1,
  'map-reply': 2,
  'map-register': 3,
  'map-notify': 4,
  'map-notify-ack': 5,
  'map-referral': 6,
  info: 7,
  ecm: 8,
  'shared-extension': 15,
} as const;

/** Address Family Identifiers (IANA address family numbers; 16387 is LCAF, RFC 8060). */
export const AFI = { none: 0, ipv4: 1, ipv6: 2, mac: 6, dn: 17, lcaf: 16387 } as const;

/** The LCAF types Loci decodes (RFC 8060, RFC 9306); any other is kept opaque. */
export const LCAF_TYPE = {
  'afi-list': 1,
  'instance-id': 2,
  'nat-traversal': 7,
  elp: 10,
  'source-dest': 12,
  json: 14,
} as const;

/** IP protocol number of UDP (the inner header of an ECM). */
export const IPPROTO_UDP = 17;

// ---- Fields at fixed offsets from the start of a message

/** The 64-bit nonce, after the first word (every message with a nonce). */
export const NONCE_OFFSET = 4;
/**
 * Map-Register, Map-Notify, Map-Notify-Ack and Info (RFC 9301 sections 5.6-5.7):
 *   word0 (4) | nonce (8) | Key ID (1) | Algorithm ID (1) | Auth Data Length (2) | Auth Data
 */
export const KEY_ID_OFFSET = 12;
export const ALGORITHM_ID_OFFSET = 13;
export const AUTH_LENGTH_OFFSET = 14;
export const AUTH_OFFSET = 16;

/** The xTR-ID (128 bits) and the site-ID (64 bits) that end a message with the I bit. */
export const XTR_ID_LENGTH = 16;
export const SITE_ID_LENGTH = 8;
export const XTR_TRAILER_LENGTH = XTR_ID_LENGTH + SITE_ID_LENGTH;

// ---- First-word bits. The named flags of a table become the decoded value's booleans; the bits
// named *_I, *_M, *_S say that an optional part is there (the codec derives them from that part).

/** Map-Request (RFC 9301 section 5.2; m is lispers.net's mobile-node bit). */
export const MAP_REQUEST_FLAGS = {
  authoritative: 0x08000000,
  probe: 0x02000000,
  smr: 0x01000000,
  pitr: 0x00800000,
  smrInvoked: 0x00400000,
  mobileNode: 0x00200000,
  localXtr: 0x00004000,
  dontMapReply: 0x00002000,
} as const;
/** M: a Map-Reply record follows the EID-records. */
export const MAP_REQUEST_M = 0x04000000;
/** I (RFC 9437): an xTR-ID (and a site-ID) ends the message. */
export const MAP_REQUEST_I = 0x00100000;

/** Map-Register (RFC 9301 section 5.6; R: built for an RTR, old NAT drafts; m: mobile node). */
export const MAP_REGISTER_FLAGS = {
  proxyReply: 0x08000000,
  securityCapable: 0x04000000,
  rtr: 0x01000000,
  eidNotify: 0x00001000,
  useTtl: 0x00000800,
  merge: 0x00000400,
  mobileNode: 0x00000200,
  wantMapNotify: 0x00000100,
} as const;
/** I: the xTR-ID and site-ID end the message. */
export const MAP_REGISTER_I = 0x02000000;

/** Map-Notify and Map-Notify-Ack (NAT drafts; RFC 9301 leaves these bits reserved). */
export const MAP_NOTIFY_FLAGS = { rtr: 0x04000000 } as const;
/** I: the xTR-ID and site-ID end the message. */
export const MAP_NOTIFY_I = 0x08000000;

/** ECM S: authentication data follows the first word (RFC 8111, NAT drafts). */
export const ECM_S = 0x08000000;
/** ECM D: DDT-originated, the sender wants a Map-Referral (RFC 8111). */
export const ECM_D = 0x04000000;

/** The data-plane header's flags (RFC 9300 section 5.3, RFC 9305 P) and its KK field (RFC 8061). */
export const DATA_FLAGS = { n: 0x80000000, l: 0x40000000, e: 0x20000000, v: 0x10000000, i: 0x08000000, p: 0x04000000 } as const;
export const DATA_KK = 0x03000000;
export const DATA_HEADER_LENGTH = 8;
