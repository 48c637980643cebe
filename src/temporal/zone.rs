//! Named time zones (`Europe/Stockholm`) from the tz database, through `chrono-tz`.
//!
//! Only the offset lookups come from chrono; dates and times stay in our own types, which
//! cover years beyond chrono's range (lookups there are clamped to chrono's limits).

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime as ChronoDateTime, LocalResult, Offset, TimeZone as _};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::LocalDateTime;

/// A named zone of the tz database.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Zone(chrono_tz::Tz);

/// chrono's supported instants, roughly ±262,000 years, kept well inside.
const CHRONO_LIMIT_SECONDS: i64 = 8_000_000_000_000;

impl Zone {
    /// The zone called `name` (`Europe/Stockholm`, `UTC`); `None` when unknown.
    /// A tz database zone; as in Neo4j a space stands for `_` (`'America/Los Angeles'`).
    pub fn by_name(name: &str) -> Option<Zone> {
        chrono_tz::Tz::from_str(name)
            .or_else(|e| {
                if name.contains(' ') {
                    chrono_tz::Tz::from_str(&name.replace(' ', "_"))
                } else {
                    Err(e)
                }
            })
            .ok()
            .map(Zone)
    }

    pub fn name(self) -> &'static str {
        self.0.name()
    }

    /// The offset (seconds east of UTC) in force at the UTC instant `epoch_second`.
    pub fn offset_at_instant(self, epoch_second: i64) -> i32 {
        let s = epoch_second.clamp(-CHRONO_LIMIT_SECONDS, CHRONO_LIMIT_SECONDS);
        match ChronoDateTime::from_timestamp(s, 0) {
            Some(utc) => self
                .0
                .offset_from_utc_datetime(&utc.naive_utc())
                .fix()
                .local_minus_utc(),
            None => 0,
        }
    }

    /// The offset for a local date-time: the earlier one in an overlap, the one before the
    /// transition in a gap (so that the time moves forward by the gap, as Java does).
    pub fn offset_for_local(self, local: LocalDateTime) -> i32 {
        let s = local
            .epoch_second()
            .clamp(-CHRONO_LIMIT_SECONDS, CHRONO_LIMIT_SECONDS);
        let Some(naive) = ChronoDateTime::from_timestamp(s, 0).map(|d| d.naive_utc()) else {
            return 0;
        };
        match self.0.offset_from_local_datetime(&naive) {
            LocalResult::Single(o) => o.fix().local_minus_utc(),
            LocalResult::Ambiguous(earlier, _) => earlier.fix().local_minus_utc(),
            // In a gap: the offset in force a while before it.
            LocalResult::None => self.offset_at_instant(s - 18 * 3600),
        }
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Zone {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Zone {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Zone, D::Error> {
        let name = String::deserialize(d)?;
        Zone::by_name(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown time zone `{name}`")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::temporal::Date;
    use crate::temporal::LocalTime;

    fn ldt(y: i32, m: u8, d: u8, h: i64) -> LocalDateTime {
        LocalDateTime::new(
            Date::new(y, m, d).expect("valid date"),
            LocalTime::new(h, 30, 0, 0).expect("valid time"),
        )
    }

    #[test]
    fn offsets_follow_the_tz_database() {
        let z = Zone::by_name("Europe/Stockholm").expect("known zone");
        assert_eq!(z.offset_for_local(ldt(1984, 10, 11, 12)), 3600);
        assert_eq!(z.offset_for_local(ldt(1984, 7, 20, 12)), 7200);
        // Local mean time before standard time: +00:53:28.
        assert_eq!(z.offset_for_local(ldt(1818, 7, 21, 21)), 3208);
        // 2017-03-26 02:30 does not exist (gap): the offset before it.
        assert_eq!(z.offset_for_local(ldt(2017, 3, 26, 2)), 3600);
        // 2017-10-29 02:30 exists twice (overlap): the earlier offset.
        assert_eq!(z.offset_for_local(ldt(2017, 10, 29, 2)), 7200);
        assert!(Zone::by_name("Mars/Olympus").is_none());
    }
}
