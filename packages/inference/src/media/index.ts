export * from './errors';
export * from './probe';
export * from './decode-audio';
export * from './decode-frames';
export * from './encode';
