export * from './codes.js';
export * from './codec.js';
export * from './limits.js';
export type * from './messages.js';
export * from './token.js';
export * from './version.js';
export * from './stage.js';
export * from './party.js';
export * from './timeline.js';
