// The role factories a node is composed of (src/core/role.ts says what a role contributes).
export { etr, type EtrRoleOptions } from './etr-role.js';
export { itr, type ItrRoleOptions } from './itr-role.js';
export { mr, type MrRoleOptions } from './mr-role.js';
export { ms, type MsRoleOptions } from './ms-role.js';
export { ddtNode, type DdtNodeRoleOptions } from './ddt-node-role.js';
export { ddtMs, type DdtMsRoleOptions } from './ddt-ms-role.js';
export { ddtMr, type DdtMrRoleOptions } from './ddt-mr-role.js';
