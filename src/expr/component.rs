//! Components of temporal values: `d.year`, `t.hour`, `dt.timezone`, `dt.epochMillis`,
//! `dur.minutesOfHour`, …

use crate::error::{ErrorClass, Phase, QueryError, Result};
use crate::temporal::{format_offset, Duration, LocalTime};
use crate::value::{Date, Value};

fn no_component(v: &Value, key: &str) -> crate::error::Error {
    QueryError::new(
        ErrorClass::ArgumentError,
        "InvalidArgumentValue",
        Phase::Runtime,
        format!("a {} value has no component `{key}`", v.type_name()),
    )
    .into()
}

fn date_component(d: Date, key: &str) -> Option<i64> {
    Some(match key {
        "year" => i64::from(d.year),
        "month" => i64::from(d.month),
        "day" => i64::from(d.day),
        "quarter" => d.quarter(),
        "dayOfWeek" | "weekDay" => i64::from(d.weekday()),
        "ordinalDay" => i64::from(d.ordinal()),
        "week" => d.iso_week().1,
        "weekYear" => d.iso_week().0,
        "dayOfQuarter" => d.day_of_quarter(),
        _ => return None,
    })
}

fn time_component(t: LocalTime, key: &str) -> Option<i64> {
    Some(match key {
        "hour" => t.hour(),
        "minute" => t.minute(),
        "second" => t.second(),
        "millisecond" => t.nanosecond() / 1_000_000,
        "microsecond" => t.nanosecond() / 1000,
        "nanosecond" => t.nanosecond(),
        _ => return None,
    })
}

fn offset_component(offset: i32, key: &str) -> Option<Value> {
    Some(match key {
        "offset" => Value::String(format_offset(offset)),
        "offsetMinutes" => Value::Int(i64::from(offset / 60)),
        "offsetSeconds" => Value::Int(i64::from(offset)),
        _ => return None,
    })
}

fn duration_component(d: &Duration, key: &str) -> Option<i64> {
    let total = d.time_nanos();
    let clamp = |x: i128| i64::try_from(x).unwrap_or(if x < 0 { i64::MIN } else { i64::MAX });
    Some(match key {
        "years" => d.months / 12,
        "quarters" => d.months / 3,
        "months" => d.months,
        "weeks" => d.days / 7,
        "days" => d.days,
        "hours" => d.seconds / 3600,
        "minutes" => d.seconds / 60,
        "seconds" => d.seconds,
        "milliseconds" => clamp(i128::from(d.seconds) * 1000 + i128::from(d.nanos / 1_000_000)),
        "microseconds" => clamp(i128::from(d.seconds) * 1_000_000 + i128::from(d.nanos / 1000)),
        "nanoseconds" => clamp(total),
        "quartersOfYear" => d.months / 3 % 4,
        "monthsOfQuarter" => d.months % 3,
        "monthsOfYear" => d.months % 12,
        "daysOfWeek" => d.days % 7,
        "minutesOfHour" => d.seconds / 60 % 60,
        "secondsOfMinute" => d.seconds % 60,
        "millisecondsOfSecond" => i64::from(d.nanos / 1_000_000),
        "microsecondsOfSecond" => i64::from(d.nanos / 1000),
        "nanosecondsOfSecond" => i64::from(d.nanos),
        _ => return None,
    })
}

/// `v.key` for a temporal value `v`.
pub(crate) fn component(v: &Value, key: &str) -> Result<Value> {
    let int = |x: Option<i64>| x.map(Value::Int);
    let found = match v {
        Value::Date(d) => int(date_component(*d, key)),
        Value::LocalTime(t) => int(time_component(*t, key)),
        Value::Time(t) => int(time_component(t.time, key)).or_else(|| match key {
            "timezone" => Some(Value::String(format_offset(t.offset))),
            _ => offset_component(t.offset, key),
        }),
        Value::LocalDateTime(l) => {
            int(date_component(l.date, key).or_else(|| time_component(l.time, key)))
        }
        Value::DateTime(dt) => int(date_component(dt.local.date, key))
            .or_else(|| int(time_component(dt.local.time, key)))
            .or_else(|| match key {
                "timezone" => Some(Value::String(match dt.zone {
                    Some(z) => z.name().to_string(),
                    None => format_offset(dt.offset),
                })),
                "epochSeconds" => Some(Value::Int(dt.epoch_second())),
                "epochMillis" => i64::try_from(dt.epoch_nanos().div_euclid(1_000_000))
                    .ok()
                    .map(Value::Int),
                _ => offset_component(dt.offset, key),
            }),
        Value::Duration(d) => int(duration_component(d, key)),
        _ => None,
    };
    found.ok_or_else(|| no_component(v, key))
}
