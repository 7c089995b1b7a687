// The packet layer's public API: pure codecs, authentication and printers.
export * from './errors.js';
export type { Codec, Decoded } from './codec.js';
export { address, AFI, type Address } from './address.js';
export { LCAF_TYPE, type Lcaf, type ElpHop } from './lcaf.js';
export { ACT_NAMES, type Locator, type MappingRecord, type RequestRecord } from './records.js';
export { mapRequest, MAP_REQUEST_FLAGS, type MapRequest } from './map-request.js';
export { mapReply, MAP_REPLY_FLAGS, type MapReply } from './map-reply.js';
export { mapRegister, mapNotify, MAP_REGISTER_FLAGS, MAP_NOTIFY_FLAGS, type MapRegister, type MapNotify, type AuthFields } from './map-register.js';
export { mapReferral, type MapReferral, type ReferralRecord, type ReferralSignature } from './map-referral.js';
export { info, type InfoMessage } from './info.js';
export { ECM_FLAGS, type Ecm } from './ecm.js';
export type { IpHeader, Ipv4Header, Ipv6Header, UdpHeader } from './ip-header.js';
export { sharedExtension, type SharedExtension } from './shared-extension.js';
export { dataHeader, dataPacket, DATA_FLAGS, DATA_HEADER_LENGTH, type DataHeader } from './data-header.js';
export { message, ecm, decodeMessage, encodeMessage, messageEncodingLength, MESSAGE_TYPE_CODES, type LispMessage, type MessageType } from './message.js';
export { ALGORITHM_ID, authDataLength, signMessage, verifyMessage, encodeAuthenticated, type AuthAlgorithm } from './auth.js';
export { formatIpv4, formatIpv6 } from './ip-address.js';
export { formatMessage, formatDataHeader, formatAddress, formatPrefix, hexDump, toJsonValue } from './print.js';
