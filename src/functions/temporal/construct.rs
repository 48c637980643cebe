//! Building temporal values from component maps (`{year: 1984, week: 10, hour: 12}`), from
//! other temporal values (`{date: d, time: t, day: 28}`) and from ISO strings.

use std::collections::BTreeMap;

use crate::error::Result;
use crate::temporal::{
    parse_datetime, parse_local_datetime, parse_local_time, parse_offset, parse_time, DateTime,
    LocalDateTime, LocalTime, Time, TimeZone, Zone, NANOS_PER_SECOND,
};
use crate::value::{Date, Value};

use super::{invalid, Kind};

/// What a constructor starts from before applying the map's components: the date, time of
/// day and zone selected from other temporal values.
#[derive(Clone, Copy, Default)]
pub(super) struct Base {
    pub date: Option<Date>,
    pub time: Option<LocalTime>,
    pub zone: Option<TimeZone>,
    /// The offset the base had in `zone`, kept when still valid (a time in an overlap).
    pub offset: Option<i32>,
}

/// How the map's components apply to the base.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    /// Constructors: a `timezone` keeps the base's instant (`time({time: t, timezone:
    /// '+05:00'})`), sub-second components replace the base's fraction of a second.
    Construct,
    /// `truncate`: a `timezone` keeps the local fields, sub-second components add to the
    /// truncated fraction (`{nanosecond: 2}` after truncating to milliseconds).
    Truncate,
}

fn date_of(v: &Value) -> Option<Date> {
    match v {
        Value::Date(d) => Some(*d),
        Value::LocalDateTime(l) => Some(l.date),
        Value::DateTime(dt) => Some(dt.local.date),
        _ => None,
    }
}

/// The time of day of `v` and its zone; a `TIME` keeps only the offset of a named zone.
fn time_of(kind: Kind, v: &Value) -> Option<(LocalTime, Option<TimeZone>)> {
    match v {
        Value::LocalTime(t) => Some((*t, None)),
        Value::Time(t) => Some((t.time, Some(TimeZone::Offset(t.offset)))),
        Value::LocalDateTime(l) => Some((l.time, None)),
        Value::DateTime(dt) if kind == Kind::Time => {
            Some((dt.local.time, Some(TimeZone::Offset(dt.offset))))
        }
        Value::DateTime(dt) => Some((dt.local.time, Some(dt.timezone()))),
        _ => None,
    }
}

fn offset_of(v: &Value) -> Option<i32> {
    match v {
        Value::DateTime(dt) => Some(dt.offset),
        _ => None,
    }
}

/// The base selected by a map's `date`, `time` and `datetime` entries.
fn base_of(kind: Kind, m: &BTreeMap<String, Value>) -> Result<Base> {
    let mut base = Base::default();
    let pick = |key: &str| match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) if v.is_temporal() && !matches!(v, Value::Duration(_)) => Ok(Some(v)),
        Some(other) => Err(invalid(
            kind,
            format!(
                "`{key}` must be a temporal value, not {}",
                other.type_name()
            ),
        )),
    };
    if let Some(v) = pick("datetime")? {
        base.date = date_of(v);
        if let Some((t, z)) = time_of(kind, v) {
            base.time = Some(t);
            base.zone = z;
            base.offset = offset_of(v);
        } else if base.date.is_some() {
            base.time = Some(LocalTime::MIDNIGHT);
        }
    }
    if let Some(v) = pick("date")? {
        base.date = Some(date_of(v).ok_or_else(|| invalid(kind, "`date` has no date"))?);
    }
    if let Some(v) = pick("time")? {
        let (t, z) = time_of(kind, v).ok_or_else(|| invalid(kind, "`time` has no time of day"))?;
        base.time = Some(t);
        base.zone = z;
        base.offset = offset_of(v);
    }
    Ok(base)
}

