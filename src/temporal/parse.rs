//! ISO-8601 text into temporal values: the extended and basic forms the openCypher TCK uses
//! (`2015-W30-2T214032.142+0100[Europe/Stockholm]`, `P12Y5M14DT16H12M70S`, `P0.75M`, …).
//!
//! Each parser returns `None` for text it cannot read; callers name the problem.

use super::Date;

use super::{
    DateTime, Duration, LocalDateTime, LocalTime, TimeZone, Zone, MAX_OFFSET_SECONDS,
    NANOS_PER_SECOND,
};

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn num(s: &str) -> Option<i64> {
    if all_digits(s) {
        s.parse().ok()
    } else {
        None
    }
}

/// A date: `2015-07-21`, `20150721`, `2015-07`, `201507`, `2015-W30-2`, `2015W302`,
/// `2015-W30`, `2015-202`, `2015202`, `2015`, and signed years such as `-999999999-01-01`.
pub fn parse_date(s: &str) -> Option<Date> {
    // Every form is ASCII; the slicing below relies on it.
    if !s.is_ascii() {
        return None;
    }
    let (negative, body) = match s.as_bytes().first()? {
        b'+' => (false, &s[1..]),
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    let signed = body.len() != s.len();
    let year_len = if signed {
        body.bytes().take_while(u8::is_ascii_digit).count()
    } else {
        4
    };
    if year_len < 4 || body.len() < year_len || !body.is_char_boundary(year_len) {
        return None;
    }
    let year = num(&body[..year_len])?;
    let year = if negative { -year } else { year };
    let rest = &body[year_len..];
    let dashed = rest.starts_with('-');
    let r = rest.strip_prefix('-').unwrap_or(rest);
    if r.is_empty() {
        return (!dashed).then(|| Date::from_parts(year, 1, 1)).flatten();
    }
    if let Some(w) = r.strip_prefix('W') {
        let (week, dow) = match (w.len(), dashed) {
            (2, _) => (num(w)?, 1),
            (4, true) if w.as_bytes()[2] == b'-' => (num(&w[..2])?, num(&w[3..])?),
            (3, false) => (num(&w[..2])?, num(&w[2..])?),
            _ => return None,
        };
        return Date::from_week_date(year, week, dow);
    }
    match (r.len(), dashed) {
        (2, _) => Date::from_parts(year, num(r)?, 1),
        (3, _) => Date::from_ordinal(year, num(r)?),
        (5, true) if r.as_bytes()[2] == b'-' => {
            Date::from_parts(year, num(&r[..2])?, num(&r[3..])?)
        }
        (4, false) => Date::from_parts(year, num(&r[..2])?, num(&r[2..])?),
        _ => None,
    }
}

/// A time of day: `21`, `21:40`, `2140`, `21:40:32`, `214032`, with a fraction of up to nine
/// digits after the seconds (`21:40:32.142`, `214032,142`).
pub fn parse_local_time(s: &str) -> Option<LocalTime> {
    let (main, fraction) = match s.find(['.', ',']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let parts: Vec<&str> = if main.contains(':') {
        main.split(':').collect()
    } else {
        if main.len() % 2 != 0 || main.len() > 6 || !main.is_ascii() {
            return None;
        }
        (0..main.len())
            .step_by(2)
            .map(|i| &main[i..i + 2])
            .collect()
    };
    if parts.is_empty() || parts.len() > 3 || parts.iter().any(|p| p.len() != 2) {
        return None;
    }
    let field = |i: usize| parts.get(i).map_or(Some(0), |p| num(p));
    let nanos = match fraction {
        None => 0,
        Some(f) if parts.len() == 3 && f.len() <= 9 && all_digits(f) => {
            num(f)? * 10i64.pow(9 - f.len() as u32)
        }
        Some(_) => return None,
    };
    LocalTime::new(field(0)?, field(1)?, field(2)?, nanos)
}

/// A UTC offset: `Z`, `+01`, `+0100`, `+01:00`, `-02:05:07`, within ±18:00.
pub fn parse_offset(s: &str) -> Option<i32> {
    if s == "Z" || s == "z" {
        return Some(0);
    }
    let (sign, body) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    let parts: Vec<&str> = if body.contains(':') {
        body.split(':').collect()
    } else {
        if body.len() % 2 != 0 || body.len() > 6 || !body.is_ascii() {
            return None;
        }
        (0..body.len())
            .step_by(2)
            .map(|i| &body[i..i + 2])
            .collect()
    };
    if parts.is_empty() || parts.len() > 3 || parts.iter().any(|p| p.len() != 2) {
        return None;
    }
    let field = |i: usize| parts.get(i).map_or(Some(0), |p| num(p));
    let (h, m, sec) = (field(0)?, field(1)?, field(2)?);
    if m >= 60 || sec >= 60 {
        return None;
    }
    let total = sign * (h * 3600 + m * 60 + sec);
    (total.abs() <= i64::from(MAX_OFFSET_SECONDS)).then_some(total as i32)
}

/// Splits `time[offset]` at the offset (the first `Z`, `+` or `-`).
fn split_offset(s: &str) -> (&str, Option<&str>) {
    match s.find(['Z', 'z', '+', '-']) {
        Some(i) => (&s[..i], Some(&s[i..])),
        None => (s, None),
    }
}

/// A time with an optional offset (`21:40:32.142+0100`, `214032.142Z`); the offset is `None`
/// when the text has none.
pub fn parse_time(s: &str) -> Option<(LocalTime, Option<i32>)> {
    let (t, offset) = split_offset(s);
    let offset = match offset {
        Some(o) => Some(parse_offset(o)?),
        None => None,
    };
    Some((parse_local_time(t)?, offset))
}

/// A local date-time: a date, optionally `T` and a time (`2015-W30-2T214032.142`).
pub fn parse_local_datetime(s: &str) -> Option<LocalDateTime> {
    match s.split_once(['T', 't']) {
        Some((d, t)) => Some(LocalDateTime::new(parse_date(d)?, parse_local_time(t)?)),
        None => Some(LocalDateTime::new(parse_date(s)?, LocalTime::MIDNIGHT)),
    }
}

/// A date-time: a date, optionally `T` and a time with an optional offset and an optional
/// `[Zone/Name]`. Without either, the zone is `default`.
pub fn parse_datetime(s: &str, default: TimeZone) -> Option<DateTime> {
    let (main, zone) = match s.strip_suffix(']').and_then(|x| x.split_once('[')) {
        Some((m, z)) => (m, Some(Zone::by_name(z)?)),
        None => (s, None),
    };
    let (date, time) = match main.split_once(['T', 't']) {
        Some((d, t)) => (d, Some(t)),
        None => (main, None),
    };
    let date = parse_date(date)?;
    let (time, offset) = match time {
        Some(t) => parse_time(t)?,
        None => (LocalTime::MIDNIGHT, None),
    };
    let local = LocalDateTime::new(date, time);
    let tz = match (zone, offset) {
        (Some(z), _) => TimeZone::Named(z),
        (None, Some(o)) => TimeZone::Offset(o),
        (None, None) => default,
    };
    match (zone, offset) {
        // An explicit offset picks between the two readings of a local time in an overlap.
        (Some(_), Some(o)) => {
            let at_offset = DateTime::from_instant(
                local.epoch_nanos() - i128::from(o) * i128::from(NANOS_PER_SECOND),
                tz,
            )?;
            if at_offset.local == local {
                Some(at_offset)
            } else {
                DateTime::from_local(local, tz)
            }
        }
        _ => DateTime::from_local(local, tz),
    }
}

/// One `number unit` pair of a duration: the integer part, the fraction in nanoseconds
/// (signed like the number), and whether there was a fraction.
fn duration_number(s: &str) -> Option<(i64, i64, bool)> {
    let (negative, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (whole, fraction) = match body.find(['.', ',']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let whole = num(whole)?;
    let nanos = match fraction {
        None => 0,
        Some(f) if all_digits(f) => {
            let digits = &f[..f.len().min(9)];
            num(digits)? * 10i64.pow(9 - digits.len() as u32)
        }
        Some(_) => return None,
    };
    let sign = if negative { -1 } else { 1 };
    Some((sign * whole, sign * nanos, fraction.is_some()))
}

/// A duration: `P[nY][nM][nW][nD][T[nH][nM][nS]]` (numbers may be negative or fractional:
/// `P0.75M`, `PT-1.5S`) or the alternative form `P2012-02-02T14:37:21.545`.
pub fn parse_duration(s: &str) -> Option<Duration> {
    let (negative, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let body = body.strip_prefix(['P', 'p'])?;
    let alternative = body.len() > 4
        && body.as_bytes()[..4].iter().all(u8::is_ascii_digit)
        && body.as_bytes()[4] == b'-';
    let d = if alternative {
        alternative_duration(body)?
    } else {
        designator_duration(body)?
    };
    if negative {
        d.checked_neg()
    } else {
        Some(d)
    }
}

fn designator_duration(body: &str) -> Option<Duration> {
    if body.is_empty() {
        return None;
    }
    let (mut months, mut days, mut seconds, mut nanos) = (0i64, 0i64, 0i64, 0i64);
    // Fractions of units above the second, carried down afterwards.
    let (mut frac_months, mut frac_days, mut frac_seconds) = (0f64, 0f64, 0f64);
    let mut in_time = false;
    let mut rest = body;
    let mut seen_any = false;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix(['T', 't']) {
            if in_time {
                return None;
            }
            in_time = true;
            rest = r;
            continue;
        }
        let end = rest.find(|c: char| c.is_ascii_alphabetic())?;
        let unit = rest[end..].chars().next()?.to_ascii_uppercase();
        let (whole, frac_ns, has_frac) = duration_number(&rest[..end])?;
        rest = &rest[end + 1..];
        seen_any = true;
        let frac = frac_ns as f64 / 1e9;
        let (scale, target): (i64, &mut i64) = match (unit, in_time) {
            ('Y', false) => (12, &mut months),
            ('M', false) => (1, &mut months),
            ('W', false) => (7, &mut days),
            ('D', false) => (1, &mut days),
            ('H', true) => (3600, &mut seconds),
            ('M', true) => (60, &mut seconds),
            ('S', true) => {
                seconds = seconds.checked_add(whole)?;
                nanos += frac_ns;
                continue;
            }
            _ => return None,
        };
        *target = target.checked_add(whole.checked_mul(scale)?)?;
        if has_frac {
            let f = frac * scale as f64;
            match unit {
                'Y' | 'M' if !in_time => frac_months += f,
                'W' | 'D' => frac_days += f,
                _ => frac_seconds += f,
            }
        }
    }
    if !seen_any {
        return None;
    }
    let exact = Duration::new(months, days, seconds, nanos)?;
    if frac_months == 0.0 && frac_days == 0.0 && frac_seconds == 0.0 {
        return Some(exact);
    }
    exact.checked_add(Duration::approximate(
        frac_months,
        frac_days,
        frac_seconds,
        0.0,
    )?)
}

/// `YYYY-MM-DDTHH:MM:SS[.fff]` (also without the time part) as years, months, days, hours,
/// minutes and seconds.
fn alternative_duration(body: &str) -> Option<Duration> {
    let (date, time) = match body.split_once(['T', 't']) {
        Some((d, t)) => (d, Some(t)),
        None => (body, None),
    };
    let mut dp = date.split('-');
    let (y, mo, d) = (num(dp.next()?)?, num(dp.next()?)?, num(dp.next()?)?);
    if dp.next().is_some() {
        return None;
    }
    let (seconds, nanos) = match time {
        None => (0, 0),
        Some(t) => {
            let (main, fraction) = match t.find(['.', ',']) {
                Some(i) => (&t[..i], Some(&t[i + 1..])),
                None => (t, None),
            };
            let mut tp = main.split(':');
            let (h, mi, s) = (num(tp.next()?)?, num(tp.next()?)?, num(tp.next()?)?);
            let nanos = match fraction {
                None => 0,
                Some(f) if f.len() <= 9 && all_digits(f) => num(f)? * 10i64.pow(9 - f.len() as u32),
                Some(_) => return None,
            };
            let seconds = h
                .checked_mul(3600)?
                .checked_add(mi.checked_mul(60)?)?
                .checked_add(s)?;
            (seconds, nanos)
        }
    };
    Duration::new(y.checked_mul(12)?.checked_add(mo)?, d, seconds, nanos)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> String {
        parse_date(s).map(|d| d.to_string()).unwrap_or_default()
    }

    #[test]
    fn dates() {
        for (input, want) in [
            ("2015-07-21", "2015-07-21"),
            ("20150721", "2015-07-21"),
            ("2015-07", "2015-07-01"),
            ("201507", "2015-07-01"),
            ("2015-W30-2", "2015-07-21"),
            ("2015W302", "2015-07-21"),
            ("2015-W30", "2015-07-20"),
            ("2015W30", "2015-07-20"),
            ("2015-202", "2015-07-21"),
            ("2015202", "2015-07-21"),
            ("2015", "2015-01-01"),
            ("-999999999-01-01", "-999999999-01-01"),
            ("+999999999-12-31", "+999999999-12-31"),
        ] {
            assert_eq!(date(input), want, "{input}");
        }
        for bad in [
            "2015-13-01",
            "yesterday",
            "",
            "-",
            "2015-02-30",
            "2015-W54",
            "१२३४-01-01",
            // Multi-byte characters where the parser sliced by byte position and panicked
            // (found by reading the slicing while writing the `run` fuzz target).
            "2015Waé",
            "2015aéb",
            "2015-Wé1",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn times_and_offsets() {
        let t = |s: &str| parse_local_time(s).map(|t| t.to_string());
        assert_eq!(t("214032.142").as_deref(), Some("21:40:32.142"));
        assert_eq!(t("2140").as_deref(), Some("21:40"));
        assert_eq!(t("21").as_deref(), Some("21:00"));
        assert_eq!(t("24:00"), None);
        assert_eq!(t("21:40.5"), None);
        assert_eq!(parse_offset("+0845"), Some(8 * 3600 + 45 * 60));
        assert_eq!(parse_offset("-02"), Some(-7200));
        assert_eq!(parse_offset("+19:00"), None);
        let (lt, off) = parse_time("2140-00:00").expect("valid");
        assert_eq!((lt.to_string().as_str(), off), ("21:40", Some(0)));
    }

    #[test]
    fn datetimes() {
        let utc = TimeZone::Offset(0);
        let dt = |s: &str| parse_datetime(s, utc).map(|d| d.to_string());
        assert_eq!(
            dt("2015-W30-2T214032.142Z").as_deref(),
            Some("2015-07-21T21:40:32.142Z")
        );
        assert_eq!(
            dt("2015-07-21T21:40:32.142[Europe/London]").as_deref(),
            Some("2015-07-21T21:40:32.142+01:00[Europe/London]")
        );
        assert_eq!(
            dt("1818-07-21T21:40:32.142[Europe/Stockholm]").as_deref(),
            Some("1818-07-21T21:40:32.142+00:53:28[Europe/Stockholm]")
        );
        assert_eq!(dt("2015-07-21T21:40[Nowhere/Special]"), None);
        assert_eq!(
            parse_local_datetime("2015T214032")
                .map(|d| d.to_string())
                .as_deref(),
            Some("2015-01-01T21:40:32")
        );
    }

    #[test]
    fn durations() {
        let d = |s: &str| parse_duration(s).map(|d| d.to_string());
        for (input, want) in [
            ("P14DT16H12M", "P14DT16H12M"),
            ("P5M1.5D", "P5M1DT12H"),
            ("P0.75M", "P22DT19H51M49.5S"),
            ("PT0.75M", "PT45S"),
            ("P2.5W", "P17DT12H"),
            ("P12Y5M14DT16H12M70S", "P12Y5M14DT16H13M10S"),
            ("P2012-02-02T14:37:21.545", "P2012Y2M2DT14H37M21.545S"),
            ("PT-1.999S", "PT-1.999S"),
            ("PT-1M-0.001S", "PT-1M-0.001S"),
            ("P1DT-0.001S", "P1DT-0.001S"),
        ] {
            assert_eq!(d(input).as_deref(), Some(want), "{input}");
        }
        for bad in ["P", "PT", "14D", "P1H", "PT1D", "P1.5.5D", "PxD"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }
}
