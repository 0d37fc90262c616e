export { createLiveEventHub, type LiveEventHub, type LiveStreamHandlers } from "./hub.ts";
export { openLiveStream } from "./open-stream.ts";
export { LIVE_EVENTS_CHANNEL } from "./queries.ts";
export * from "./schemas.ts";
export { issueStreamToken, type StreamIdentity, verifyStreamToken } from "./stream-token.ts";