/// An integer component; `None` when absent or null.
fn int(kind: Kind, m: &BTreeMap<String, Value>, key: &str) -> Result<Option<i64>> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Int(i)) => Ok(Some(*i)),
        Some(other) => Err(invalid(
            kind,
            format!("`{key}` must be an INTEGER, not {}", other.type_name()),
        )),
    }
}

/// The `timezone` component: an offset (`+01:00`, `Z`) or a zone name (`Europe/Stockholm`).
pub(super) fn parse_zone(kind: Kind, v: &Value) -> Result<TimeZone> {
    let Value::String(s) = v else {
        return Err(invalid(
            kind,
            format!("`timezone` must be a STRING, not {}", v.type_name()),
        ));
    };
    if let Some(o) = parse_offset(s) {
        return Ok(TimeZone::Offset(o));
    }
    Zone::by_name(s).map(TimeZone::Named).ok_or_else(|| {
        invalid(
            kind,
            format!("`{s}` is not a known time zone or UTC offset"),
        )
    })
}

const DATE_KEYS: [&str; 8] = [
    "year",
    "month",
    "day",
    "week",
    "dayOfWeek",
    "ordinalDay",
    "quarter",
    "dayOfQuarter",
];

/// The date from the map's date components over `base` (see `date()` in the docs: calendar,
/// week, ordinal and quarter forms).
fn build_date(kind: Kind, m: &BTreeMap<String, Value>, base: Option<Date>) -> Result<Date> {
    let bad = |what: String| invalid(kind, what);
    let get = |key: &str| int(kind, m, key);
    let year = |default: Option<i64>| -> Result<i64> {
        get("year")?
            .or(default)
            .ok_or_else(|| bad("a date needs a `year`".into()))
    };
    let (week, dow) = (get("week")?, get("dayOfWeek")?);
    if week.is_some() || (dow.is_some() && base.is_some()) {
        let y = year(base.map(|d| d.iso_week().0))?;
        let w = week.or(base.map(|d| d.iso_week().1)).unwrap_or(1);
        let d = dow.or(base.map(|d| i64::from(d.weekday()))).unwrap_or(1);
        return Date::from_week_date(y, w, d)
            .ok_or_else(|| bad(format!("week {w}, day of week {d} of {y}")));
    }
    if let Some(ordinal) = get("ordinalDay")? {
        let y = year(base.map(|d| i64::from(d.year)))?;
        return Date::from_ordinal(y, ordinal)
            .ok_or_else(|| bad(format!("ordinal day {ordinal} of {y}")));
    }
    if let Some(quarter) = get("quarter")? {
        let y = year(base.map(|d| i64::from(d.year)))?;
        let day = get("dayOfQuarter")?
            .or(base.map(Date::day_of_quarter))
            .unwrap_or(1);
        return Date::from_quarter_day(y, quarter, day)
            .ok_or_else(|| bad(format!("day {day} of quarter {quarter} of {y}")));
    }
    let y = year(base.map(|d| i64::from(d.year)))?;
    let month = get("month")?
        .or(base.map(|d| i64::from(d.month)))
        .unwrap_or(1);
    let day = get("day")?.or(base.map(|d| i64::from(d.day))).unwrap_or(1);
    Date::from_parts(y, month, day).ok_or_else(|| bad(format!("{y}-{month}-{day}")))
}

const TIME_KEYS: [&str; 6] = [
    "hour",
    "minute",
    "second",
    "millisecond",
    "microsecond",
    "nanosecond",
];

