/**
 * The live-events channel. Nothing here runs SQL from the application: triggers of
 * sql/0006_live_events.sql publish on it in the transactions that write jobs, versions and
 * outcomes; the payload is `<user id> <JSON of a LiveEvent>`.
 */
export const LIVE_EVENTS_CHANNEL = "ace_live_events";
