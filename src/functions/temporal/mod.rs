//! Temporal functions: the constructors `date`, `localtime`, `time`, `localdatetime`,
//! `datetime`, `duration` (from maps, strings, other temporal values, or the clock), their
//! `.truncate`, `.statement` / `.transaction` / `.realtime` variants, `datetime.fromepoch*`,
//! and `duration.between` / `inMonths` / `inDays` / `inSeconds`.

mod between;
mod construct;
mod duration;
mod truncate;

use crate::error::Result;
use crate::temporal::{DateTime, TimeZone, NANOS_PER_SECOND};
use crate::value::Value;

use super::{arg_error, bad_arg, FunctionContext};

/// The temporal type a function builds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Date,
    LocalTime,
    Time,
    LocalDateTime,
    DateTime,
    Duration,
}

impl Kind {
    fn of(function: &str) -> Option<Kind> {
        Some(match function {
            "date" => Kind::Date,
            "localtime" => Kind::LocalTime,
            "time" => Kind::Time,
            "localdatetime" => Kind::LocalDateTime,
            "datetime" => Kind::DateTime,
            "duration" => Kind::Duration,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Date => "date",
            Kind::LocalTime => "localtime",
            Kind::Time => "time",
            Kind::LocalDateTime => "localdatetime",
            Kind::DateTime => "datetime",
            Kind::Duration => "duration",
        }
    }
}

/// An ArgumentError naming the type being built and the problem.
fn invalid(kind: Kind, what: impl std::fmt::Display) -> crate::error::Error {
    arg_error(
        "InvalidArgumentValue",
        format!("invalid {}: {what}", kind.name()),
    )
}

/// The wall clock as nanoseconds since the Unix epoch.
pub(crate) fn wall_clock() -> i128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i128)
}

/// The value of type `kind` for the instant `now` seen in `zone`.
fn now(kind: Kind, zone: TimeZone, now: i128) -> Result<Value> {
    let dt =
        DateTime::from_instant(now, zone).ok_or_else(|| invalid(kind, "clock out of range"))?;
    Ok(match kind {
        Kind::Date => Value::Date(dt.local.date),
        Kind::LocalTime => Value::LocalTime(dt.local.time),
        Kind::Time => Value::Time(dt.time()),
        Kind::LocalDateTime => Value::LocalDateTime(dt.local),
        Kind::DateTime => Value::DateTime(dt),
        Kind::Duration => return Err(invalid(kind, "a duration needs an argument")),
    })
}

/// `date(x)`, `time(x)`, …: from nothing (the statement clock), a map, a string or another
/// temporal value. Null in, null out.
fn construct(kind: Kind, arg: Option<&Value>, clock: i128) -> Result<Value> {
    match arg {
        None => now(kind, TimeZone::Offset(0), clock),
        Some(Value::Null) => Ok(Value::Null),
        Some(Value::String(s)) => construct::from_string(kind, s),
        Some(Value::Map(m)) if kind == Kind::Duration => duration::from_map(m),
        Some(Value::Map(m)) => construct::from_map(
            kind,
            m,
            construct::Base::default(),
            construct::Mode::Construct,
            clock,
        ),
        Some(Value::Duration(d)) if kind == Kind::Duration => Ok(Value::Duration(d.clone())),
        Some(v) if v.is_temporal() => construct::from_temporal(kind, v, clock),
        Some(other) => Err(bad_arg(kind.name(), other)),
    }
}

/// `datetime.fromepoch(seconds, nanoseconds)` and `datetime.fromepochmillis(millis)`.
fn from_epoch(args: &[Value], millis: bool) -> Result<Value> {
    let int = |v: Option<&Value>| match v {
        None => Ok(Some(0)),
        Some(Value::Null) => Ok(None),
        Some(Value::Int(i)) => Ok(Some(i128::from(*i))),
        Some(other) => Err(bad_arg("datetime.fromepoch", other)),
    };
    let (Some(a), Some(b)) = (int(args.first())?, int(args.get(1))?) else {
        return Ok(Value::Null);
    };
    let nanos = if millis {
        a * 1_000_000
    } else {
        a * i128::from(NANOS_PER_SECOND) + b
    };
    DateTime::from_instant(nanos, TimeZone::Offset(0))
        .map(Value::DateTime)
        .ok_or_else(|| invalid(Kind::DateTime, format!("epoch value {a} is out of range")))
}

/// The temporal functions; `None` when `name` is not one of them.
pub(super) fn call(
    name: &str,
    args: &mut [Value],
    ctx: &dyn FunctionContext,
) -> Option<Result<Value>> {
    let clock = || ctx.statement_time().unwrap_or_else(wall_clock);
    if let Some(kind) = Kind::of(name) {
        return Some(construct(kind, args.first(), clock()));
    }
    let (ns, function) = name.split_once('.')?;
    let kind = Kind::of(ns)?;
    Some(match function {
        // One clock per statement; a transaction is one statement here, and `realtime` reads
        // the wall clock.
        "statement" | "transaction" => clocked(kind, args.first(), clock()),
        "realtime" => clocked(kind, args.first(), wall_clock()),
        // Neo4j: the value defaults to the current one of the function's kind.
        "truncate" if args.len() == 1 => match clocked(kind, None, clock()) {
            Ok(now) => truncate::truncate(kind, &[args[0].clone(), now], clock()),
            Err(e) => Err(e),
        },
        "truncate" => truncate::truncate(kind, args, clock()),
        "fromepoch" if kind == Kind::DateTime => from_epoch(args, false),
        "fromepochmillis" if kind == Kind::DateTime => from_epoch(args, true),
        "between" | "inMonths" | "inDays" | "inSeconds" if kind == Kind::Duration => {
            duration::between(function, args)
        }
        _ => return None,
    })
}

/// `date.statement()` and friends: the clock, optionally seen in a zone.
fn clocked(kind: Kind, zone: Option<&Value>, clock: i128) -> Result<Value> {
    match zone {
        None => now(kind, TimeZone::Offset(0), clock),
        Some(Value::Null) => Ok(Value::Null),
        Some(z) => now(kind, construct::parse_zone(kind, z)?, clock),
    }
}
