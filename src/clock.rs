//! The emulator's notion of "now", and the one place timestamps are formatted.
//!
//! Tests can freeze the clock or shift it (`PUT /__admin/clock`) to get predictable timestamps
//! or to move past an expiry without waiting; every clone of a [`Clock`] sees the change.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use chrono::{DateTime, Duration, SecondsFormat, SubsecRound, Timelike, Utc};

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
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    /// Whether the setting is [`ClockSetting::Real`]: read on every call without the lock,
    /// whose reader count every call would otherwise bounce between the cores.
    real: AtomicBool,
    setting: RwLock<ClockSetting>,
}

impl Default for Shared {
    fn default() -> Self {
        Self {
            real: AtomicBool::new(true),
            setting: RwLock::default(),
        }
    }
}

impl Clock {
    /// A clock on real time.
    pub fn new() -> Self {
        Self::default()
    }

    /// The current time, truncated to milliseconds so that what is stored is what is shown.
    pub fn now(&self) -> Timestamp {
        let real = Utc::now();
        let setting = if self.shared.real.load(Ordering::Acquire) {
            ClockSetting::Real
        } else {
            self.setting()
        };
        let at = match setting {
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
        // Milliseconds kept, the rest dropped (`trunc_subsecs(3)` does the same, more slowly).
        let nanos = at.timestamp_subsec_nanos();
        at.with_nanosecond(nanos - nanos % 1_000_000).unwrap_or(at)
    }

    /// The current setting.
    pub fn setting(&self) -> ClockSetting {
        // The setting is a plain `Copy` value: a panic elsewhere cannot leave it half-written.
        *self
            .shared
            .setting
            .read()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Changes the setting for every clone of this clock.
    pub fn set(&self, setting: ClockSetting) {
        let mut stored = self
            .shared
            .setting
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        *stored = setting;
        self.shared
            .real
            .store(setting == ClockSetting::Real, Ordering::Release);
    }
}

/// RFC 3339, UTC, milliseconds, `Z`: `2022-01-06T15:44:10.669Z`.
pub fn format_timestamp(at: Timestamp) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Appends what [`format_timestamp`] returns to `out`, without the formatting machinery: every
/// answer carries two timestamps. Years outside 0 to 9999 (reachable only by shifting the clock
/// to its limits) are left to [`format_timestamp`].
pub fn write_timestamp(out: &mut Vec<u8>, at: Timestamp) {
    const DAY_MS: i64 = 86_400_000;
    let ms = at.timestamp_millis();
    // Howard Hinnant's `civil_from_days`: the proleptic Gregorian date of a day count.
    let days = ms.div_euclid(DAY_MS);
    let in_day = ms.rem_euclid(DAY_MS);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    if !(0..=9999).contains(&year) {
        out.extend_from_slice(format_timestamp(at).as_bytes());
        return;
    }
    // `YYYY-MM-DDTHH:MM:SS.mmmZ`, two digits at a time.
    let two = |value: i64| {
        let value = value as usize % 100;
        [b'0' + (value / 10) as u8, b'0' + (value % 10) as u8]
    };
    let mut text = *b"0000-00-00T00:00:00.000Z";
    text[0..2].copy_from_slice(&two(year / 100));
    text[2..4].copy_from_slice(&two(year));
    text[5..7].copy_from_slice(&two(month));
    text[8..10].copy_from_slice(&two(day));
    text[11..13].copy_from_slice(&two(in_day / 3_600_000));
    text[14..16].copy_from_slice(&two(in_day / 60_000 % 60));
    text[17..19].copy_from_slice(&two(in_day / 1_000 % 60));
    let ms = in_day % 1_000;
    text[20] = b'0' + (ms / 100) as u8;
    text[21..23].copy_from_slice(&two(ms));
    out.extend_from_slice(&text);
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

    proptest::proptest! {
        #[test]
        fn written_timestamps_are_the_formatted_ones(
            ms in DateTime::<Utc>::MIN_UTC.timestamp_millis()..=DateTime::<Utc>::MAX_UTC.timestamp_millis(),
            near in -62_135_596_800_000_i64..=253_402_300_799_999,
        ) {
            for ms in [ms, near] {
                let at = DateTime::<Utc>::from_timestamp_millis(ms).unwrap();
                let mut written = Vec::new();
                write_timestamp(&mut written, at);
                proptest::prop_assert_eq!(String::from_utf8(written).unwrap(), format_timestamp(at));
            }
        }
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