/// The time of day from the map's time components over `base`.
fn build_time(
    kind: Kind,
    m: &BTreeMap<String, Value>,
    base: Option<LocalTime>,
    mode: Mode,
) -> Result<LocalTime> {
    let get = |key: &str| int(kind, m, key);
    let b = base.unwrap_or(LocalTime::MIDNIGHT);
    let hour = get("hour")?.unwrap_or(b.hour());
    let minute = get("minute")?.unwrap_or(b.minute());
    let second = get("second")?.unwrap_or(b.second());
    let (ms, us, ns) = (get("millisecond")?, get("microsecond")?, get("nanosecond")?);
    let keep = if mode == Mode::Truncate {
        b.nanosecond()
    } else {
        0
    };
    let nanos = if ms.is_none() && us.is_none() && ns.is_none() {
        b.nanosecond()
    } else {
        let (ms, us, ns) = (ms.unwrap_or(0), us.unwrap_or(0), ns.unwrap_or(0));
        let limits_ok = (0..1000).contains(&ms)
            && (0..1_000_000).contains(&us)
            && (0..NANOS_PER_SECOND).contains(&ns);
        if !limits_ok {
            return Err(invalid(
                kind,
                format!("fraction of a second out of range ({ms} ms, {us} µs, {ns} ns)"),
            ));
        }
        keep + ms * 1_000_000 + us * 1000 + ns
    };
    LocalTime::new(hour, minute, second, nanos)
        .filter(|_| nanos < NANOS_PER_SECOND)
        .ok_or_else(|| {
            invalid(
                kind,
                format!("{hour}:{minute}:{second}.{nanos} is not a time of day"),
            )
        })
}

/// The value of type `kind` from a component map, starting from `base` (merged with the
/// map's own `date` / `time` / `datetime` entries). `now` is used for a map holding only a
/// `timezone`.
pub(super) fn from_map(
    kind: Kind,
    m: &BTreeMap<String, Value>,
    base: Base,
    mode: Mode,
    now: i128,
) -> Result<Value> {
    for key in m.keys() {
        let known = DATE_KEYS.contains(&key.as_str())
            || TIME_KEYS.contains(&key.as_str())
            || matches!(key.as_str(), "date" | "time" | "datetime" | "timezone")
            || (kind == Kind::DateTime && matches!(key.as_str(), "epochSeconds" | "epochMillis"));
        if !known {
            return Err(invalid(kind, format!("unknown component `{key}`")));
        }
    }
    let own = base_of(kind, m)?;
    let base = Base {
        date: own.date.or(base.date),
        time: own.time.or(base.time),
        zone: if own.time.is_some() {
            own.zone
        } else {
            base.zone
        },
        offset: if own.time.is_some() {
            own.offset
        } else {
            base.offset
        },
    };
    let zone = match m.get("timezone") {
        None | Some(Value::Null) => None,
        Some(v) => Some(parse_zone(kind, v)?),
    };
    if let Some(v) = from_epoch(kind, m, zone)? {
        return Ok(v);
    }
    let only_zone = m.keys().all(|k| k == "timezone");
    if only_zone && base.date.is_none() && base.time.is_none() {
        return super::now(kind, zone.unwrap_or(TimeZone::Offset(0)), now);
    }
    let needs_date = matches!(kind, Kind::Date | Kind::LocalDateTime | Kind::DateTime);
    let date = if needs_date {
        Some(build_date(kind, m, base.date)?)
    } else {
        None
    };
    let time = build_time(kind, m, base.time, mode)?;
    // A time in a named zone takes the zone's offset of today (UTC).
    let today = || {
        Date::from_days(
            i64::try_from(now.div_euclid(i128::from(86_400 * NANOS_PER_SECOND))).unwrap_or(0),
        )
    };
    let date_or_epoch = date.unwrap_or_else(|| match kind {
        Kind::Time => today(),
        _ => Date::from_days(0),
    });
    let local = LocalDateTime::new(date_or_epoch, time);
    Ok(match kind {
        Kind::Date => Value::Date(date_or_epoch),
        Kind::LocalTime => Value::LocalTime(time),
        Kind::LocalDateTime => Value::LocalDateTime(local),
        Kind::Time | Kind::DateTime => {
            let start = match (base.zone, zone, mode) {
                (Some(b), _, Mode::Construct) => b,
                (_, Some(z), _) => z,
                (Some(b), None, _) => b,
                (None, None, _) => TimeZone::Offset(0),
            };
            let at = match base.offset {
                Some(o) if Some(start) == base.zone => {
                    DateTime::from_local_preferring(local, start, o)
                }
                _ => DateTime::from_local(local, start),
            }
            .ok_or_else(|| invalid(kind, "the date is out of range"))?;
            let dt = match zone {
                Some(z) if z != start => DateTime::from_instant(at.epoch_nanos(), z)
                    .ok_or_else(|| invalid(kind, "the date is out of range"))?,
                _ => at,
            };
            if kind == Kind::Time {
                Value::Time(Time {
                    time: dt.local.time,
                    offset: dt.offset,
                })
            } else {
                Value::DateTime(dt)
            }
        }
        Kind::Duration => return Err(invalid(kind, "not a component map of a duration")),
    })
}

