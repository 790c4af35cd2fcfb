//! The emulator's notion of "now", and the one place timestamps are formatted.

use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};

/// A point in time with millisecond precision, as PingOne stores it.
pub type Timestamp = DateTime<Utc>;

/// Where the store gets the current time from.
#[derive(Clone, Debug, Default)]
pub struct Clock;

impl Clock {
    /// The current time, truncated to milliseconds so that what is stored is what is shown.
    pub fn now(&self) -> Timestamp {
        Utc::now().trunc_subsecs(3)
    }
}

/// RFC 3339, UTC, milliseconds, `Z`: `2022-01-06T15:44:10.669Z`.
pub fn format_timestamp(at: Timestamp) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_have_milliseconds_and_a_z() {
        let at = DateTime::parse_from_rfc3339("2022-01-06T15:44:10.6699Z")
            .unwrap()
            .with_timezone(&Utc)
            .trunc_subsecs(3);
        assert_eq!(format_timestamp(at), "2022-01-06T15:44:10.669Z");
        let whole = DateTime::parse_from_rfc3339("2022-01-06T15:44:10Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(format_timestamp(whole), "2022-01-06T15:44:10.000Z");
    }

    #[test]
    fn now_has_no_sub_millisecond_part() {
        assert_eq!(Clock.now().timestamp_subsec_nanos() % 1_000_000, 0);
    }
}
