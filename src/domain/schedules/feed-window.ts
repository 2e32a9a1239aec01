// What an iCal feed covers: from 14 days ago to 90 days ahead, anchored at UTC midnight so the window
// moves once a day. Shifts are computed from 30 days earlier still, so a shift running into the
// window keeps its real start (and with it its UID) instead of one clipped to the window.
const DAY = 86_400_000;
export const FEED_PAST_DAYS = 14;
export const FEED_FUTURE_DAYS = 90;
const LOOKBACK_DAYS = 30;

export function feedWindow(now: Date): { from: Date; to: Date; computeFrom: Date } {
  const midnight = Math.floor(now.getTime() / DAY) * DAY;
  const from = midnight - FEED_PAST_DAYS * DAY;
  return {
    from: new Date(from),
    to: new Date(midnight + FEED_FUTURE_DAYS * DAY),
    computeFrom: new Date(from - LOOKBACK_DAYS * DAY),
  };
}
