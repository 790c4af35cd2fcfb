//! The emulator's notion of "now", and the one place timestamps are formatted.
//!
//! Tests can freeze the clock or shift it (`PUT /__admin/clock`) to get predictable timestamps
//! or to move past an expiry without waiting; every clone of a [`Clock`] sees the change.

use std::sync::{Arc, PoisonError, RwLock};

use chrono::{DateTime, Duration, SecondsFormat, SubsecRound, Utc};

/// A point in time with millisecond precision, as PingOne stores it.
pub type Timestamp = DateTime<Utc>;

/// How the clock relates to real time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ClockSetting {
    /// Real time.
    #[default]
    Real,
    /// Always this instant.
    Frozen(Timestamp),
    /// Real time shifted by this many milliseconds (negative: in the past).
    Offset(i64),
}

/// Where the store gets the current time from: a shared, cheap-to-clone handle.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    setting: Arc<RwLock<ClockSetting>>,
}

impl Clock {
    /// A clock on real time.
    pub fn new() -> Self {
        Self::default()
    }

    /// The current time, truncated to milliseconds so that what is stored is what is shown.
    pub fn now(&self) -> Timestamp {
        let real = Utc::now();
        let at = match self.setting() {
            ClockSetting::Real => real,
            ClockSetting::Frozen(at) => at,
            // An offset that would overflow the calendar saturates rather than panics.
            ClockSetting::Offset(ms) => real
                .checked_add_signed(Duration::milliseconds(ms))
                .unwrap_or(if ms < 0 {
                    DateTime::<Utc>::MIN_UTC
                } else {
                    DateTime::<Utc>::MAX_UTC
                }),
        };
        at.trunc_subsecs(3)
    }

    /// The current setting.
    pub fn setting(&self) -> ClockSetting {
        // The setting is a plain `Copy` value: a panic elsewhere cannot leave it half-written.
        *self.setting.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Changes the setting for every clone of this clock.
    pub fn set(&self, setting: ClockSetting) {
        *self.setting.write().unwrap_or_else(PoisonError::into_inner) = setting;
    }
}

/// RFC 3339, UTC, milliseconds, `Z`: `2022-01-06T15:44:10.669Z`.
pub fn format_timestamp(at: Timestamp) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Parses an RFC 3339 timestamp (any offset) into UTC, truncated to milliseconds.
pub fn parse_timestamp(text: &str) -> Option<Timestamp> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|at| at.with_timezone(&Utc).trunc_subsecs(3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_have_milliseconds_and_a_z() {
        let at = parse_timestamp("2022-01-06T15:44:10.6699Z").unwrap();
        assert_eq!(format_timestamp(at), "2022-01-06T15:44:10.669Z");
        let whole = parse_timestamp("2022-01-06T17:44:10+02:00").unwrap();
        assert_eq!(format_timestamp(whole), "2022-01-06T15:44:10.000Z");
        assert_eq!(parse_timestamp("yesterday"), None);
    }

    #[test]
    fn now_has_no_sub_millisecond_part() {
        assert_eq!(Clock::new().now().timestamp_subsec_nanos() % 1_000_000, 0);
    }

    #[test]
    fn a_frozen_clock_stands_still_for_every_clone() {
        let clock = Clock::new();
        let other = clock.clone();
        let at = parse_timestamp("2030-01-01T00:00:00.000Z").unwrap();
        clock.set(ClockSetting::Frozen(at));
        assert_eq!(other.now(), at);
        clock.set(ClockSetting::Real);
        assert!(other.now() < at);
    }

    #[test]
    fn an_offset_clock_runs_ahead_of_real_time() {
        let clock = Clock::new();
        clock.set(ClockSetting::Offset(3_600_000));
        let ahead = clock.now() - Utc::now();
        assert!(ahead > Duration::minutes(59) && ahead <= Duration::hours(1));
        clock.set(ClockSetting::Offset(i64::MAX));
        assert_eq!(clock.now(), DateTime::<Utc>::MAX_UTC.trunc_subsecs(3));
    }
}
