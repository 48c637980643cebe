//! Spatial functions: `point()`, `point.distance()`, `point.withinBBox()` (the point type and
//! its rules are `value::Point`).

use super::{arg_error, bad_arg};
use crate::error::Result;
use crate::value::{Point, Value};

/// An InvalidArgumentValue with Neo4j's message for a point it cannot build.
fn point_error(message: String) -> crate::error::Error {
    arg_error("InvalidArgumentValue", message)
}

fn point_arg<'a>(name: &str, v: &'a Value) -> Result<Option<&'a Point>> {
    match v {
        Value::Null => Ok(None),
        Value::Point(p) => Ok(Some(p)),
        other => Err(bad_arg(name, other)),
    }
}

/// The spatial functions; `None` when `name` is not one of them.
pub(super) fn call(name: &str, args: &mut [Value]) -> Option<Result<Value>> {
    Some(match name {
        "point" => match args.first() {
            Some(Value::Null) | None => Ok(Value::Null),
            Some(Value::Map(m)) => match Point::from_map(m) {
                Ok(Some(p)) => Ok(Value::Point(Box::new(p))),
                Ok(None) => Ok(Value::Null),
                Err(message) => Err(point_error(message)),
            },
            Some(other) => Err(bad_arg(name, other)),
        },
        "point.distance" => (|| {
            let (Some(a), Some(b)) = (point_arg(name, &args[0])?, point_arg(name, &args[1])?)
            else {
                return Ok(Value::Null);
            };
            Ok(a.distance(b).map_or(Value::Null, Value::Float))
        })(),
        "point.withinBBox" => (|| {
            let p = point_arg(name, &args[0])?;
            let lower_left = point_arg(name, &args[1])?;
            let upper_right = point_arg(name, &args[2])?;
            let (Some(p), Some(ll), Some(ur)) = (p, lower_left, upper_right) else {
                return Ok(Value::Null);
            };
            Ok(p.within_bbox(ll, ur).map_or(Value::Null, Value::Bool))
        })(),
        _ => return None,
    })
}