/// `datetime({epochSeconds: s [, nanosecond: n]})` and `datetime({epochMillis: ms})`, in
/// `timezone` or UTC; `None` when the map has neither key.
fn from_epoch(
    kind: Kind,
    m: &BTreeMap<String, Value>,
    zone: Option<TimeZone>,
) -> Result<Option<Value>> {
    let (secs, millis) = (int(kind, m, "epochSeconds")?, int(kind, m, "epochMillis")?);
    let nanos = match (secs, millis) {
        (None, None) => return Ok(None),
        (Some(s), None) => {
            let part = |key: &str, scale: i128| -> Result<i128> {
                Ok(i128::from(int(kind, m, key)?.unwrap_or(0)) * scale)
            };
            i128::from(s) * i128::from(NANOS_PER_SECOND)
                + part("nanosecond", 1)?
                + part("microsecond", 1000)?
                + part("millisecond", 1_000_000)?
        }
        (None, Some(ms)) => i128::from(ms) * 1_000_000,
        (Some(_), Some(_)) => {
            return Err(invalid(
                kind,
                "give `epochSeconds` or `epochMillis`, not both",
            ))
        }
    };
    DateTime::from_instant(nanos, zone.unwrap_or(TimeZone::Offset(0)))
        .map(|dt| Some(Value::DateTime(dt)))
        .ok_or_else(|| invalid(kind, "the epoch value is out of range"))
}

/// The value of type `kind` read from ISO text.
pub(super) fn from_string(kind: Kind, s: &str) -> Result<Value> {
    let t = s.trim();
    let v = match kind {
        Kind::Date => crate::temporal::parse_date(t).map(Value::Date),
        Kind::LocalTime => parse_local_time(t).map(Value::LocalTime),
        Kind::Time => parse_time(t).map(|(time, offset)| {
            Value::Time(Time {
                time,
                offset: offset.unwrap_or(0),
            })
        }),
        Kind::LocalDateTime => parse_local_datetime(t).map(Value::LocalDateTime),
        Kind::DateTime => parse_datetime(t, TimeZone::Offset(0)).map(Value::DateTime),
        Kind::Duration => crate::temporal::parse_duration(t).map(|d| Value::Duration(Box::new(d))),
    };
    v.ok_or_else(|| invalid(kind, format!("`{s}` is not an ISO-8601 {}", kind.name())))
}

