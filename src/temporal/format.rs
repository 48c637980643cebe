//! ISO-8601 text of temporal values, as Neo4j prints them (`12:31:14.645876123+01:00`,
//! `1984-10-11T12:31+02:00[Europe/Stockholm]`, `P1Y2M10DT12H45M30.25S`).

use std::fmt::{self, Write};

use super::{DateTime, Duration, LocalDateTime, LocalTime, Time, NANOS_PER_SECOND};

impl fmt::Display for LocalTime {
    /// `HH:MM`, then `:SS` when seconds or nanoseconds are set, then the fraction in groups of
    /// three digits (Java's `LocalTime.toString`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour(), self.minute())?;
        let (s, n) = (self.second(), self.nanosecond());
        if s == 0 && n == 0 {
            return Ok(());
        }
        write!(f, ":{s:02}")?;
        if n == 0 {
            Ok(())
        } else if n % 1_000_000 == 0 {
            write!(f, ".{:03}", n / 1_000_000)
        } else if n % 1000 == 0 {
            write!(f, ".{:06}", n / 1000)
        } else {
            write!(f, ".{n:09}")
        }
    }
}

/// An offset as Neo4j prints it: `Z`, `+01:00`, `-02:05:07`.
pub fn format_offset(offset: i32) -> String {
    if offset == 0 {
        return "Z".to_string();
    }
    let sign = if offset < 0 { '-' } else { '+' };
    let a = offset.unsigned_abs();
    let mut s = format!("{sign}{:02}:{:02}", a / 3600, a / 60 % 60);
    if !a.is_multiple_of(60) {
        let _ = write!(s, ":{:02}", a % 60);
    }
    s
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.time, format_offset(self.offset))
    }
}

impl fmt::Display for LocalDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}T{}", self.date, self.time)
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.local, format_offset(self.offset))?;
        match self.zone {
            Some(z) => write!(f, "[{z}]"),
            None => Ok(()),
        }
    }
}

impl fmt::Display for Duration {
    /// `P…Y…M…DT…H…M…S`, zero components left out, each component signed on its own, the
    /// fraction of a second without trailing zeros; `PT0S` for zero (Neo4j's format).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::from("P");
        let mut part = |v: i64, unit: char| {
            if v != 0 {
                let _ = write!(out, "{v}{unit}");
            }
        };
        part(self.months / 12, 'Y');
        part(self.months % 12, 'M');
        part(self.days, 'D');
        if self.seconds != 0 || self.nanos != 0 {
            // Seconds and nanoseconds with one sign: -1.5s is (-2 s, 5e8 ns) inside.
            let (mut s, mut n) = (self.seconds, i64::from(self.nanos));
            if s < 0 && n != 0 {
                s += 1;
                n -= NANOS_PER_SECOND;
            }
            out.push('T');
            if s / 3600 != 0 {
                let _ = write!(out, "{}H", s / 3600);
            }
            if s % 3600 / 60 != 0 {
                let _ = write!(out, "{}M", s % 3600 / 60);
            }
            let secs = s % 60;
            if secs != 0 || n != 0 {
                if secs == 0 && n < 0 {
                    out.push('-');
                }
                let _ = write!(out, "{secs}");
                if n != 0 {
                    let digits = format!("{:09}", n.abs());
                    let _ = write!(out, ".{}", digits.trim_end_matches('0'));
                }
                out.push('S');
            }
        }
        if out.len() == 1 {
            out.push_str("T0S");
        }
        f.write_str(&out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(months: i64, days: i64, seconds: i64, nanos: i64) -> String {
        Duration::new(months, days, seconds, nanos)
            .expect("in range")
            .to_string()
    }

    #[test]
    fn durations_print_like_neo4j() {
        assert_eq!(d(0, 0, 0, 0), "PT0S");
        assert_eq!(
            d(14 * 12 + 2, 10, 12 * 3600 + 45 * 60 + 30, 250_000_000),
            "P14Y2M10DT12H45M30.25S"
        );
        assert_eq!(d(0, 0, -2, 1_000_000), "PT-1.999S");
        assert_eq!(d(0, 0, -2, -1_000_000), "PT-2.001S");
        assert_eq!(d(0, 1, 0, -1_000_000), "P1DT-0.001S");
        assert_eq!(d(0, 0, -60, -1_000_000), "PT-1M-0.001S");
        assert_eq!(
            d(-6, -15, -(17 * 3600 + 45 * 60 + 3), -500_000_002),
            "P-6M-15DT-17H-45M-3.500000002S"
        );
        assert_eq!(d(0, 0, 70, 1), "PT1M10.000000001S");
    }

    #[test]
    fn times_and_offsets() {
        let t = LocalTime::new(12, 31, 14, 645_000_000).expect("valid");
        assert_eq!(t.to_string(), "12:31:14.645");
        assert_eq!(
            LocalTime::new(12, 0, 0, 0).expect("valid").to_string(),
            "12:00"
        );
        assert_eq!(
            LocalTime::new(0, 0, 0, 2).expect("valid").to_string(),
            "00:00:00.000000002"
        );
        assert_eq!(format_offset(0), "Z");
        assert_eq!(format_offset(-(2 * 3600 + 5 * 60 + 7)), "-02:05:07");
        assert_eq!(format_offset(3600), "+01:00");
    }
}
