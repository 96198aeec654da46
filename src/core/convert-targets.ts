// The controllers `convert --to` writes for, apart from convert.ts: the command's declaration
// (loaded at every start) needs the words, not the conversion.

export const TARGETS = ['gateway-api', 'envoy-gateway', 'haproxy-ingress'] as const;
export type ConvertTarget = (typeof TARGETS)[number];