/// The value of type `kind` selected from another temporal value (`date(datetime)`,
/// `time(localtime)`, …).
pub(super) fn from_temporal(kind: Kind, v: &Value, now: i128) -> Result<Value> {
    let key = match kind {
        Kind::Date => "date",
        Kind::LocalTime | Kind::Time => "time",
        Kind::LocalDateTime | Kind::DateTime => "datetime",
        Kind::Duration => return Err(super::bad_arg(kind.name(), v)),
    };
    if matches!(v, Value::Duration(_))
        || (key == "date" && date_of(v).is_none())
        || (key == "time" && time_of(kind, v).is_none())
        || (key == "datetime" && date_of(v).is_none())
    {
        return Err(super::bad_arg(kind.name(), v));
    }
    let m = BTreeMap::from([(key.to_string(), v.clone())]);
    from_map(kind, &m, Base::default(), Mode::Construct, now)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(kind: Kind, pairs: &[(&str, Value)]) -> String {
        let m: BTreeMap<String, Value> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        match from_map(kind, &m, Base::default(), Mode::Construct, 0) {
            Ok(v) => v.temporal_text().unwrap_or_default(),
            Err(e) => format!("error: {e}"),
        }
    }

    fn i(x: i64) -> Value {
        Value::Int(x)
    }

    #[test]
    fn dates_from_components() {
        let date = |pairs: &[(&str, Value)]| build(Kind::Date, pairs);
        assert_eq!(
            date(&[("year", i(1984)), ("month", i(10)), ("day", i(11))]),
            "1984-10-11"
        );
        assert_eq!(
            date(&[("year", i(1984)), ("week", i(10)), ("dayOfWeek", i(3))]),
            "1984-03-07"
        );
        assert_eq!(
            date(&[("year", i(1984)), ("ordinalDay", i(202))]),
            "1984-07-20"
        );
        assert_eq!(
            date(&[
                ("year", i(1984)),
                ("quarter", i(3)),
                ("dayOfQuarter", i(45))
            ]),
            "1984-08-14"
        );
        for bad in [
            vec![("year", i(1984)), ("month", i(2)), ("day", i(30))],
            vec![
                ("year", i(1984)),
                ("quarter", i(1)),
                ("dayOfQuarter", i(i64::MAX)),
            ],
            vec![("year", i(i64::MAX))],
            vec![("year", i(2020)), ("week", i(i64::MIN))],
            vec![("month", i(1))],
            vec![("year", Value::from("1984"))],
        ] {
            assert!(date(&bad).starts_with("error: "), "{bad:?}");
        }
        // Selecting from another value (TCK Temporal3 [1]).
        let other = Value::Date(Date::new(1984, 11, 11).expect("valid"));
        let with = |pairs: &[(&str, Value)]| {
            let mut all = pairs.to_vec();
            all.push(("date", other.clone()));
            date(&all)
        };
        assert_eq!(with(&[]), "1984-11-11");
        assert_eq!(with(&[("year", i(28))]), "0028-11-11");
        assert_eq!(with(&[("week", i(1))]), "1984-01-08");
        assert_eq!(with(&[("quarter", i(3))]), "1984-08-11");
    }

    #[test]
    fn times_and_zones() {
        let sub_second = [
            ("hour", i(12)),
            ("minute", i(31)),
            ("second", i(14)),
            ("nanosecond", i(789)),
            ("millisecond", i(123)),
            ("microsecond", i(456)),
        ];
        assert_eq!(build(Kind::LocalTime, &sub_second), "12:31:14.123456789");
        let t = Value::Time(Time {
            time: LocalTime::new(12, 31, 14, 0).expect("valid"),
            offset: 3600,
        });
        assert_eq!(
            build(
                Kind::Time,
                &[("time", t.clone()), ("timezone", Value::from("+05:00"))]
            ),
            "16:31:14+05:00"
        );
        assert_eq!(
            build(
                Kind::DateTime,
                &[
                    ("year", i(1984)),
                    ("ordinalDay", i(202)),
                    ("timezone", Value::from("Europe/Stockholm"))
                ]
            ),
            "1984-07-20T00:00+02:00[Europe/Stockholm]"
        );
        for bad in [
            vec![("hour", i(24))],
            vec![("hour", i(1)), ("millisecond", i(1000))],
            vec![("hour", i(1)), ("timezone", Value::from("Nowhere/Place"))],
            vec![("hour", i(1)), ("timezone", i(1))],
            vec![("time", Value::Int(3))],
            vec![("hours", i(1))],
        ] {
            assert!(build(Kind::Time, &bad).starts_with("error: "), "{bad:?}");
        }
    }
}
